// Rollback: after cutover a Pulsar consumer consumes more (stopping inside batches, acknowledging one by one,
// everything on one partition, nothing on another); rollback commits the subscription's position to the
// Kafka group, and a kafkajs consumer resumes exactly after what was consumed on Pulsar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutover } from '../../src/offsets/cutover.js';
import { isK2pError } from '../../src/errors.js';
import { rollback } from '../../src/offsets/rollback.js';
import { subscriptionPosition } from '../../src/offsets/subscription-position.js';
import { partitionTopic, type MessageId } from '../../src/pulsar/client/index.js';
import { admin } from '../helpers/pulsar.js';
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

/** The stored records of a partition grouped by Pulsar entry, in order. */
function entries(records: { offset: bigint; id: MessageId }[]): { offset: bigint; id: MessageId }[][] {
  const out: { offset: bigint; id: MessageId }[][] = [];
  for (const r of records) {
    const last = out.at(-1)?.[0];
    if (last && last.id.ledgerId === r.id.ledgerId && last.id.entryId === r.id.entryId) out.at(-1)!.push(r);
    else out.push([r]);
  }
  return out;
}

test('rollback refuses an acknowledgement hole (Shared consumer), naming the partition and the hole; exact once the hole is acknowledged', { timeout: 300_000 }, async () => {
  const pair = await sourceAndTarget('off-rbh', 3);
  const mirror = await startMirror(pair);
  for (let round = 0; round < 8; round++) {
    await produce(pair.source, [50, 50, 50]); // while the mirror runs: several Pulsar entries per partition
    await waitMirrored(pair);
  }
  await mirror.stop();
  const group = uniqueName('k2p-app');
  const start = new Map([[0, 10n], [1, 10n], [2, 10n]]);
  await consumeUntil(group, pair.source, start);
  const deps = offsetsDeps(pair);
  const g = { group, subscription: uniqueName('sub'), type: 'Shared' as const, whenNoOffset: 'earliest' as const };
  await cutover(deps, g);

  // Partition 0: a whole entry acknowledged after an unacknowledged message (the first of the entry before).
  // Partition 1: a later batch partly acknowledged while the batch before it is not at all.
  // Partition 2: acknowledged without a hole up to 150.
  const e0 = entries(pair.stored.get(0)!).filter((e) => e[0]!.offset > 10n && e.length > 1);
  const e1 = entries(pair.stored.get(1)!).filter((e) => e[0]!.offset > 10n);
  const i1 = e1.findIndex((e, i) => i > 0 && e.length > 2);
  assert.ok(e0.length >= 2 && i1 > 0, `batches to make holes in: ${[0, 1].map((p) => entries(pair.stored.get(p)!).map((e) => e.length).join(' ')).join(' | ')}`);
  const hole0 = e0[0]![0]!.offset;
  const acked0 = (o: bigint) => o !== hole0 && o <= e0[1]!.at(-1)!.offset;
  const hole1 = e1[i1 - 1]![0]!.offset;
  const partly1 = e1[i1]![1]!.offset;
  const acked1 = (o: bigint) => o < hole1 || o === partly1;
  const acked2 = (o: bigint) => o < 150n;
  const ack = [acked0, acked1, acked2];
  const until = [e0[1]!.at(-1)!.offset, e1[i1]!.at(-1)!.offset, 150n];
  const consumer = await client.subscribe({ topic: pair.target, subscription: g.subscription, subscriptionType: 'Shared' });
  const done = new Set<number>();
  while (done.size < 3) {
    const m = await consumer.receive(10_000);
    const o = BigInt(m.properties['k2p.offset']!);
    if (ack[m.id.partition]!(o)) consumer.acknowledge(m);
    if (o >= until[m.id.partition]!) done.add(m.id.partition);
  }
  await new Promise((r) => setTimeout(r, 500)); // acks are sent asynchronously
  await consumer.close();

  await assert.rejects(rollback(deps, g), (e) => isK2pError(e, 'K2P_OFF_UNTRANSLATABLE') && /acknowledgement hole/.test(e.message) && new RegExp(`${pair.source}\\[[01]\\]`).test(e.message));
  assert.equal((await deps.store.get(group))?.phase, 'cut-over', 'still cut over');
  assert.deepEqual((await deps.kafka.committed(group)).map((c) => c.offset), ['10', '10', '10'], 'the Kafka offsets did not move');
  for (const [p, hole, what] of [[0, hole0, /entries \[\(.+\] acknowledged/], [1, hole1, /partly acknowledged/]] as const) {
    await assert.rejects(subscriptionPosition(client, admin, partitionTopic(pair.target, p), g.subscription), (e) => isK2pError(e, 'K2P_OFF_UNTRANSLATABLE') && e.message.includes(`Kafka offset ${hole} `) && what.test(e.message), `partition ${p}: the hole at ${hole}`);
  }

  // The hole acknowledged on Pulsar (partition 1: the unacknowledged batch and the rest of the next one but
  // its last message): rollback is exact again.
  const fill = [(o: bigint) => o === hole0, (o: bigint) => o >= hole1 && o < e1[i1]!.at(-1)!.offset, () => false];
  const closer = await client.subscribe({ topic: pair.target, subscription: g.subscription, subscriptionType: 'Shared' });
  const expected = new Map([[0, e0[1]!.at(-1)!.offset + 1n], [1, e1[i1]!.at(-1)!.offset], [2, 150n]]);
  for (const seen = new Set<number>(); seen.size < 2; ) {
    const m = await closer.receive(10_000);
    const o = BigInt(m.properties['k2p.offset']!);
    if (fill[m.id.partition]!(o)) closer.acknowledge(m);
    if (m.id.partition < 2 && o >= expected.get(m.id.partition)!) seen.add(m.id.partition);
  }
  await new Promise((r) => setTimeout(r, 500));
  await closer.close();
  const result = await rollback(deps, g);
  assert.deepEqual(result.partitions.map((p) => [p.partition, p.kafkaOffset]), [...expected].map(([p, n]) => [p, String(n)]));
  assertRest('kafkajs after rollback', await kafkaResume(group, pair.source), await kafkaOffsets(pair.source, 3), expected);
});
