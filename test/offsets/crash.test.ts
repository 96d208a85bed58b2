// A gateway killed (SIGKILL) in the middle of a cutover — some partitions placed, others half-placed or not
// at all — and the cutover run again: the subscription still delivers exactly the rest of every partition.
// And a topic unloaded after cutover (Pulsar 4.0 then loses batch-index positions): cutover --again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cutover } from '../../src/offsets/cutover.js';
import { RedisGroupStateStore } from '../../src/offsets/group-state.js';
import { partitionTopic } from '../../src/pulsar/client/index.js';
import { admin } from '../helpers/pulsar.js';
import { uniqueName } from '../helpers/stack.js';
import { assertRest, client, consumeUntil, kafkaOffsets, offsetsDeps, produce, readRest, restEnds, redis, sourceAndTarget, startMirror, waitMirrored } from './helpers.js';

const runner = fileURLToPath(new URL('./cutover-process.ts', import.meta.url));

/** 300 records per partition, mirrored; a kafkajs group stopped inside a Pulsar batch past record step × (p + 1). */
async function stoppedInBatches(prefix: string, partitions: number, step: number) {
  const pair = await sourceAndTarget(prefix, partitions);
  await produce(pair.source, Array.from({ length: partitions }, () => 300));
  const mirror = await startMirror(pair);
  await waitMirrored(pair);
  await mirror.stop();
  const stops = new Map<number, bigint>();
  for (let p = 0; p < partitions; p++) stops.set(p, pair.stored.get(p)!.find((r, j) => j >= step * (p + 1) && r.id.batchIndex > 0)!.offset);
  const group = uniqueName('k2p-app');
  await consumeUntil(group, pair.source, stops);
  return { pair, stops, group };
}

test('cutover killed midway, run again: still exact', { timeout: 300_000 }, async () => {
  const { pair, stops, group } = await stoppedInBatches('off-crash', 6, 40);

  const scope = uniqueName('k2p-test');
  const subscription = uniqueName('sub');
  const child = spawn(process.execPath, ['--import', 'tsx', runner, JSON.stringify({ source: pair.source, target: pair.target, mirrorGroup: pair.mirrorGroup, group, subscription, scope, crashAfter: 2 })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGKILL', `the cutover process was killed midway (${out})`);
  const store = new RedisGroupStateStore(redis, scope);
  assert.equal((await store.get(group))?.phase, 'cutting-over', 'the crash left the cutover unfinished');

  const deps = { ...offsetsDeps(pair), store };
  const again = await cutover(deps, { group, subscription, type: 'Failover', whenNoOffset: 'earliest' });
  assert.equal(again.already, false);
  assert.equal((await store.get(group))?.phase, 'cut-over');
  const kafkaSide = await kafkaOffsets(pair.source, 6);
  assertRest('after the crash and re-run', await readRest(client, pair.target, subscription, restEnds(kafkaSide, stops)), kafkaSide, stops);
});

test('a topic unloaded after cutover (the broker drops batch-index positions then): cutover --again is exact', { timeout: 300_000 }, async () => {
  const { pair, stops, group } = await stoppedInBatches('off-unload', 2, 50);
  const deps = offsetsDeps(pair);
  const g = { group, subscription: uniqueName('sub'), type: 'Failover' as const, whenNoOffset: 'earliest' as const };
  await cutover(deps, g);
  for (let p = 0; p < 2; p++) await admin.topics.unload(partitionTopic(pair.target, p));
  const again = await cutover(deps, g, { again: true });
  assert.equal(again.already, false, 'placed again');
  const kafkaSide = await kafkaOffsets(pair.source, 2);
  assertRest('after an unload and cutover --again', await readRest(client, pair.target, g.subscription, restEnds(kafkaSide, stops)), kafkaSide, stops);
});
