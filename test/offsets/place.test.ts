// Translation primitives against the real broker: a partition written as the mirror writes it (batches,
// sequence id = Kafka offset, gaps), then for every Kafka offset N a subscription placed by the scan is read
// by a consumer: its first message is the first stored record with offset >= N — inside batches, at batch
// edges, in gaps, at the end, before the start, and when an existing subscription is moved back or forward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisOffsetIndex } from '../../src/offsets/offset-index.js';
import { placeSubscription, type PlacementBroker } from '../../src/offsets/place.js';
import { PartitionScanner } from '../../src/offsets/scan.js';
import { MessageId } from '../../src/pulsar/client/index.js';
import { admin, freshTopic, testClient } from '../helpers/pulsar.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';

const client = testClient();
/** New subscriptions through the admin API (create + reset) or the binary protocol (subscribe + seek). */
const REST: PlacementBroker = { admin };
const BINARY: PlacementBroker = { admin, pulsar: client };

/** Offsets 0..99 minus a few (gaps as compaction and transaction markers leave), in batches of up to 10. */
const OFFSETS = Array.from({ length: 100 }, (_, i) => BigInt(i)).filter((o) => ![5n, 6n, 19n, 20n, 21n, 40n, 77n].includes(o));

async function mirrorLike(topic: string, offsets: bigint[]): Promise<{ offset: bigint; id: MessageId }[]> {
  const producer = await client.createProducer({ topic, producerName: uniqueName('writer'), batching: true, batchingMaxMessages: 10, batchingMaxDelayMs: 20 });
  const ids = await producer.sendBatch(offsets.map((o) => ({ payload: Buffer.from(`r${o}`), sequenceId: o, properties: { 'k2p.offset': String(o) } })));
  await producer.close();
  return offsets.map((offset, i) => ({ offset, id: ids[i]! }));
}

async function firstOffset(topic: string, subscription: string): Promise<bigint | undefined> {
  const consumer = await client.subscribe({ topic, subscription, subscriptionType: 'Failover' });
  try {
    // No backlog (placed at the end): the broker has nothing to deliver, so a short wait shows it.
    const backlog = (await admin.topics.stats(topic)).subscriptions[subscription]?.msgBacklog;
    const m = await consumer.receive(backlog === 0 ? 500 : 3000);
    return BigInt(m.properties['k2p.offset']!);
  } catch {
    return undefined;
  } finally {
    await consumer.close();
  }
}

test('a subscription placed for offset N delivers the first record >= N first, with and without the index', async () => {
  const topic = await freshTopic('off-place');
  const stored = await mirrorLike(topic, OFFSETS);
  assert.ok(stored.some((s) => s.id.batchIndex > 0), 'batching is on');

  const redis = new Redis(STACK.redisUrl);
  cleanup(() => redis.quit());
  const index = new RedisOffsetIndex(redis, { prefix: `${uniqueName('k2p-test-idx')}:`, stride: 13 });
  await index.record({ topic: 't', partition: 0, target: topic, records: stored, highWatermark: 100n });

  const wanted = [0n, 1n, 5n, 6n, 7n, 9n, 10n, 11n, 19n, 22n, 40n, 55n, 77n, 98n, 99n, 100n, 150n];
  for (const [name, scanner, broker] of [
    ['scan', new PartitionScanner(client, admin), REST],
    ['index', new PartitionScanner(client, admin, index), REST],
    ['binary', new PartitionScanner(client, admin), BINARY],
  ] as const) {
    const asked = name === 'index' ? wanted.filter((n) => n > 13n) : wanted; // checkpoints at 0, 13, 26…
    const { located, stats } = await scanner.locate(topic, asked);
    assert.equal(stats.fromCheckpoint, name === 'index', 'the index gave the start');
    const inside = asked.filter((n) => {
      const p = located.get(n)!.previous?.id;
      return p !== undefined && p.batchIndex >= 0 && p.batchIndex < p.batchSize - 1;
    });
    assert.ok(inside.length >= 3, `positions inside batches are asked (${inside.length})`);
    if (name === 'index') assert.ok(stats.read < OFFSETS.length - 10, `read ${stats.read} messages from the checkpoint`);
    // Each position on a subscription of its own: placed and checked side by side.
    await Promise.all(
      asked.map(async (n) => {
        const expected = OFFSETS.find((o) => o >= n);
        const l = located.get(n)!;
        assert.equal(l.next?.offset, expected, `${name}: next for ${n}`);
        const sub = `s-${name}-${n}`;
        await placeSubscription(broker, topic, sub, l);
        assert.equal(await firstOffset(topic, sub), expected, `${name}: first message for N=${n}`);
      }),
    );
  }

  // An existing subscription moved back, forward, to the start: still exact (created over either protocol).
  const scanner = new PartitionScanner(client, admin, index);
  // The two subscriptions side by side; each one's moves in sequence.
  await Promise.all(
    ([['moving', REST], ['moving-bin', BINARY]] as const).map(async ([sub, broker]) => {
      for (const n of [55n, 11n, 99n, 0n, 78n]) {
        const { located } = await scanner.locate(topic, [n]);
        assert.equal(await placeSubscription(broker, topic, sub, located.get(n)!, n !== 55n), n === 55n ? 'created' : 'moved');
        assert.equal(await firstOffset(topic, sub), OFFSETS.find((o) => o >= n), `${sub}: moved to ${n}`);
      }
    }),
  );
});

