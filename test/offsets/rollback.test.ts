// Rollback: after cutover a Pulsar consumer consumes more (stopping inside batches, acknowledging one by one,
// everything on one partition, nothing on another); rollback commits the subscription's position to the
// Kafka group, and a kafkajs consumer resumes exactly after what was consumed on Pulsar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutover } from '../../src/offsets/cutover.js';
import { rollback } from '../../src/offsets/rollback.js';
import { uniqueName } from '../helpers/stack.js';
import { assertRest, client, consumeUntil, kafkaOffsets, kafkaResume, offsetsDeps, produce, sourceAndTarget, startMirror, waitMirrored } from './helpers.js';

test('rollback: a kafkajs consumer resumes exactly after what the Pulsar consumer acknowledged', { timeout: 300_000 }, async () => {
  const pair = await sourceAndTarget('off-rb', 4);
  await produce(pair.source, [300, 300, 300, 300]);
  const mirror = await startMirror(pair);
  await waitMirrored(pair);
  await mirror.stop();
  const group = uniqueName('k2p-app');
  await consumeUntil(group, pair.source, new Map([[0, 50n], [1, 77n], [2, 10n], [3, 123n]]));
  const deps = offsetsDeps(pair);
  const g = { group, subscription: uniqueName('sub'), type: 'Failover' as const, whenNoOffset: 'earliest' as const };
  await cutover(deps, g);

  // On Pulsar: consume up to (not including) these offsets, acknowledging each; 2: everything; 3: nothing.
  const limits = new Map<number, bigint>([[0, 133n], [1, 200n], [2, 300n], [3, 123n]]);
  for (let p = 0; p < 2; p++) {
    const entry = pair.stored.get(p)!.find((r) => r.offset === limits.get(p))!;
    assert.ok(entry.id.batchIndex > 0, `partition ${p} stops inside a batch`);
  }
  const consumer = await client.subscribe({ topic: pair.target, subscription: g.subscription, subscriptionType: 'Failover' });
  const done = new Set<number>();
  while (done.size < 4) {
    const m = await consumer.receive(10_000);
    const o = BigInt(m.properties['k2p.offset']!);
    if (o < limits.get(m.id.partition)!) consumer.acknowledge(m);
    if (o + 1n >= limits.get(m.id.partition)!) done.add(m.id.partition);
  }
  await new Promise((r) => setTimeout(r, 500)); // acks are sent asynchronously
  await consumer.close();

  const result = await rollback(deps, g);
  assert.deepEqual(result.partitions.map((p) => [p.partition, p.kafkaOffset]), [...limits].map(([p, n]) => [p, String(n)]));
  assertRest('kafkajs after rollback', await kafkaResume(group, pair.source), await kafkaOffsets(pair.source, 4), limits);
  // Again: already rolled back, nothing changes.
  assert.equal((await rollback(deps, g)).already, true);
});
