// KafkaHeaderReader against the real broker: chosen records' headers in wire order (repeats, integer-like
// names, nulls) from one read, across batches and past an aborted transaction; an aborted record, an offset
// past the end, or an unreachable broker fail the whole read with an error — never a partial answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../../src/errors.js';
import { kafkaClient } from '../../../src/kafka/client.js';
import { KafkaCluster } from '../../../src/kafka/wire/cluster.js';
import { connectionSettings } from '../../../src/kafka/wire/from-connector.js';
import { KafkaHeaderReader, type WireHeader } from '../../../src/kafka/wire/header-reader.js';
import { KafkaWireProducer } from '../../../src/kafka/wire/producer.js';
import { runReferee } from '../../helpers/python.js';
import { cleanup, RECENT_TIMESTAMP, STACK, uniqueName } from '../../helpers/stack.js';

const connector = { name: 'kafka-local', brokers: [...STACK.kafkaBrokers] };
const admin = kafkaClient(connector).admin();
const cluster = new KafkaCluster(connector.brokers, connectionSettings(connector));
cleanup(async () => {
  cluster.close();
  await admin.disconnect();
});

const h = (key: string, value: string | null): WireHeader => ({ key, value: value === null ? null : Buffer.from(value) });
const LISTS: WireHeader[][] = [
  [h('a', '1'), h('b', '2'), h('a', '3')],
  [],
  [h('x', 'x'), h('1', null), h('y', ''), h('0', 'zero')],
];
const shown = (list: WireHeader[] | undefined) => list?.map((x) => [x.key, x.value?.toString() ?? null]);

async function freshTopic(): Promise<string> {
  await admin.connect();
  const topic = uniqueName('k2p-header-reader');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  cleanup(() => admin.deleteTopics({ topics: [topic] }).catch(() => undefined));
  return topic;
}

async function send(producer: KafkaWireProducer, topic: string): Promise<number> {
  const [outcome] = await producer.send(topic, [
    { partition: 0, records: LISTS.map((headers, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: RECENT_TIMESTAMP + i, headers })) },
  ]);
  assert.equal(outcome!.error, undefined);
  return outcome!.baseOffset!;
}

test('headers of chosen records in wire order, across batches and an aborted transaction; missing ones fail the read', { timeout: 60_000 }, async () => {
  const topic = await freshTopic();
  const producer = new KafkaWireProducer(cluster);
  const first = await send(producer, topic);
  const { lines, stderr } = await runReferee<{ offset: number }>(
    '../../kafka/python/kafka_codec_referee.py',
    ['--bootstrap-servers', STACK.kafkaBrokers.join(','), 'produce', topic, '--compression', 'lz4', '--transaction', 'abort'],
    [{ key: 'aborted', value: null, partition: 0, headers: [['a', null], ['b', null], ['a', null]] }],
  );
  assert.equal(lines.length, 1, stderr);
  const aborted = lines[0]!.offset;
  const second = await send(producer, topic);
  assert.ok(second > aborted);

  const reader = new KafkaHeaderReader(cluster);
  const read = await reader.read(topic, 0, [first, first + 2, second, second + 2]);
  assert.deepEqual(
    [first, first + 2, second, second + 2].map((o) => shown(read.get(o))),
    [shown(LISTS[0]), shown(LISTS[2]), shown(LISTS[0]), shown(LISTS[2])],
  );
  assert.equal(read.size, 4, 'only the offsets asked for');

  for (const offsets of [[first, aborted], [second + 3], [second + 100]]) {
    await assert.rejects(reader.read(topic, 0, offsets), (err) => isK2pError(err) && err.code === 'K2P_KFK_FETCH', `offsets ${offsets.join(', ')}`);
  }
  // The reader still works after failed reads (the leader is looked up again).
  assert.deepEqual(shown((await reader.read(topic, 0, [first]))?.get(first)), shown(LISTS[0]));
});

test('an unreachable broker fails the read with a retriable error', { timeout: 60_000 }, async () => {
  const closed = new KafkaCluster(['127.0.0.1:1'], { ...connectionSettings(connector), connectTimeoutMs: 2000 });
  try {
    await assert.rejects(new KafkaHeaderReader(closed).read('any', 0, [0]), (err) => isK2pError(err) && err.canRetry);
  } finally {
    closed.close();
  }
});
