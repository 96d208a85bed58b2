// `k2p plan | apply | mirror -c <files>`: thin wrappers over src/mirror (load config, call, print).
import type { Command } from 'commander';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { RedisOffsetIndex } from '../offsets/index.js';
import { loadConfig } from '../config/index.js';
import { MirrorMetrics } from '../mirror/metrics.js';
import { Mirror } from '../mirror/mirror.js';
import { formatProgress, topicProgress } from '../mirror/progress.js';
import { cliLogger } from './logger.js';
import { applyPlan, describePlan } from '../mirror/provision.js';
import { reportSchemaEvents, schemaPlans, type SchemaPlan } from '../mirror/schema-converter.js';
import { closePair, discoverer, mirrorPairs, planPair, type MirrorPair } from '../mirror/setup.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function plannedPairs(files: string[]): Promise<MirrorPair[]> {
  const config = loadConfig(files);
  const pairs: MirrorPair[] = [];
  for (const pair of mirrorPairs(config)) pairs.push(await planPair(config, pair));
  return pairs;
}

function printPlans(pairs: MirrorPair[], json: boolean, schemas?: SchemaPlan[][]): void {
  if (json) {
    // One JSON document: per pair, its topic plans and (plan only) its schema translation plans.
    console.log(JSON.stringify(pairs.map((p, i) => ({ source: p.source.name, target: p.target.name, topics: p.plans, ...(schemas ? { schemas: schemas[i] } : {}) }))));
    return;
  }
  for (const pair of pairs) {
    console.log(`${pair.source.name} → ${pair.target.name}: ${pair.plans.length} topic(s)`);
    for (const plan of pair.plans) for (const line of describePlan(plan)) console.log(`  ${line}`);
  }
}

export function registerMirrorCommands(program: Command): void {
  program
    .command('plan')
    .description('show what apply would create on Pulsar for the mapped Kafka topics (changes nothing)')
    .requiredOption('-c, --config <file>', 'connector / mapping file or folder (repeatable)', collect, [])
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  k2p plan -c connectors/local.yaml -c mappings/examples/shop.yaml')
    .action(async (opts: { config: string[]; json?: boolean }) => {
      const pairs = await plannedPairs(opts.config);
      try {
        // Schema translation: registry subjects and versions found, the Pulsar schemas they become.
        const schemas: SchemaPlan[][] = [];
        for (const pair of pairs) schemas.push(await schemaPlans(pair.topics));
        printPlans(pairs, opts.json ?? false, schemas);
        if (!opts.json) for (const s of schemas.flat()) for (const line of s.lines) console.log(`  ${s.topic}: ${line}`);
      } finally {
        await Promise.all(pairs.map(closePair));
      }
    });

  program
    .command('apply')
    .description('create on Pulsar what plan shows: tenants, namespaces, partitioned topics, policies')
    .requiredOption('-c, --config <file>', 'connector / mapping file or folder (repeatable)', collect, [])
    .action(async (opts: { config: string[] }) => {
      const pairs = await plannedPairs(opts.config);
      try {
        printPlans(pairs, false);
        for (const pair of pairs) for (const plan of pair.plans) await applyPlan(pair.admin, plan);
        console.log('applied');
      } finally {
        await Promise.all(pairs.map(closePair));
      }
    });

  program
    .command('mirror')
    .description('provision, then mirror the mapped Kafka topics into Pulsar until interrupted (SIGINT/SIGTERM stop cleanly)')
    .requiredOption('-c, --config <file>', 'connector / mapping file or folder (repeatable)', collect, [])
    .option('--group <id>', 'Kafka consumer group shared by the gateway processes', 'k2p-mirror')
    .option('--discovery-interval <ms>', 'how often new or deleted Kafka topics are looked for', (v) => Number(v), 5000)
    .option('--metrics-port <port>', 'serve Prometheus metrics on http://127.0.0.1:<port>/metrics', (v) => Number(v))
    .option('--json', 'progress as JSON lines on stdout (default on a non-TTY stdout)')
    .option('--quiet', 'no progress lines')
    .addHelpText('after', '\nExamples:\n  k2p mirror -c connectors/local.yaml -c mappings/examples/shop.yaml\n  k2p mirror -c connectors/ -c mappings/ --metrics-port 9464')
    .action(async (opts: { config: string[]; group: string; quiet?: boolean; json?: boolean; discoveryInterval: number; metricsPort?: number }) => {
      const config = loadConfig(opts.config);
      const log = cliLogger(config);
      const metrics = new MirrorMetrics();
      const server = opts.metricsPort !== undefined ? await serveMetrics(metrics, opts.metricsPort) : undefined;
      const pairs: MirrorPair[] = [];
      for (const pair of mirrorPairs(config)) pairs.push(await planPair(config, pair));
      // With a redis connector in the files, the offset index is kept (k2p cutover then scans less).
      const redisConnector = Object.values(config.connectors).find((c) => c.kind === 'redis');
      const redis = redisConnector ? new Redis(redisConnector.url, { password: redisConnector.password, lazyConnect: true }) : undefined;
      const index = redis ? new RedisOffsetIndex(redis) : undefined;
      const mirrors: Mirror[] = [];
      for (const pair of pairs) {
        for (const plan of pair.plans) await applyPlan(pair.admin, plan);
        const mirrorLog = (event: string, fields: Record<string, unknown>) => log.info({ event, source: pair.source.name, target: pair.target.name, ...fields }, event);
        reportSchemaEvents(pair.pulsar, { error: (event, error) => metrics.error(event, error), log: mirrorLog });
        const mirror = new Mirror({
          kafka: pair.kafka,
          kafkaConnector: pair.source,
          pulsar: pair.pulsar,
          topics: pair.topics,
          groupId: `${opts.group}-${pair.source.name}-${pair.target.name}`,
          discover: discoverer(config, pair),
          discoveryIntervalMs: opts.discoveryInterval,
          observer: metrics,
          onStored: index ? (batch) => index.record(batch) : undefined,
          log: mirrorLog,
        });
        await mirror.start();
        mirrors.push(mirror);
      }
      const display = opts.quiet ? undefined : progressPrinter(mirrors, opts.json ?? !process.stdout.isTTY);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(display);
      log.info({ event: 'stopping' }, 'stopping: flushing what is in flight');
      await Promise.all(mirrors.map((m) => m.stop()));
      await Promise.all(pairs.map(closePair));
      redis?.disconnect();
      server?.close();
      log.info({ event: 'stopped' }, 'stopped');
      log.flush();
    });
}

/** Every 2 s: one line per topic (JSON lines for machines, text for people). */
function progressPrinter(mirrors: Mirror[], json: boolean): NodeJS.Timeout {
  let previous = new Map<string, number>();
  let last = Date.now();
  return setInterval(() => {
    const now = Date.now();
    const rows = topicProgress(
      mirrors.flatMap((m) => m.status()),
      previous,
      now - last,
    );
    previous = new Map(rows.map((r) => [r.topic, r.records]));
    last = now;
    for (const r of rows) console.log(json ? JSON.stringify(r) : formatProgress(r));
  }, 2000);
}

function serveMetrics(metrics: MirrorMetrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
