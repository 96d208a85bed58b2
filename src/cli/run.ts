// `k2p run -c <files>`: create a run and work on it in the foreground with progress until it is live;
// `k2p runs list | show | pause | resume | cancel | cutover | rollback | verify`: the run commands.
// Thin: parse, call src/runs, print. Exit 0 when the run is live (or the command did what it said), 1 when
// the run failed or was cancelled (or a runtime error), 2 for usage and configuration errors.
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config/index.js';
import { K2pError } from '../errors.js';
// The runs (BullMQ, the mirror, the clients) load only when a run command runs: `k2p status` and the other
// commands start without them.
import type { Gateway, Run } from '../runs/index.js';
import { redisUrlFor } from '../runs/redis-url.js';
import { progressLine, summarize } from '../runs/summary.js';
import { cliLogger } from './logger.js';
import { paint, statusColour } from './status.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function wholeNumber(value: string): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return v;
}

interface Connection {
  redis?: string;
  prefix: string;
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--redis <url>', 'Redis holding the runs (default: $K2P_REDIS_URL, the config files\' redis connector, redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'key prefix of the runs and their queue in Redis', 'k2p');
}

/** A gateway that only reads and commands (no worker, no mirror): for the short run commands. */
async function withClient<T>(opts: Connection & { config?: string[] }, fn: (g: Gateway) => Promise<T>): Promise<T> {
  const config = opts.config && opts.config.length > 0 ? loadConfig(opts.config) : undefined;
  const { Gateway } = await import('../runs/index.js');
  const g = new Gateway({ redisUrl: redisUrlFor(opts.redis, config), prefix: opts.prefix, work: false });
  try {
    return await fn(g);
  } finally {
    await g.stop();
  }
}

function print(run: Run, json: boolean): void {
  console.log(json ? JSON.stringify(summarize(run, undefined)) : progressLine(summarize(run, undefined)));
}

interface RunFlags extends Connection {
  config: string[];
  name?: string;
  cutover: 'auto' | 'manual';
  verifySettle: number;
  attach?: string;
  follow?: boolean;
  json?: boolean;
  quiet?: boolean;
  interval: number;
}

export function registerRunCommands(program: Command): void {
  connectionOptions(
    program
      .command('run')
      .description('create a migration run from config files and work on it here, with progress, until it is live (plan → provision → backfill → sync → verify → cutover)')
      .option('-c, --config <file>', 'connector / mapping file or folder (repeatable)', collect, [])
      .option('--name <name>', 'a name for the run')
      .addOption(new Option('--cutover <mode>', 'auto: cut every mapped group over once verified; manual: wait for `k2p runs cutover`').choices(['auto', 'manual']).default('manual'))
      .option('--verify-settle <ms>', 'how long verification waits for Pulsar to catch up with Kafka', wholeNumber, 30_000)
      .option('--attach <run>', 'work on an existing run instead of creating one (e.g. after a crash)')
      .option('--follow', 'keep working (mirroring) after the run is live, until SIGINT/SIGTERM')
      .option('--interval <ms>', 'progress every <ms>', wholeNumber, 2000)
      .option('--json', 'progress as JSON lines (default when stdout is not a terminal)')
      .option('--quiet', 'no progress lines'),
  )
    .addHelpText(
      'after',
      `
Other gateway processes (k2p serve, k2p run --attach) on the same Redis share the work and the partitions.
Exit codes: 0 the run is live, 1 it failed or was cancelled, 2 usage or configuration error.

Examples:
  k2p run -c connectors/local.yaml -c mappings/examples/shop.yaml --cutover auto
  k2p run --attach 3f2a9c1e            # continue a run after its gateway died`,
    )
    .action(async (opts: RunFlags) => {
      if (!opts.attach && opts.config.length === 0) throw new K2pError('K2P_CFG_INVALID', 'give the config files (-c) of a new run, or --attach <run>', {});
      const { Gateway, readConfigFiles } = await import('../runs/index.js');
      const files = opts.attach ? undefined : readConfigFiles(opts.config);
      const config = opts.config.length > 0 ? loadConfig(opts.config) : undefined;
      const log = cliLogger(config);
      const gateway = new Gateway({ redisUrl: redisUrlFor(opts.redis, config), prefix: opts.prefix, log: (event, fields) => log.info({ event, ...fields }, event) });
      const json = opts.json ?? !process.stdout.isTTY;
      let id: string;
      try {
        id = opts.attach ? (await gateway.service.get(opts.attach)).id : (await gateway.service.create({ files: files!, name: opts.name, options: { cutover: opts.cutover, verifySettleMs: opts.verifySettle } })).id;
      } catch (err) {
        await gateway.stop();
        throw err;
      }
      gateway.start();
      if (!opts.quiet) console.log(json ? JSON.stringify({ event: opts.attach ? 'attached' : 'created', run: id }) : `run ${id} ${opts.attach ? 'attached' : 'created'}`);
      const outcome = await follow(gateway, id, opts, json);
      await gateway.stop();
      log.flush();
      if (outcome === 'failed' || outcome === 'cancelled') process.exitCode = 1;
    });

  const runs = program.command('runs').description('list, show and command migration runs (pause, resume, cancel, cutover, rollback, verify)');
  connectionOptions(runs.command('list').description('every run, newest first').option('--json', 'machine-readable output')).action(async (opts: Connection & { json?: boolean }) =>
    withClient(opts, async (g) => {
      const list = await g.service.list();
      if (opts.json) console.log(JSON.stringify(list.map((r) => summarize(r, undefined))));
      else if (list.length === 0) console.log('no runs');
      else for (const r of list) print(r, false);
    }),
  );
  connectionOptions(runs.command('show <run>').description('one run: status, steps, options').option('--json', 'machine-readable output')).action(async (id: string, opts: Connection & { json?: boolean }) =>
    withClient(opts, async (g) => {
      const run = await g.service.get(id);
      const { files, ...rest } = run;
      if (opts.json) console.log(JSON.stringify({ ...rest, files: files.map((f) => f.name) }));
      else {
        print(run, false);
        for (const [step, s] of Object.entries(run.steps)) console.log(`  ${step.padEnd(10)} ${s.status.padEnd(8)} ${s.note ?? ''}${s.error ? ` [${s.error.code}]` : ''}`);
      }
    }),
  );
  for (const [verb, what] of [
    ['pause', 'stop working on a run (its mirror stops) until resumed'],
    ['resume', 'continue a paused or failed run (the current step starts again)'],
    ['cancel', 'stop a run for good (what Pulsar holds stays)'],
  ] as const) {
    connectionOptions(runs.command(`${verb} <run>`).description(what).option('--json', 'machine-readable output')).action(async (id: string, opts: Connection & { json?: boolean }) =>
      withClient(opts, async (g) => print(await g.service[verb](id), opts.json ?? false)),
    );
  }
  for (const kind of ['cutover', 'rollback'] as const) {
    connectionOptions(
      runs
        .command(`${kind} <run> <group>`)
        .description(kind === 'cutover' ? "queue the cutover of a Kafka group to its Pulsar subscription (done by the run's gateways)" : 'queue the rollback of a cut-over group to Kafka')
        .option('--json', 'machine-readable output'),
    ).action(async (id: string, group: string, opts: Connection & { json?: boolean }) =>
      withClient(opts, async (g) => {
        const op = await g.service.groupOperation(id, group, kind);
        console.log(opts.json ? JSON.stringify(op) : `${kind} of ${group} queued (k2p status ${id} shows the result)`);
      }),
    );
  }
  connectionOptions(runs.command('verify <run>').description("start a verification of the run's topics (k2p status shows the result)").option('--json', 'machine-readable output')).action(
    async (id: string, opts: Connection & { json?: boolean }) =>
      withClient(opts, async (g) => {
        const v = await g.service.startVerify(id);
        console.log(opts.json ? JSON.stringify(v) : `verification ${v.id} of run ${id} started`);
      }),
  );
}

/** Prints progress until the run is live (or, with --follow, until a signal). Resolves with the run's status. */
async function follow(gateway: Gateway, id: string, opts: RunFlags, json: boolean): Promise<Run['status'] | 'interrupted'> {
  let interrupted = false;
  const stop = () => (interrupted = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let previous: { at: number; mirrored: number } | undefined;
  try {
    for (;;) {
      const [run, lag] = await Promise.all([gateway.store.get(id), gateway.store.lag(id)]);
      if (!run) throw new K2pError('K2P_RUN_NOT_FOUND', `run ${id} is gone`, { run: id });
      const s = summarize(run, lag);
      const rate = lag && previous && lag.at > previous.at ? Math.round(((lag.mirrored - previous.mirrored) * 1000) / (lag.at - previous.at)) : undefined;
      if (lag) previous = { at: lag.at, mirrored: lag.mirrored };
      if (!opts.quiet) console.log(json ? JSON.stringify({ ...s, rate }) : paint(process.stdout, statusColour(run.status), progressLine(s, rate, true)));
      const done = run.status === 'failed' || run.status === 'cancelled' || (run.status === 'live' && !opts.follow);
      if (done) return run.status;
      if (interrupted) return 'interrupted';
      await new Promise((r) => setTimeout(r, opts.interval));
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
