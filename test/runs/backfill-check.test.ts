// Pure parts of the runs: when backfill is over (targets fixed at the first look, transaction markers at
// the end of a partition), history points (rates per topic) and the progress line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backfillCheck, STILL_LOOKS, type BackfillMemo } from '../../src/runs/backfill-check.js';
import { topicLag } from '../../src/runs/lag.js';
import { progressBar, progressLine, summarize } from '../../src/runs/summary.js';
import { historyPoint } from '../../src/runs/supervisor.js';
import type { LagSnapshot, PartitionLag } from '../../src/runs/types.js';

function snapshot(parts: Omit<PartitionLag, 'lag'>[], at = Date.now()): LagSnapshot {
  const partitions = parts.map((p) => ({ ...p, lag: Math.max(0, p.end - (p.committed >= 0 ? p.committed : p.start)) }));
  const t = topicLag('t', partitions);
  return { at, topics: [t], lag: t.lag, mirrored: t.mirrored, total: t.total };
}

test('backfill is over when every partition reached the end seen at the first look, however much is written since', () => {
  const memo: BackfillMemo = {};
  assert.deepEqual(backfillCheck(snapshot([{ partition: 0, start: 0, end: 100, committed: 40 }]), memo), { done: false, behind: 60, partitions: 1 });
  assert.equal(memo.targets!['t/0'], 100);
  // The producer wrote 50 more; the mirror reached 100: done, although the lag is 50.
  assert.equal(backfillCheck(snapshot([{ partition: 0, start: 0, end: 150, committed: 100 }]), memo).done, true);
});

test('a gap that stays the same while the mirror has committed is a transaction marker tail; a moving one is not', () => {
  const memo: BackfillMemo = {};
  const stuck = snapshot([{ partition: 0, start: 0, end: 101, committed: 100 }]);
  for (let i = 0; i < STILL_LOOKS; i++) assert.equal(backfillCheck(stuck, memo).done, false, `look ${i}`);
  assert.equal(backfillCheck(stuck, memo).done, true);
  // Nothing committed yet (a mirror still joining): needs four times as many looks.
  const fresh: BackfillMemo = {};
  const none = snapshot([{ partition: 0, start: 0, end: 1, committed: -1 }]);
  for (let i = 0; i < STILL_LOOKS * 4; i++) assert.equal(backfillCheck(none, fresh).done, false);
  assert.equal(backfillCheck(none, fresh).done, true);
  // A large standing gap is never taken for markers.
  const big: BackfillMemo = {};
  const far = snapshot([{ partition: 0, start: 0, end: 50_000, committed: 10 }]);
  for (let i = 0; i < 20; i++) assert.equal(backfillCheck(far, big).done, false);
});

test('history points: totals and per-topic rates from consecutive samples', () => {
  const a = snapshot([{ partition: 0, start: 0, end: 1000, committed: 100 }], 10_000);
  const b = snapshot([{ partition: 0, start: 0, end: 1000, committed: 600 }], 12_000);
  const p = historyPoint(b, a, 50);
  assert.equal(p.rate, 250);
  assert.equal(p.lag, 400);
  assert.deepEqual(p.topics, { t: { lag: 400, rate: 250 } });
  assert.equal(historyPoint(b, a, 0).topics, undefined, 'no per-topic points past the limit');
  assert.equal(historyPoint(b, undefined, 50).rate, 0);
});

test('progress line and bar', () => {
  assert.equal(progressBar(50, 10), '[#####-----]');
  assert.equal(progressBar(140, 4), '[####]');
  const run = { id: 'r1', status: 'active', step: 'backfill', steps: { backfill: { status: 'running', attempts: 1, note: '5 record(s) to backfill' } }, updatedAt: 0 } as never;
  const line = progressLine(summarize(run, snapshot([{ partition: 0, start: 0, end: 1000, committed: 250 }])), 120, true);
  assert.equal(line, 'run r1: active, step backfill (running) — [#####---------------] 25.0% of 1,000 records mirrored, lag 750 — 120 records/s — 5 record(s) to backfill');
});
