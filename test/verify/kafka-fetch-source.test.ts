// KafkaFetchReader (our fetch client) against the real brokers: the same records as the kafkajs reader on a
// topic with every codec and aborted transactions; chosen ranges only; holes (records deleted) and a
// partition held back by an open transaction fail with K2P_VERIFY_INCOMPLETE; a partition whose comparison
// does not take is not read ahead; TLS + SCRAM on the secure Kafka.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../src/errors.js';
import { kafkaClient, type KafkaConnector } from '../../src/kafka/index.js';
import { KafkaFetchReader } from '../../src/verify/kafka-fetch-source.js';
import { KafkaTopicReader, type KafkaReadPlan } from '../../src/verify/kafka-source.js';
import type { KafkaBatch, KafkaSide } from '../../src/verify/records.js';
import { stackOptions } from '../../stack/cli.js';
import { kafkaSecureInfo } from '../../stack/services/kafka-secure.js';
import { freshTopic, transactionalTopic } from '../helpers/kafka-transactions.js';
import { twoBrokers } from '../helpers/kafka-two-brokers.js';
import { cleanup, uniqueName } from '../helpers/stack.js';
import { createSource, freshKafkaTopic, kafka, kafkaConnector } from './fixture.js';

/** Every record of a stream until its end (or its failure: `out` then holds what came before). */
async function drain(stream: AsyncIterator<KafkaBatch>, out: KafkaSide[] = []): Promise<KafkaSide[]> {
  for (;;) {
    const r = await stream.next();
    if (r.done) return out;
    out.push(...r.value.records());
  }
}

async function readWith(reader: KafkaFetchReader | KafkaTopicReader, partitions: number[]): Promise<KafkaSide[][]> {
  try {
    await reader.start();
    return await Promise.all(partitions.map((p) => drain(reader.stream(p))));
  } finally {
    await reader.close();
  }
}

const upTo = (end: number): KafkaReadPlan[] => [{ partition: 0, ranges: [{ from: 0n, to: BigInt(end) }] }];

test('the records the kafkajs reader gives, packed the same: every codec, headers, tombstones; aborted ones left out', { timeout: 120_000 }, async () => {
  const { topic, committed } = await transactionalTopic('verify-fetch');
  const end = Number((await endOffsets(topic))[0]);
  const ours = await readWith(new KafkaFetchReader(kafkaConnector, topic, 1, upTo(end)), [0]);
  const theirs = await readWith(new KafkaTopicReader(kafka, topic, 1, upTo(end)), [0]);
  assert.equal(ours[0]!.length, committed.length);
  assert.deepEqual(ours, theirs);
  assert.deepEqual(
    ours[0]!.map((r) => r.key?.toString() ?? null),
    committed.map((r) => r.key),
  );
});

async function endOffsets(topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => p.high);
  } finally {
    await admin.disconnect();
  }
}

test('only the planned ranges, each offset once; complete and position at the end', { timeout: 60_000 }, async () => {
  const source = await createSource(2, 40);
  const plans: KafkaReadPlan[] = [
    { partition: 0, ranges: [{ from: 3n, to: 7n }, { from: 30n, to: 32n }] },
    { partition: 1, ranges: [{ from: 39n, to: 40n }] },
  ];
  const reader = new KafkaFetchReader(kafkaConnector, source.topic, 2, plans, { maxBytesPerPartition: 300 });
  await reader.start();
  try {
    const [p0, p1] = await Promise.all([drain(reader.stream(0)), drain(reader.stream(1))]);
    assert.deepEqual(p0.map((r) => r.offset), [3, 4, 5, 6, 30, 31]);
    assert.deepEqual(p1.map((r) => r.offset), [39]);
    assert.equal(p0[0]!.value?.toString(), source.records[0]![3]!.value?.toString());
    assert.ok(reader.complete(0) && reader.complete(1));
    assert.equal(reader.position(0), 32);
  } finally {
    await reader.close();
  }
});

test('records deleted after the plan: K2P_VERIFY_INCOMPLETE naming the hole, nothing handed over past it', { timeout: 60_000 }, async () => {
  const gone = await createSource(1, 30);
  const admin = kafka.admin();
  await admin.connect();
  await admin.fetchTopicMetadata({ topics: [gone.topic] });
  await admin.deleteTopicRecords({ topic: gone.topic, partitions: [{ partition: 0, offset: '10' }] });
  await admin.disconnect();
  const reader = new KafkaFetchReader(kafkaConnector, gone.topic, 1, upTo(30));
  const read: KafkaSide[] = [];
  try {
    await reader.start();
    await assert.rejects(drain(reader.stream(0), read), (err: unknown) => isK2pError(err, 'K2P_VERIFY_INCOMPLETE') && /offsets 0\.\.9 cannot be read/.test(String(err)));
    assert.equal(read.length, 0);
    assert.equal(reader.complete(0), false);
  } finally {
    await reader.close();
  }
});

