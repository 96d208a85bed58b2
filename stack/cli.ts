// The local stack without Docker: `npm run stack -- up|status|logs|down|reset [service...]`.
// Real Kafka (KRaft), Pulsar standalone, a Confluent-compatible Schema Registry and Redis on this machine.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STACK_ROOT, stackDirectory } from './paths.js';
import { isAlive, launchDetached, portOpen, readPid, rssMiB, sleep, stopProcess, tail } from './processes.js';
import type { StackContext, StackOptions, StackService } from './service.js';
import { SERVICES } from './services/index.js';

const root = STACK_ROOT;
const stackDir = stackDirectory();

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name}=${raw}: expected a TCP port number`);
  return n;
}

export function stackOptions(): StackOptions {
  return {
    kafkaVersion: process.env.K2P_KAFKA_VERSION || '4.4.0',
    kafkaPort: envNumber('K2P_KAFKA_PORT', 9092),
    pulsarPort: envNumber('K2P_PULSAR_PORT', 6650),
    pulsarAdminPort: envNumber('K2P_PULSAR_ADMIN_PORT', 8080),
    registryPort: envNumber('K2P_REGISTRY_PORT', 8081),
    redisPort: envNumber('K2P_REDIS_PORT', 6379),
    pulsarSecurePort: envNumber('K2P_PULSAR_SECURE_PORT', 6652),
    pulsarSecureTlsPort: envNumber('K2P_PULSAR_SECURE_TLS_PORT', 6653),
    pulsarSecureAdminPort: envNumber('K2P_PULSAR_SECURE_ADMIN_PORT', 8082),
    pulsarSecureBookiePort: envNumber('K2P_PULSAR_SECURE_BOOKIE_PORT', 3182),
    kafkaSecurePort: envNumber('K2P_KAFKA_SECURE_PORT', 9094),
  };
}

function contextFor(service: StackService, options: StackOptions): StackContext {
  const serviceDir = join(stackDir, service.name);
  return {
    root,
    stackDir,
    serviceDir,
    logFile: join(serviceDir, `${service.name}.log`),
    options,
    log: (message) => console.log(`[${service.name}] ${message}`),
  };
}

const pidFile = (ctx: StackContext) => join(ctx.serviceDir, 'service.pid');
const stateFile = (ctx: StackContext) => join(ctx.serviceDir, 'launched-with.json');

/**
 * Whether a running service was launched with these options. Options added to the stack after it was
 * launched (absent from its record) cannot have shaped it, so they do not force a restart.
 */
function launchedWithSame(previous: string, options: StackOptions): boolean {
  let recorded: Record<string, unknown>;
  try {
    recorded = JSON.parse(previous) as Record<string, unknown>;
  } catch {
    return false;
  }
  return Object.entries(recorded).every(([key, value]) => (options as unknown as Record<string, unknown>)[key] === value);
}

async function probeOnce(service: StackService, ctx: StackContext): Promise<Error | undefined> {
  try {
    await service.probe(ctx);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/** Brings one service up; idempotent: a running service that answers is left alone. */
async function up(service: StackService, ctx: StackContext): Promise<void> {
  await mkdir(ctx.serviceDir, { recursive: true });
  const launchedWith = JSON.stringify(ctx.options);
  const pid = await readPid(pidFile(ctx));
  if (pid !== undefined) {
    const previous = existsSync(stateFile(ctx)) ? await readFile(stateFile(ctx), 'utf8') : '';
    if (launchedWithSame(previous, ctx.options) && !(await probeOnce(service, ctx))) {
      ctx.log(`already running (pid ${pid})`);
      return;
    }
    ctx.log(`running with other settings or not answering: restarting (pid ${pid})`);
    await stopProcess(pid, pidFile(ctx));
  } else if (await portOpen(service.port(ctx.options))) {
    // Someone else's process owns the port. Use it if it answers a round trip; never stop it.
    const failure = await probeOnce(service, ctx);
    if (!failure) {
      ctx.log(`port ${service.port(ctx.options)} already serves a working ${service.name} (not ours): using it`);
      return;
    }
    throw new Error(`port ${service.port(ctx.options)} is taken by a process that does not answer as ${service.name}: ${failure.message}`);
  }

  const installStart = Date.now();
  await service.install(ctx);
  await service.prepare?.(ctx);
  const installSeconds = (Date.now() - installStart) / 1000;

  const started = Date.now();
  const newPid = await launchDetached(await service.launch(ctx), ctx.logFile, pidFile(ctx));
  await writeFile(stateFile(ctx), launchedWith);
  let lastError: Error | undefined;
  while (Date.now() - started < service.startTimeoutSeconds * 1000) {
    if (!isAlive(newPid)) break;
    lastError = await probeOnce(service, ctx);
    if (!lastError) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      ctx.log(`up in ${seconds} s (install/check ${installSeconds.toFixed(1)} s), pid ${newPid}, rss ${await rssMiB(newPid)} MiB`);
      return;
    }
    await sleep(1000);
  }
  const why = isAlive(newPid) ? `no round trip within ${service.startTimeoutSeconds} s` : 'the process exited';
  throw new Error(
    `${service.name} did not start: ${why}. Last probe error: ${lastError?.message ?? 'none'}\n` +
      `--- last lines of ${ctx.logFile} ---\n${await tail(ctx.logFile, 40)}`,
  );
}

async function down(service: StackService, ctx: StackContext): Promise<void> {
  const pid = await readPid(pidFile(ctx));
  if (pid === undefined) {
    ctx.log('not running (no live pid of ours)');
    return;
  }
  await stopProcess(pid, pidFile(ctx));
  ctx.log(`stopped pid ${pid}`);
}

async function status(service: StackService, ctx: StackContext): Promise<boolean> {
  const pid = await readPid(pidFile(ctx));
  const failure = await probeOnce(service, ctx);
  const owner = pid !== undefined ? `pid ${pid}, rss ${await rssMiB(pid)} MiB` : 'not started by us';
  ctx.log(`${failure ? `DOWN (${failure.message.split('\n')[0]})` : 'UP'} — ${owner}, port ${service.port(ctx.options)}`);
  return !failure;
}

function pick(names: string[]): StackService[] {
  if (names.length === 0) return SERVICES;
  return names.map((name) => {
    const service = SERVICES.find((s) => s.name === name);
    if (!service) throw new Error(`unknown service "${name}"; expected one of ${SERVICES.map((s) => s.name).join(', ')}`);
    return service;
  });
}

const usage = `usage: npm run stack -- <up|status|logs|down|reset> [service...]
services: ${SERVICES.map((s) => s.name).join(', ')}
environment: K2P_KAFKA_VERSION (default 4.4.0; 3.9.1 for Kafka 3.x), K2P_KAFKA_PORT, K2P_PULSAR_PORT,
  K2P_PULSAR_ADMIN_PORT, K2P_REGISTRY_PORT, K2P_REDIS_PORT, K2P_STACK_DIR (default .stack/);
  pulsar-secure (TLS + JWT): K2P_PULSAR_SECURE_PORT (6652), K2P_PULSAR_SECURE_TLS_PORT (6653),
  K2P_PULSAR_SECURE_ADMIN_PORT (8082), K2P_PULSAR_SECURE_BOOKIE_PORT (3182);
  kafka-secure (SASL_SSL + SCRAM): K2P_KAFKA_SECURE_PORT (9094; its controller on the next port)`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...names] = argv;
  const options = stackOptions();
  const services = pick(names.filter((n) => !n.startsWith('-')));
  const contexts = services.map((s) => [s, contextFor(s, options)] as const);
  switch (command) {
    case 'up': {
      // Started side by side: the JVMs overlap their start-up.
      const results = await Promise.allSettled(contexts.map(([s, ctx]) => up(s, ctx)));
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      for (const f of failures) console.error(`\n${f}`);
      return failures.length === 0 ? 0 : 1;
    }
    case 'down':
      for (const [s, ctx] of [...contexts].reverse()) await down(s, ctx);
      return 0;
    case 'status': {
      const ok = await Promise.all(contexts.map(([s, ctx]) => status(s, ctx)));
      return ok.every(Boolean) ? 0 : 1;
    }
    case 'logs': {
      const lines = Number(argv.find((a) => /^-n\d+$/.test(a))?.slice(2) ?? 60);
      for (const [s, ctx] of contexts) console.log(`=== ${s.name} (${ctx.logFile})\n${await tail(ctx.logFile, lines)}`);
      return 0;
    }
    case 'reset':
      for (const [s, ctx] of [...contexts].reverse()) {
        await down(s, ctx);
        await rm(ctx.serviceDir, { recursive: true, force: true });
        ctx.log('data removed');
      }
      return 0;
    default:
      console.error(usage);
      return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
