// Smoke test of the local Kafka with kafkajs: topics, keyed records with headers, a consumer group with
// commits read back through the admin API, and transactions seen through read_committed.
import assert from 'node:assert/strict';
import { before, after, test } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { STACK, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-stack-test', logLevel: logLevel.NOTHING });
let admin: Admin;

before(async () => {
  admin = kafka.admin();
  await admin.connect();
});
after(async () => {
  await admin.disconnect();
});

/** Consumes until `want` records arrived or `timeoutMs` passed; returns what arrived. */
async function consumeAll(
  groupId: string,
  topic: string,
  want: number,
  options: { readUncommitted?: boolean; timeoutMs?: number } = {},
) {
  const consumer = kafka.consumer({ groupId, readUncommitted: options.readUncommitted ?? false });
  const seen: { partition: number; offset: string; key: string; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 30_000);
      consumer
        .run({
          autoCommit: true,
          eachMessage: async ({ partition, message }) => {
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            );
            seen.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              headers,
            });
            if (seen.length >= want) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    // Wait until the group's commits include everything we saw: kafkajs commits after eachMessage.
    await consumer.commitOffsets([]).catch(() => undefined);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

test(`kafkajs produces and consumes 1,000 keyed records with headers on Kafka ${STACK.kafkaVersion}`, async () => {
  const topic = uniqueName('smoke-records');
  const groupId = uniqueName('smoke-group');
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  assert.ok((await admin.listTopics()).includes(topic));

  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 1000 }, (_, i) => ({
    key: `key-${i % 37}`,
    value: `value-${i}`,
    headers: { index: String(i), source: 'smoke' },
  }));
  await producer.send({ topic, messages });
  await producer.disconnect();

  const seen = await consumeAll(groupId, topic, 1000);
  assert.equal(seen.length, 1000);
  assert.deepEqual(new Set(seen.map((r) => r.value)).size, 1000);
  for (const record of seen) {
    const i = Number(record.value.slice('value-'.length));
    assert.equal(record.key, `key-${i % 37}`);
    assert.deepEqual(record.headers, { index: String(i), source: 'smoke' });
  }
  // A key always lands in one partition, and records of a partition arrive in produce order.
  const partitionOfKey = new Map<string, number>();
  for (const r of seen) {
    assert.equal(partitionOfKey.get(r.key) ?? r.partition, r.partition);
    partitionOfKey.set(r.key, r.partition);
  }

  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const perPartition = committed[0]!.partitions;
  const ends = await admin.fetchTopicOffsets(topic);
  assert.equal(perPartition.length, 3);
  for (const p of perPartition) {
    const end = ends.find((e) => e.partition === p.partition)!;
    assert.equal(p.offset, end.offset, `partition ${p.partition}: committed offset equals the end offset`);
  }
  assert.equal(
    ends.reduce((sum, e) => sum + Number(e.offset), 0),
    1000,
  );
});

test('a transactional producer: read_committed sees the committed batch only', async () => {
  const topic = uniqueName('smoke-txn');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ transactionalId: uniqueName('smoke-txn-id'), maxInFlightRequests: 1, idempotent: true });
  await producer.connect();

  const committedTxn = await producer.transaction();
  await committedTxn.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
  await committedTxn.commit();

  const abortedTxn = await producer.transaction();
  await abortedTxn.send({ topic, messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] });
  await abortedTxn.abort();

  // A marker after the aborted batch proves the consumer read past it.
  const tail = await producer.transaction();
  await tail.send({ topic, messages: [{ value: 'after-abort' }] });
  await tail.commit();
  await producer.disconnect();

  const committedOnly = await consumeAll(uniqueName('smoke-rc'), topic, 3);
  assert.deepEqual(
    committedOnly.map((r) => r.value),
    ['committed-1', 'committed-2', 'after-abort'],
  );
  // The aborted records and the control records still take offsets: the log has gaps a mirror must handle.
  const [end] = await admin.fetchTopicOffsets(topic);
  assert.ok(Number(end!.offset) > 5, `end offset ${end!.offset} counts aborted records and markers`);

  const uncommitted = await consumeAll(uniqueName('smoke-ru'), topic, 5, { readUncommitted: true });
  assert.deepEqual(
    uncommitted.map((r) => r.value),
    ['committed-1', 'committed-2', 'aborted-1', 'aborted-2', 'after-abort'],
  );
});
