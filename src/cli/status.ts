// `k2p status [run]`: where the runs stand, from Redis only (no cluster is asked), so it answers at once
// whatever the number of topics. Exit 0; 1 when the run shown failed or was cancelled.
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { K2pError } from '../errors.js';
import { RedisRunStore } from '../runs/redis-run-store.js';
import { redisUrlFor } from '../runs/redis-url.js';
import { runView, type RunView } from '../runs/status-view.js';
import { groupDigits, progressLine, summarize } from '../runs/summary.js';
import type { Run } from '../runs/types.js';

/** Colour only on a terminal (and never with NO_COLOR). */
export function paint(stream: NodeJS.WriteStream, code: number, text: string): string {
  return stream.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export function statusColour(status: Run['status']): number {
  return status === 'live' ? 32 : status === 'failed' || status === 'cancelled' ? 31 : status === 'paused' ? 33 : 36;
}

interface StatusFlags {
  redis?: string;
  prefix: string;
  json?: boolean;
  all?: boolean;
  top: number;
}

const n = groupDigits;

function printView(v: RunView, opts: StatusFlags): void {
  const run = { ...v.run, files: [] };
  console.log(paint(process.stdout, statusColour(run.status), progressLine(summarize(run, v.lag))));
  console.log('steps:');
  for (const [step, s] of Object.entries(v.run.steps)) {
    const took = s.startedAt && s.finishedAt ? ` ${((s.finishedAt - s.startedAt) / 1000).toFixed(1)} s` : '';
    console.log(`  ${step.padEnd(10)} ${s.status.padEnd(8)}${took} ${s.note ?? ''}${s.error ? ` [${s.error.code}: ${s.error.message}]` : ''}`);
  }
  if (v.lag) {
    const topics = [...v.lag.topics].sort((a, b) => b.lag - a.lag || a.topic.localeCompare(b.topic));
    const shown = opts.all ? topics : topics.slice(0, opts.top);
    console.log(`topics (${topics.length}, lag sampled ${((Date.now() - v.lag.at) / 1000).toFixed(1)} s ago${shown.length < topics.length ? `, ${shown.length} with the most lag shown; --all for every one` : ''}):`);
    for (const t of shown) console.log(`  ${t.topic}  ${t.backfillPercent.toFixed(1)}%  ${n(t.mirrored)}/${n(t.total)}  lag ${n(t.lag)}  [${t.partitions.length}p]`);
  }
  if (v.groups.length > 0) {
    console.log('groups:');
    for (const g of v.groups) {
      const op = g.operation ? `  last ${g.operation.kind}: ${g.operation.status}${g.operation.error ? ` (${g.operation.error.code})` : ''}` : '';
      console.log(`  ${g.group}  ${g.state?.phase ?? 'not synced'}${g.state?.note ? ` (${g.state.note})` : ''}${op}`);
    }
  }
  const last = v.verifications.at(-1);
  if (last) console.log(`verification ${last.id}: ${last.status}${last.identical === undefined ? '' : last.identical ? ', identical' : ', DIVERGENT'}${last.error ? ` (${last.error.code})` : ''}`);
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status [run]')
    .description('where the migration runs stand (no run: every run; a run: its steps, topics with lag, groups, verification)')
    .option('--redis <url>', 'Redis holding the runs (default: $K2P_REDIS_URL or redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'key prefix of the runs in Redis', 'k2p')
    .option('--json', 'machine-readable output')
    .option('--all', 'every topic (default: those with the most lag)')
    .option('--top <n>', 'topics shown without --all', (v) => Number(v), 20)
    .addHelpText('after', '\nExamples:\n  k2p status\n  k2p status 3f2a9c1e --json')
    .action(async (id: string | undefined, opts: StatusFlags) => {
      const redis = new Redis(redisUrlFor(opts.redis), { maxRetriesPerRequest: 1, connectTimeout: 3000 });
      const store = new RedisRunStore(redis, `${opts.prefix}:runs:`);
      try {
        if (id === undefined) {
          const runs = await store.list();
          const lags = await Promise.all(runs.map((r) => store.lag(r.id)));
          const rows = runs.map((r, i) => summarize(r, lags[i]));
          if (opts.json) console.log(JSON.stringify(rows));
          else if (rows.length === 0) console.log('no runs');
          else for (const r of rows) console.log(paint(process.stdout, statusColour(r.status), progressLine(r)));
          return;
        }
        const view = await runView(redis, store, id);
        if (!view) throw new K2pError('K2P_RUN_NOT_FOUND', `no run ${id}`, { run: id });
        if (opts.json) console.log(JSON.stringify(view));
        else printView(view, opts);
        if (view.run.status === 'failed' || view.run.status === 'cancelled') process.exitCode = 1;
      } finally {
        redis.disconnect();
      }
    });
}
