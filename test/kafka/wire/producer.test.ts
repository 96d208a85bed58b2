// Our idempotent producer against the real broker (:9092, and TLS + SASL SCRAM on :9094): offsets reported
// are the log's, order kept per partition; a lost answer is retried as the same batch (same sequence) and the
// log holds it once; a NOT_LEADER answer makes it read the metadata again; a batch whose fate is unknown
// moves the producer to a new producer id; errors are K2P_KFK_PRODUCE naming Kafka's error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { K2pError, isK2pError } from '../../../src/errors.js';
import { kafkaClient, type KafkaConnector } from '../../../src/kafka/client.js';
import { parseFetch, writeFetchRequest } from '../../../src/kafka/protocol/fetch.js';
import type { OutgoingRecord } from '../../../src/kafka/protocol/record-batch-writer.js';
import type { RecordBatchView } from '../../../src/kafka/protocol/record-batch.js';
import { KafkaCluster } from '../../../src/kafka/wire/cluster.js';
import type { KafkaConnection } from '../../../src/kafka/wire/connection.js';
import { connectionSettings } from '../../../src/kafka/wire/from-connector.js';
import { KafkaWireProducer } from '../../../src/kafka/wire/producer.js';
import { stackOptions } from '../../../stack/cli.js';
import { kafkaSecureInfo } from '../../../stack/services/kafka-secure.js';
import { walk, type WalkedRecord } from '../../helpers/kafka-records.js';
import { cleanup, RECENT_TIMESTAMP, STACK, uniqueName } from '../../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-test-producer', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topics: string[] = [];
cleanup(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

async function topic(partitions: number, configEntries: { name: string; value: string }[] = []): Promise<string> {
  await admin.connect();
  const name = uniqueName('k2p-wire-produce');
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, configEntries }], waitForLeaders: true });
  topics.push(name);
  return name;
}

const rec = (key: string | null, value: string | null, i = 0, headers: OutgoingRecord['headers'] = []): OutgoingRecord => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp: RECENT_TIMESTAMP + i,
  headers,
});

/** Every record and batch of a partition, read with our fetch path. */
async function readPartition(cluster: KafkaCluster, name: string, partition: number): Promise<{ records: WalkedRecord[]; batches: RecordBatchView[] }> {
  const m = await cluster.metadata([name]);
  const conn = await cluster.node(m.topics[0]!.partitions.find((p) => p.partition === partition)!.leader);
  const r = await conn.call('fetch', (w, v) => writeFetchRequest(w, v, { maxWaitMs: 10, minBytes: 1, maxBytes: 4 << 20, isolationLevel: 0, topic: name, partitions: [{ partition, offset: 0, maxBytes: 4 << 20 }] }), parseFetch);
  const p = r.topics[0]!.partitions[0]!;
  assert.equal(p.errorCode, 0);
  return walk(p.records ?? Buffer.alloc(0));
}

/**
 * A cluster whose connections' Produce calls go through `intercept` (which may call the real one or not):
 * lost answers and leader moves on demand, with the real broker behind.
 */
class InterceptedCluster extends KafkaCluster {
  metadataReads = 0;
  constructor(
    settings = { clientId: 'k2p-test-producer' },
    readonly intercept: (real: () => Promise<unknown>, attempt: number) => Promise<unknown>,
  ) {
    super(STACK.kafkaBrokers, settings);
  }
  private produceCalls = 0;
  override async metadata(names: readonly string[]) {
    this.metadataReads++;
    return super.metadata(names);
  }
  override async node(id: number): Promise<KafkaConnection> {
    const conn = await super.node(id);
    const call = conn.call.bind(conn);
    return Object.assign(Object.create(conn) as KafkaConnection, {
      call: (api: Parameters<KafkaConnection['call']>[0], body: never, parse: never) => (api === 'produce' ? this.intercept(() => call(api, body, parse), this.produceCalls++) : call(api, body, parse)),
    });
  }
}

const lost = () => new K2pError('K2P_KFK_CONNECT', 'Kafka broker test: the connection closed', {});

