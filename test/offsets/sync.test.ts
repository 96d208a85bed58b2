// Continuous sync under load: producers keep writing to Kafka, the mirror runs, a kafkajs group consumes and
// commits, sync rounds move the subscription forward. A Pulsar consumer attaching stops sync for the group.
// Then the group stops, cutover runs, and the Pulsar consumer continues exactly where the Kafka one stopped:
// what Kafka delivered plus what Pulsar delivers is every record once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutover } from '../../src/offsets/cutover.js';
import { OffsetSync, syncGroups } from '../../src/offsets/sync.js';
import { uniqueName } from '../helpers/stack.js';
import { client, kafka, kafkaOffsets, offsetsDeps, QUICK_FETCH, readRest, sourceAndTarget, startMirror } from './helpers.js';

const PARTITIONS = 3;

test('sync follows a consuming group under load; cutover continues exactly where Kafka stopped', { timeout: 300_000 }, async () => {
  const pair = await sourceAndTarget('off-sync', PARTITIONS);
  const mirror = await startMirror(pair);
  const deps = offsetsDeps(pair);
  const group = uniqueName('k2p-app');
  const g = { group, subscription: uniqueName('sub'), type: 'Failover' as const, whenNoOffset: 'earliest' as const };

  // Load: 30 rounds of 200 records, 100 ms apart.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let writing = true;
  const writer = (async () => {
    for (let round = 0; round < 30; round++) {
      await producer.send({ topic: pair.source, messages: Array.from({ length: 200 }, (_, i) => ({ key: `k${round}-${i}`, value: `v${round}-${i}` })) });
      await new Promise((r) => setTimeout(r, 100));
    }
    writing = false;
  })();

  // The application on Kafka: reads slowly, commits after each batch.
  const readOnKafka = new Map<number, bigint[]>();
  const committed = new Map<number, bigint>();
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1000, maxBytesPerPartition: 4000, ...QUICK_FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [pair.source], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, isRunning }) => {
      if (!isRunning() || batch.messages.length === 0) return;
      for (const m of batch.messages) readOnKafka.set(batch.partition, [...(readOnKafka.get(batch.partition) ?? []), BigInt(m.offset)]);
      const next = BigInt(batch.lastOffset()) + 1n;
      await consumer.commitOffsets([{ topic: pair.source, partition: batch.partition, offset: String(next) }]);
      committed.set(batch.partition, next);
      await new Promise((r) => setTimeout(r, 250)); // slower than the producers: the group lags behind
    },
  });

  const errors: string[] = [];
  deps.log = (event, fields) => event === 'sync-failed' && errors.push(String(fields.error));
  const sync = new OffsetSync(deps, async () => [g], 300);
  sync.start();
  let midway = await deps.store.get(group);
  for (let i = 0; i < 60 && (midway?.partitions.length ?? 0) < PARTITIONS; i++) {
    await new Promise((r) => setTimeout(r, 250));
    midway = await deps.store.get(group);
  }
  assert.deepEqual(errors, []);
  assert.equal(midway?.phase, 'syncing');
  assert.ok(midway.lastSyncAt !== undefined && midway.partitions.length === PARTITIONS, 'sync placed every partition while the group consumed');
  await writer;
  await producer.disconnect();
  await new Promise((r) => setTimeout(r, 1500));
  await consumer.disconnect(); // the application stops on Kafka
  await sync.stop();
  assert.equal(writing, false);

  // A Pulsar consumer attaching stops sync for the group, and says so.
  const early = await client.subscribe({ topic: pair.target, subscription: g.subscription, subscriptionType: 'Failover' });
  const [stopped] = await syncGroups(deps, [g]);
  assert.equal(stopped!.result, 'stopped');
  assert.match(stopped!.note!, /sync stopped: a Pulsar consumer is attached/);
  await early.close();

  const result = await cutover(deps, g, { waitMs: 120_000 });
  await mirror.stop();
  assert.deepEqual(
    result.partitions.map((p) => [p.partition, p.kafkaOffset]),
    [...Array(PARTITIONS).keys()].map((p) => [p, String(committed.get(p) ?? 0n)]),
  );
  const onPulsar = await readRest(client, pair.target, g.subscription);
  const all = await kafkaOffsets(pair.source, PARTITIONS);
  let total = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const k = readOnKafka.get(p) ?? [];
    const q = onPulsar.get(p) ?? [];
    assert.equal(q[0], all.get(p)!.find((o) => o >= (committed.get(p) ?? 0n)), `partition ${p}: Pulsar starts at the committed offset`);
    assert.deepEqual([...k, ...q].map(String), all.get(p)!.map(String), `partition ${p}: Kafka's part + Pulsar's part = every record once`);
    total += q.length;
  }
  assert.ok(total > 0, 'the Pulsar consumer had records left to read');
  assert.equal((await syncGroups(deps, [g]))[0]!.result, 'not-syncing');
});