test('a partition held back by an open transaction: no progress within the read timeout fails with K2P_VERIFY_INCOMPLETE', { timeout: 60_000 }, async () => {
  const topic = await freshKafkaTopic('verify-fetch-open', 1);
  const producer = kafka.producer({ transactionalId: uniqueName('k2p-open'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanup(() => producer.disconnect());
  await producer.send({ topic, messages: [{ value: 'before' }] });
  const tx = await producer.transaction();
  cleanup(() => tx.abort().catch(() => undefined));
  await tx.send({ topic, messages: [{ value: 'open' }] });
  // Planned up to the high watermark (2, counting the open transaction's record): read_committed stops
  // before that record until the transaction ends.
  const reader = new KafkaFetchReader(kafkaConnector, topic, 1, upTo(2), { readTimeoutMs: 1500 });
  const started = Date.now();
  const got: KafkaSide[] = [];
  try {
    await reader.start();
    await assert.rejects(
      drain(reader.stream(0), got),
      (err: unknown) => isK2pError(err, 'K2P_VERIFY_INCOMPLETE') && /no progress for 1500 ms.*\[0\] at 1 of 2/.test(String(err)),
    );
    assert.ok(Date.now() - started >= 1400);
    assert.deepEqual(got.map((r) => r.value?.toString()), ['before']);
  } finally {
    await reader.close();
  }
});

test('a topic the cluster does not have (deleted during the run): K2P_VERIFY_INCOMPLETE after the read timeout, no other error', { timeout: 60_000 }, async () => {
  const reader = new KafkaFetchReader(kafkaConnector, uniqueName('verify-fetch-gone'), 1, upTo(10), { readTimeoutMs: 800 });
  try {
    await reader.start();
    await assert.rejects(drain(reader.stream(0)), (err: unknown) => isK2pError(err, 'K2P_VERIFY_INCOMPLETE') && /no progress for 800 ms/.test(String(err)));
  } finally {
    await reader.close();
  }
});

test('back-pressure: a partition whose comparison does not take is not read ahead beyond its queue', { timeout: 120_000 }, async () => {
  const topic = await freshKafkaTopic('verify-fetch-pressure', 1);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 100; i++) // 100 batches of 30: a fetch of 2 KiB brings one or two
    await producer.send({ topic, messages: Array.from({ length: 30 }, (_, j) => ({ value: `${i}:${j}:${'x'.repeat(40)}` })) });
  await producer.disconnect();
  const reader = new KafkaFetchReader(kafkaConnector, topic, 1, upTo(3000), { queueBatches: 2, maxBytesPerPartition: 2048 });
  try {
    await reader.start();
    await new Promise((r) => setTimeout(r, 1000));
    const ahead = reader.position(0)!;
    assert.ok(ahead > 0 && ahead < 200, `read ahead to ${ahead} without a taker`);
    const all = await drain(reader.stream(0));
    assert.equal(all.length, 3000);
    assert.ok(reader.complete(0));
  } finally {
    await reader.close();
  }
});

test('two leaders (the broker behind two proxies that say node 2 leads the odd partitions): each partition fetched from its leader only, every record read', { timeout: 60_000 }, async () => {
  const source = await createSource(4, 50);
  const brokers = await twoBrokers(kafkaConnector.brokers[0]!);
  cleanup(() => brokers.close());
  const plans = [0, 1, 2, 3].map((partition) => ({ partition, ranges: [{ from: 0n, to: 50n }] }));
  const records = await readWith(new KafkaFetchReader({ name: 'two', brokers: [brokers.bootstrap] }, source.topic, 4, plans, { maxBytesPerPartition: 1024 }), [0, 1, 2, 3]);
  assert.deepEqual(records.map((r) => r.length), [50, 50, 50, 50]);
  for (const [p, list] of records.entries()) assert.deepEqual(list.map((r) => r.value?.toString()), source.records[p]!.map((r) => r.value?.toString()));
  assert.deepEqual([...brokers.fetched.get(1)!].sort(), [0, 2]);
  assert.deepEqual([...brokers.fetched.get(2)!].sort(), [1, 3]);
});

test('TLS + SASL SCRAM-SHA-256 (the secure Kafka): every record read', { timeout: 60_000 }, async () => {
  const secure = kafkaSecureInfo(stackOptions());
  const connector: KafkaConnector = {
    name: 'kafka-secure',
    brokers: [...secure.brokers],
    ssl: { ca: secure.ca() },
    sasl: { mechanism: 'scram-sha-256', username: secure.username, password: secure.password() },
  };
  const client = kafkaClient(connector);
  const topic = await freshTopic(client, 'verify-fetch-secure');
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
  const [records] = await readWith(new KafkaFetchReader(connector, topic, 1, upTo(50)), [0]);
  assert.deepEqual(records!.map((r) => r.value?.toString()), Array.from({ length: 50 }, (_, i) => `v${i}`));
});