test('offsets reported are the log\'s: two partitions, several sends, order and content kept, one producer id', async () => {
  const name = await topic(2);
  const cluster = new KafkaCluster(STACK.kafkaBrokers, { clientId: 'k2p-test-producer' });
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster);
  const first = await producer.send(name, [
    { partition: 0, records: [rec('a', '1', 0, [{ key: 'h', value: Buffer.from('x') }]), rec(null, '2', 1), rec('c', null, 2)] },
    { partition: 1, records: [rec('d', '4', 3)] },
  ]);
  assert.deepEqual(first, [
    { partition: 0, baseOffset: 0 },
    { partition: 1, baseOffset: 0 },
  ]);
  const second = await producer.send(name, [{ partition: 0, records: [rec('e', '5', 4), rec('f', '6', 5)] }]);
  assert.deepEqual(second, [{ partition: 0, baseOffset: 3 }]);
  const third = await producer.send(name, [{ partition: 1, records: [rec('g', '7', 6)] }, { partition: 0, records: [rec('h', '8', 7)] }]);
  assert.deepEqual(third, [
    { partition: 1, baseOffset: 1 },
    { partition: 0, baseOffset: 5 },
  ]);
  const p0 = await readPartition(cluster, name, 0);
  assert.deepEqual(
    p0.records.map((r) => [r.offset, r.key, r.value, r.timestamp - RECENT_TIMESTAMP, r.headers]),
    [
      [0, 'a', '1', 0, [['h', 'x']]],
      [1, null, '2', 1, []],
      [2, 'c', null, 2, []],
      [3, 'e', '5', 4, []],
      [4, 'f', '6', 5, []],
      [5, 'h', '8', 7, []],
    ],
  );
  const p1 = await readPartition(cluster, name, 1);
  assert.deepEqual(p1.records.map((r) => [r.offset, r.key]), [[0, 'd'], [1, 'g']]);
  assert.equal(new Set([...p0.batches, ...p1.batches].map((b) => b.producerId)).size, 1, 'one producer id for every batch');
});

test('two sends of one partition at once (both routes of a topic during a flip): one after the other, both in the log', async () => {
  const name = await topic(1);
  const cluster = new KafkaCluster(STACK.kafkaBrokers, { clientId: 'k2p-test-producer' });
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster);
  const [a, b] = await Promise.all([producer.send(name, [{ partition: 0, records: [rec('a', '1')] }]), producer.send(name, [{ partition: 0, records: [rec('b', '2')] }])]);
  assert.deepEqual([a, b], [[{ partition: 0, baseOffset: 0 }], [{ partition: 0, baseOffset: 1 }]]);
  assert.deepEqual((await readPartition(cluster, name, 0)).records.map((r) => [r.offset, r.key]), [[0, 'a'], [1, 'b']]);
});

test('a lost answer: the same batch (same sequence) is sent again, the log holds it once, the offset reported is its own', async () => {
  const name = await topic(1);
  // The first Produce reaches the broker and is written, but its answer is lost.
  const cluster = new InterceptedCluster(undefined, async (real, n) => {
    const answer = await real();
    if (n === 1) throw lost();
    return answer;
  });
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster, { retryBackoffMs: 10 });
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('a', '1')] }]), [{ partition: 0, baseOffset: 0 }]);
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('b', '2'), rec('c', '3')] }]), [{ partition: 0, baseOffset: 1 }], 'the retried batch keeps its offset');
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('d', '4')] }]), [{ partition: 0, baseOffset: 3 }]);
  const { records, batches } = await readPartition(cluster, name, 0);
  assert.deepEqual(records.map((r) => [r.offset, r.key]), [[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd']], 'b and c once, nothing after them doubled');
  assert.equal(new Set(batches.map((b) => b.producerId)).size, 1, 'a retry that succeeded keeps the producer id');
});

test('NOT_LEADER_OR_FOLLOWER: the metadata is read again and the batch sent again', async () => {
  const name = await topic(1);
  const cluster = new InterceptedCluster(undefined, async (real, n) => (n === 0 ? [{ topic: name, partition: 0, errorCode: 6, baseOffset: -1, errorMessage: null }] : real()));
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster, { retryBackoffMs: 10 });
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('a', '1')] }]), [{ partition: 0, baseOffset: 0 }]);
  // Producer id lookup (1) + first leaders (1) + the refresh after NOT_LEADER (1).
  assert.equal(cluster.metadataReads, 3);
  assert.deepEqual((await readPartition(cluster, name, 0)).records.map((r) => r.key), ['a']);
});