test('a placement over the binary protocol is refused while a consumer holds the subscription, and moves nothing', async () => {
  const topic = await freshTopic('off-place-held');
  await mirrorLike(topic, OFFSETS.slice(0, 30));
  const { located } = await new PartitionScanner(client, admin).locate(topic, [0n, 24n]);
  await placeSubscription(BINARY, topic, 'held', located.get(24n)!);
  const holder = await client.subscribe({ topic, subscription: 'held', subscriptionType: 'Failover' });
  try {
    await assert.rejects(placeSubscription(BINARY, topic, 'held', located.get(0n)!), (err: Error & { code?: string }) => err.code === 'K2P_OFF_SUBSCRIPTION_ACTIVE' && err.message.includes(topic));
    const first = await holder.receive(3000);
    assert.equal(first.properties['k2p.offset'], '24', 'the held subscription did not move');
  } finally {
    await holder.close();
  }
});

test('a wrong checkpoint costs a scan from the start, not a wrong answer; an empty partition places at the start', async () => {
  const topic = await freshTopic('off-place-bad');
  const stored = await mirrorLike(topic, OFFSETS.slice(0, 40));
  const redis = new Redis(STACK.redisUrl);
  cleanup(() => redis.quit());
  const index = new RedisOffsetIndex(redis, { prefix: `${uniqueName('k2p-test-idx')}:`, stride: 1 });
  // A checkpoint claiming offset 30 lives where offset 12 is.
  const at12 = stored.find((s) => s.offset === 12n)!;
  await index.record({ topic: 't', partition: 0, target: topic, records: [{ offset: 30n, id: at12.id }], highWatermark: 0n });
  const { located, stats } = await new PartitionScanner(client, admin, index).locate(topic, [33n]);
  assert.equal(stats.fromCheckpoint, false);
  assert.equal(located.get(33n)!.next?.offset, 33n);
  assert.equal(await index.below(topic, 33n), undefined, 'the wrong checkpoint was dropped');

  const empty = await freshTopic('off-place-empty');
  const { located: none } = await new PartitionScanner(client, admin).locate(empty, [0n, 7n]);
  assert.deepEqual(none.get(7n), {});
  await placeSubscription(REST, empty, 'e', none.get(7n)!);
  await placeSubscription(BINARY, empty, 'e-bin', none.get(7n)!);
  await mirrorLike(empty, [7n, 8n]);
  assert.equal(await firstOffset(empty, 'e'), 7n);
  assert.equal(await firstOffset(empty, 'e-bin'), 7n);
});
