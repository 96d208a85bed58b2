// Refusals change nothing: a group still active on Kafka, a mirror not caught up, rollback of a group never
// cut over, a Pulsar consumer still attached, an unknown subscription, a partition not in Kafka order.
// And cutover is idempotent: a second run answers the recorded result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../src/errors.js';
import { cutover } from '../../src/offsets/cutover.js';
import { rollback } from '../../src/offsets/rollback.js';
import { partitionTopic } from '../../src/pulsar/client/index.js';
import { admin } from '../helpers/pulsar.js';
import { uniqueName } from '../helpers/stack.js';
import { client, consumeUntil, kafka, offsetsDeps, produce, QUICK_FETCH, sourceAndTarget, startMirror, waitMirrored } from './helpers.js';

const target = (group: string) => ({ group, subscription: uniqueName('sub'), type: 'Failover' as const, whenNoOffset: 'earliest' as const });

async function subscriptionsOf(topic: string, partitions: number): Promise<string[]> {
  const all: string[] = [];
  for (let p = 0; p < partitions; p++) all.push(...(await admin.subscriptions.list(partitionTopic(topic, p))));
  return all;
}

test('refusals: active group, mirror behind, never cut over, consumer attached, unknown subscription, out of order', { timeout: 300_000 }, async () => {
  const pair = await sourceAndTarget('off-ref', 2);
  await produce(pair.source, [100, 100]);
  const mirror = await startMirror(pair);
  await waitMirrored(pair);
  await mirror.stop();
  const group = uniqueName('k2p-app');
  await consumeUntil(group, pair.source, new Map([[0, 40n], [1, 60n]]));
  const deps = offsetsDeps(pair);
  const g = target(group);

  // Rollback before any cutover.
  await assert.rejects(rollback(deps, g), (e) => isK2pError(e, 'K2P_OFF_STATE'));

  // A member of the group is active on Kafka.
  const member = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, ...QUICK_FETCH });
  await member.connect();
  await member.subscribe({ topics: [pair.source] });
  let joined!: () => void;
  const joinedP = new Promise<void>((r) => (joined = r));
  member.on(member.events.GROUP_JOIN, () => joined());
  await member.run({ autoCommit: false, eachMessage: async () => {} });
  await joinedP;
  await assert.rejects(cutover(deps, g), (e) => isK2pError(e, 'K2P_OFF_GROUP_ACTIVE') && /active member/.test(e.message));
  await member.disconnect();

  // The mirror is behind: Kafka got more, the group consumed some of it, nothing mirrored it.
  await produce(pair.source, [20, 0]);
  const ahead = uniqueName('k2p-app');
  await consumeUntil(ahead, pair.source, new Map([[0, 110n]]));
  await assert.rejects(cutover(deps, target(ahead), { waitMs: 1000 }), (e) => isK2pError(e, 'K2P_OFF_MIRROR_BEHIND') && /needs < 110, has < 100/.test(e.message));
  assert.deepEqual(await subscriptionsOf(pair.target, 2), [], 'no subscription was created');
  assert.equal(await deps.store.get(group), undefined, 'no state was written');
  assert.equal(await deps.store.get(ahead), undefined, 'no state was written');

  // A cutover, then a second one: idempotent.
  const first = await cutover(deps, g);
  const second = await cutover(deps, g);
  assert.equal(first.already, false);
  assert.equal(second.already, true);
  assert.deepEqual(second.partitions, first.partitions);

  // Rollback with a Pulsar consumer attached.
  const consumer = await client.subscribe({ topic: pair.target, subscription: g.subscription, subscriptionType: 'Failover' });
  await assert.rejects(rollback(deps, g), (e) => isK2pError(e, 'K2P_OFF_SUBSCRIPTION_ACTIVE'));
  await consumer.close();
  assert.equal((await deps.store.get(group))?.phase, 'cut-over', 'still cut over');

  // Rollback when the subscription was deleted on one partition.
  await admin.subscriptions.delete(partitionTopic(pair.target, 1), g.subscription);
  await assert.rejects(rollback(deps, g), (e) => isK2pError(e, 'K2P_OFF_UNKNOWN_SUBSCRIPTION'));
  assert.equal((await deps.store.get(group))?.phase, 'cut-over', 'still cut over');

  // A message not written by the mirror, out of Kafka order: the partition cannot be translated.
  const rogue = await client.createProducer({ topic: partitionTopic(pair.target, 1), batching: false });
  await rogue.send({ payload: Buffer.from('x'), properties: { 'k2p.offset': '3' } });
  await rogue.close();
  const other = uniqueName('k2p-app');
  await consumeUntil(other, pair.source, new Map([[1, 100n]])); // the scan reads to the end, past the rogue message
  await assert.rejects(cutover(offsetsDeps(pair, { index: false }), target(other), { waitMs: 1000 }), (e) => isK2pError(e, 'K2P_OFF_UNTRANSLATABLE') && /not in Kafka order/.test(e.message));
});