test('a batch whose fate stays unknown fails retriable and moves the producer to a new producer id: nothing after it lost or doubled', async () => {
  const name = await topic(1);
  let down = true;
  // While `down`: every Produce is written by the broker but its answer lost.
  const cluster = new InterceptedCluster(undefined, async (real) => {
    const answer = await real();
    if (down) throw lost();
    return answer;
  });
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster, { retries: 2, retryBackoffMs: 10 });
  const [failed] = await producer.send(name, [{ partition: 0, records: [rec('a', '1')] }]);
  assert.ok(failed!.error, 'the send failed');
  assert.ok(isK2pError(failed!.error, 'K2P_KFK_CONNECT') && failed!.error.canRetry);
  down = false;
  const [next] = await producer.send(name, [{ partition: 0, records: [rec('b', '2')] }]);
  // The broker took the unanswered batch once (its retries were duplicates), so b is at offset 1.
  assert.deepEqual(next, { partition: 0, baseOffset: 1 });
  const { records, batches } = await readPartition(cluster, name, 0);
  assert.deepEqual(records.map((r) => [r.offset, r.key]), [[0, 'a'], [1, 'b']]);
  assert.notEqual(batches[0]!.producerId, batches[1]!.producerId, 'b was written under a new producer id');
});

test('errors: unknown topic (K2P_KFK_PRODUCE, UNKNOWN_TOPIC_OR_PARTITION); a batch too large (MESSAGE_TOO_LARGE, not retriable), the next send exact', async () => {
  const cluster = new KafkaCluster(STACK.kafkaBrokers, { clientId: 'k2p-test-producer' });
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster, { retries: 1, retryBackoffMs: 10 });
  const [missing] = await producer.send(uniqueName('k2p-no-such-topic'), [{ partition: 0, records: [rec('a', '1')] }]);
  assert.ok(isK2pError(missing!.error, 'K2P_KFK_PRODUCE'));
  assert.equal(missing!.error.details.kafkaError, 'UNKNOWN_TOPIC_OR_PARTITION');

  const name = await topic(1, [{ name: 'max.message.bytes', value: '2000' }]);
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('a', '1')] }]), [{ partition: 0, baseOffset: 0 }]);
  const [big] = await producer.send(name, [{ partition: 0, records: [rec('b', 'x'.repeat(5000))] }]);
  assert.ok(isK2pError(big!.error, 'K2P_KFK_PRODUCE'));
  assert.equal(big!.error.details.kafkaError, 'MESSAGE_TOO_LARGE');
  assert.equal(big!.error.canRetry, false);
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('c', '3')] }]), [{ partition: 0, baseOffset: 1 }]);
  assert.deepEqual((await readPartition(cluster, name, 0)).records.map((r) => [r.offset, r.key]), [[0, 'a'], [1, 'c']]);
});

test('a partition the topic does not have: retried with fresh metadata, then a non-retriable K2P_KFK_PRODUCE', async () => {
  const name = await topic(1);
  const cluster = new InterceptedCluster(undefined, (real) => real());
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster, { retries: 2, retryBackoffMs: 10 });
  const [out] = await producer.send(name, [{ partition: 3, records: [rec('a', '1')] }]);
  assert.ok(isK2pError(out!.error, 'K2P_KFK_PRODUCE') && !out!.error.canRetry && /partition 3/.test(out!.error.message));
  assert.equal(cluster.metadataReads, 1 + 3, 'producer id lookup, then the leaders read on each of 3 attempts');
});

test('TLS + SASL SCRAM on the secure listener: written, offsets exact, read back', async () => {
  const secure = kafkaSecureInfo(stackOptions());
  const connector: KafkaConnector = {
    name: 'secure',
    brokers: [secure.brokers[0]!],
    ssl: { ca: secure.ca() },
    sasl: { mechanism: secure.mechanisms[0]!, username: secure.username, password: secure.password() },
  };
  const secureAdmin = kafkaClient(connector).admin();
  await secureAdmin.connect();
  const name = uniqueName('k2p-wire-produce-secure');
  await secureAdmin.createTopics({ topics: [{ topic: name, numPartitions: 1 }], waitForLeaders: true });
  cleanup(async () => {
    await secureAdmin.deleteTopics({ topics: [name] }).catch(() => undefined);
    await secureAdmin.disconnect();
  });
  const cluster = new KafkaCluster(connector.brokers, connectionSettings(connector));
  cleanup(() => cluster.close());
  const producer = new KafkaWireProducer(cluster);
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('a', '1'), rec('b', '2')] }]), [{ partition: 0, baseOffset: 0 }]);
  assert.deepEqual(await producer.send(name, [{ partition: 0, records: [rec('c', '3')] }]), [{ partition: 0, baseOffset: 2 }]);
  assert.deepEqual((await readPartition(cluster, name, 0)).records.map((r) => [r.offset, r.key, r.value]), [[0, 'a', '1'], [1, 'b', '2'], [2, 'c', '3']]);
});
