// `k2p plan | apply | mirror -c <files>`: thin wrappers over src/mirror (load config, call, print).
import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { Mirror } from '../mirror/mirror.js';
import { applyPlan, describePlan } from '../mirror/provision.js';
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

function printPlans(pairs: MirrorPair[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(pairs.map((p) => ({ source: p.source.name, target: p.target.name, topics: p.plans }))));
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
        printPlans(pairs, opts.json ?? false);
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
    .option('--quiet', 'no progress lines')
    .addHelpText('after', '\nExample:\n  k2p mirror -c connectors/local.yaml -c mappings/examples/shop.yaml')
    .action(async (opts: { config: string[]; group: string; quiet?: boolean; discoveryInterval: number }) => {
      const config = loadConfig(opts.config);
      const pairs: MirrorPair[] = [];
      for (const pair of mirrorPairs(config)) pairs.push(await planPair(config, pair));
      const mirrors: Mirror[] = [];
      for (const pair of pairs) {
        for (const plan of pair.plans) await applyPlan(pair.admin, plan);
        const mirror = new Mirror({
          kafka: pair.kafka,
          pulsar: pair.pulsar,
          topics: pair.topics,
          groupId: `${opts.group}-${pair.source.name}-${pair.target.name}`,
          discover: discoverer(config, pair),
          discoveryIntervalMs: opts.discoveryInterval,
          log: (event, fields) => console.error(JSON.stringify({ event, ...fields })),
        });
        await mirror.start();
        mirrors.push(mirror);
      }
      const progress = setInterval(() => {
        if (opts.quiet) return;
        for (const m of mirrors) {
          const rows = m.status();
          const records = rows.reduce((n, r) => n + r.records, 0);
          console.log(JSON.stringify({ records, partitions: rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: String(r.committedOffset) })) }));
        }
      }, 2000);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(progress);
      await Promise.all(mirrors.map((m) => m.stop()));
      await Promise.all(pairs.map(closePair));
    });
}
