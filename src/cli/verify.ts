// `k2p verify -c <files>`: thin wrapper over src/verify (parse, call, print). Exit 0 only when identical,
// 1 when divergent (K2P_VERIFY_DIVERGENT), 2 for usage and configuration errors.
import { Command, InvalidArgumentError } from 'commander';
import { K2pError, isK2pError } from '../errors.js';
import {
  formatReport,
  parseBound,
  verify,
  type VerifyOptions,
  type VerifyProgress,
} from '../verify/index.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1 (e.g. 0.95)');
  return n;
}

interface VerifyFlags {
  config: string[];
  topics?: string[];
  from?: string;
  to?: string;
  json?: boolean;
  maxDivergences: number;
  mode: string;
  window?: number;
  settle?: number;
  readTimeout?: number;
  identityHeader?: string;
  tolerance?: number;
  positions: boolean;
  group?: string[];
  sampleWindows?: number;
  sampleWindowSize?: number;
  samplePartitions?: number;
  sampleSeed?: number;
  confidence?: number;
  progress: boolean;
}

function progressLine(p: VerifyProgress): string {
  const pct = p.plannedRecords > 0 ? ` (${((p.records / p.plannedRecords) * 100).toFixed(1)}%)` : '';
  const rate = p.elapsedMs > 0 ? Math.round((p.records / p.elapsedMs) * 1000) : 0;
  return `verify: ${p.topic} — ${p.records.toLocaleString('en-US')} of ${p.plannedRecords.toLocaleString('en-US')} records${pct}, ${rate.toLocaleString('en-US')} records/s, ${p.divergences} divergence(s)`;
}

export function options(flags: VerifyFlags): VerifyOptions {
  if (flags.mode !== 'mirror' && flags.mode !== 'dual-write')
    throw new K2pError('K2P_VERIFY_INPUT', `--mode ${flags.mode}: expected mirror or dual-write`, {
      mode: flags.mode,
    });
  const o: VerifyOptions = { config: flags.config, mode: flags.mode, maxDivergences: flags.maxDivergences };
  if (flags.topics) o.topics = flags.topics.flatMap((t) => t.split(',')).filter(Boolean);
  if (flags.from !== undefined) o.from = parseBound(flags.from, 'from');
  if (flags.to !== undefined) o.to = parseBound(flags.to, 'to');
  if (flags.window !== undefined) o.window = flags.window;
  if (flags.settle !== undefined) o.settleMs = flags.settle;
  if (flags.readTimeout !== undefined) o.readTimeoutMs = flags.readTimeout;
  if (flags.identityHeader !== undefined || flags.tolerance !== undefined) {
    o.dualWrite = {};
    if (flags.identityHeader !== undefined) o.dualWrite.identityHeader = flags.identityHeader;
    if (flags.tolerance !== undefined) o.dualWrite.toleranceMs = flags.tolerance;
  }
  o.positions = flags.positions ? (flags.group ? { groups: flags.group } : true) : false;
  if (flags.sampleWindows !== undefined) {
    o.sample = { windows: flags.sampleWindows };
    if (flags.sampleWindowSize !== undefined) o.sample.windowSize = flags.sampleWindowSize;
    if (flags.samplePartitions !== undefined) o.sample.partitions = flags.samplePartitions;
    if (flags.sampleSeed !== undefined) o.sample.seed = flags.sampleSeed;
    if (flags.confidence !== undefined) o.sample.confidence = flags.confidence;
  }
  return o;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      "prove that Pulsar holds what Kafka holds: record by record, and mapped groups' positions (exit 0 only when identical)",
    )
    .requiredOption('-c, --config <file>', 'connector / mapping file or folder (repeatable)', collect, [])
    .option('--topics <names...>', 'only these Kafka topics (space or comma separated)')
    .option(
      '--from <offset|time>',
      'start at this Kafka offset (every partition) or time (ISO 8601, or <ms>ms)',
    )
    .option('--to <offset|time>', 'stop before this offset or time (default: the end as the run starts)')
    .option('--json', 'print the report as JSON')
    .option('--max-divergences <n>', 'divergences listed (all are counted)', positiveInt, 20)
    .option('--mode <mode>', 'mirror (pair by Kafka offset) or dual-write (pair by identity)', 'mirror')
    .option(
      '--window <n>',
      'mirror mode: Pulsar messages a record may come late before it counts as missing',
      positiveInt,
    )
    .option(
      '--settle <ms>',
      "wait this long for Pulsar to reach Kafka's end before the tail counts as missing",
      positiveInt,
    )
    .option(
      '--read-timeout <ms>',
      'a side silent this long before its end (as the run started) fails the run: K2P_VERIFY_INCOMPLETE (default 120000)',
      positiveInt,
    )
    .option(
      '--identity-header <name>',
      'dual-write: header/property holding the record identity (default k2p-id; else key + value digest)',
    )
    .option(
      '--tolerance <ms>',
      'dual-write: records this young may still be in flight (default 10000)',
      positiveInt,
    )
    .option(
      '--no-positions',
      "skip the comparison of mapped groups' committed offsets with their subscriptions",
    )
    .option('--group <name>', 'only this Kafka group for positions (repeatable)', collect)
    .option('--sample-windows <n>', 'sample: check n random windows instead of everything', positiveInt)
    .option('--sample-window-size <n>', 'sample: Kafka offsets per window (default 1000)', positiveInt)
    .option('--sample-partitions <n>', 'sample: only n random partitions per topic', positiveInt)
    .option('--sample-seed <n>', 'sample: seed, for a reproducible sample', positiveInt)
    .option('--confidence <p>', 'sample: confidence of the stated bound (default 0.95)', fraction)
    .option('--no-progress', 'no progress line on stderr (shown only on a terminal anyway)')
    .addHelpText(
      'after',
      '\nExamples:\n  k2p verify -c connectors/local.yaml -c mappings/examples/shop.yaml\n  k2p verify -c connectors -c mappings --topics orders --from 2024-05-01T00:00:00Z --json\n  k2p verify -c connectors -c mappings --sample-windows 200 --sample-window-size 1000',
    )
    .action(async (flags: VerifyFlags, command: Command) => {
      let opts: VerifyOptions;
      try {
        opts = options(flags);
      } catch (err) {
        if (isK2pError(err, 'K2P_VERIFY_INPUT'))
          command.error(`k2p verify: ${err.message}`, { exitCode: 2, code: 'k2p.verify.input' });
        throw err;
      }
      const tty = process.stderr.isTTY === true && flags.progress;
      if (tty) {
        opts.onProgress = (p) => process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
        opts.progressIntervalMs = 500;
      }
      let report;
      try {
        report = await verify(opts);
      } catch (err) {
        if (isK2pError(err, 'K2P_VERIFY_INPUT'))
          command.error(`k2p verify: ${err.message}`, { exitCode: 2, code: 'k2p.verify.input' });
        throw err;
      } finally {
        if (tty) process.stderr.write('\r\x1b[2K');
      }
      console.log(flags.json ? JSON.stringify(report, null, 2) : formatReport(report));
      if (!report.identical) {
        throw new K2pError(
          'K2P_VERIFY_DIVERGENT',
          `${report.divergenceCount} divergence(s) between Kafka and Pulsar`,
          { divergences: report.divergenceCount },
        );
      }
    });
}
