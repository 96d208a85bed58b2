// Header order through the mirror. kafkajs hands headers over as an object, so `a=1, b=2, a=3` would reach
// Pulsar as `a=1, a=3, b=2` and `x, 1, y, 0` as `0, 1, x, y`; the mirror reads such records again with our
// own fetch client. Records with interleaved repeats, integer-like names, null and binary values, names
// Object.prototype has, and plain ones are written by our producer (uncompressed), by librdkafka (lz4) and in
// an aborted and a committed gzip transaction; each stored message must decode to the record's exact header
// list, and verify (our fetch reader against Pulsar) must call the copy identical.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaClient } from '../../src/kafka/client.js';
import { KafkaCluster } from '../../src/kafka/wire/cluster.js';
import { connectionSettings } from '../../src/kafka/wire/from-connector.js';
import { KafkaWireProducer } from '../../src/kafka/wire/producer.js';
import { ambiguousHeaderOrder } from '../../src/mirror/header-order.js';
import { Mirror } from '../../src/mirror/mirror.js';
import { fromPulsarMessage, type KafkaHeader } from '../../src/mirror/record-mapping.js';
import { formatReport, verify } from '../../src/verify/index.js';
import { mirrorTopics } from '../helpers/mirror-fault.js';
import { admin, readStored, testClient } from '../helpers/pulsar.js';
import { runReferee } from '../helpers/python.js';
import { RECENT_TIMESTAMP, STACK, uniqueName } from '../helpers/stack.js';

const kafkaConnector = { name: 'kafka-local', brokers: [...STACK.kafkaBrokers] };
const kafka = kafkaClient(kafkaConnector); // registers the lz4 codec kafkajs needs

const h = (key: string, value: string | Buffer | null): KafkaHeader => ({ key, value: typeof value === 'string' ? Buffer.from(value) : value });
/** Header lists of the records, each written by every producer below; `fast`: kafkajs's object keeps the order. */
const CASES: { headers: KafkaHeader[]; fast: boolean }[] = [
  { headers: [], fast: true },
  { headers: [h('trace', 't1'), h('span', 's1')], fast: true },
  { headers: [h('a', '1'), h('b', '2'), h('a', '3')], fast: false },
  { headers: [h('x', 'x1'), h('1', 'one'), h('y', 'y1'), h('0', 'zero')], fast: false },
  { headers: [h('a', null), h('b', '2'), h('a', '3'), h('b', null), h('c', '')], fast: false },
  { headers: [h('n', Buffer.from([0xff, 0x00])), h('m', 'x'), h('n', null), h('42', Buffer.from([0xc3]))], fast: false },
  { headers: [h('r', '1'), h('r', '2')], fast: true },
  { headers: [h('t', '1'), h('r', '1'), h('r', null)], fast: true },
  { headers: [h('7', 'only')], fast: true },
  { headers: [h('constructor', 'c'), h('z', '1')], fast: false },
  { headers: [h('__proto__', 'p')], fast: false },
];

/** Writes every case with librdkafka (the codec referee); each case's offset. */
async function produceWithLibrdkafka(topic: string, compression: string, tag: string, transaction?: 'commit' | 'abort'): Promise<number[]> {
  const args = ['--bootstrap-servers', STACK.kafkaBrokers.join(','), 'produce', topic, '--compression', compression];
  if (transaction) args.push('--transaction', transaction);
  const input = CASES.map((c, i) => ({
    key: `${tag}-${i}`,
    value: Buffer.from(`${tag}-value-${i}`).toString('base64'),
    headers: c.headers.map((x) => [x.key, x.value?.toString('base64') ?? null]),
    partition: 0,
  }));
  const { lines, stderr } = await runReferee<{ offset: number; key: string }>('../../kafka/python/kafka_codec_referee.py', args, input);
  assert.equal(lines.length, CASES.length, stderr);
  const offsets: number[] = [];
  for (const l of lines) offsets[Number(l.key.slice(tag.length + 1))] = l.offset;
  return offsets;
}

/** The object kafkajs's record decoder builds (kafkajs/src/protocol/recordBatch/record/v0/decoder.js). */
function kafkajsObject(list: KafkaHeader[]): Record<string, Buffer | null | (Buffer | null)[]> {
  type Obj = Record<string, Buffer | null | (Buffer | null)[]>;
  return list.reduce<Obj>((obj, { key, value }) => ({ ...obj, [key]: obj[key] === undefined ? value : Array.isArray(obj[key]) ? obj[key].concat([value]) : [obj[key]!, value] }), {});
}

test('kafkajs header objects: which shapes keep the record order', () => {
  for (const c of CASES) assert.equal(ambiguousHeaderOrder(kafkajsObject(c.headers)), !c.fast, JSON.stringify(c.headers.map((x) => x.key)));
  assert.equal(ambiguousHeaderOrder(undefined), false);
  assert.equal(ambiguousHeaderOrder([h('b', '1'), h('a', '2'), h('b', '3')]), false, 'an ordered list is never ambiguous');
});

test('the mirror keeps every record header order, uncompressed, lz4 and in transactions', { timeout: 240_000 }, async () => {
  const { source, target, kafkaAdmin } = await mirrorTopics(kafka, 'header-order', 1);
  const expected = new Map<number, { headers: KafkaHeader[]; value: string }>();

  // Our producer: one uncompressed batch.
  const cluster = new KafkaCluster(kafkaConnector.brokers, connectionSettings(kafkaConnector));
  try {
    const [outcome] = await new KafkaWireProducer(cluster).send(source, [
      { partition: 0, records: CASES.map((c, i) => ({ key: Buffer.from(`wire-${i}`), value: Buffer.from(`wire-value-${i}`), timestamp: RECENT_TIMESTAMP + i, headers: c.headers })) },
    ]);
    assert.equal(outcome!.error, undefined);
    CASES.forEach((c, i) => expected.set(outcome!.baseOffset! + i, { headers: c.headers, value: `wire-value-${i}` }));
  } finally {
    cluster.close();
  }
  // librdkafka: an lz4 batch, an aborted gzip transaction (never mirrored), a committed gzip transaction.
  (await produceWithLibrdkafka(source, 'lz4', 'lz4')).forEach((o, i) => expected.set(o, { headers: CASES[i]!.headers, value: `lz4-value-${i}` }));
  const aborted = await produceWithLibrdkafka(source, 'gzip', 'aborted', 'abort');
  (await produceWithLibrdkafka(source, 'gzip', 'tx', 'commit')).forEach((o, i) => expected.set(o, { headers: CASES[i]!.headers, value: `tx-value-${i}` }));
  assert.equal(expected.size, CASES.length * 3);
  const end = BigInt((await kafkaAdmin.fetchTopicOffsets(source))[0]!.high);

  const client = testClient();
  const events: string[] = [];
  const mirror = new Mirror({
    kafka,
    kafkaConnector,
    pulsar: client,
    groupId: uniqueName('k2p-header-order'),
    topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }],
    log: (event, fields) => events.push(`${event} ${JSON.stringify(fields)}`),
  });
  try {
    await mirror.start();
    const deadline = Date.now() + 90_000;
    while (mirror.status()[0]?.committedOffset !== end - 1n) {
      assert.ok(Date.now() < deadline, `mirror did not reach offset ${end - 1n}: ${JSON.stringify(mirror.status(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}\n${events.join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await mirror.stop();
  }

  const stored = await readStored(client, `${target}-partition-0`);
  assert.deepEqual(
    stored.map((m) => Number(m.sequenceId)),
    [...expected.keys()].sort((a, b) => a - b),
    'every committed record once, in offset order; no aborted one',
  );
  for (const m of stored) {
    const offset = Number(m.sequenceId);
    const back = fromPulsarMessage(m);
    const want = expected.get(offset)!;
    assert.ok(!aborted.includes(offset));
    assert.equal(back.value?.toString(), want.value, `offset ${offset}: value`);
    assert.deepEqual(
      back.headers.map((x) => [x.key, x.value === null ? null : x.value.toString('hex')]),
      want.headers.map((x) => [x.key, x.value === null ? null : x.value.toString('hex')]),
      `offset ${offset} (${want.value}): headers in record order`,
    );
  }

  // verify, reading Kafka with our fetch client, finds the copy identical (headers compared in order).
  const report = await verify({ kafka, kafkaConnector, kafkaThread: false, pulsar: client, pulsarAdmin: admin, pairs: [{ kafkaTopic: source, pulsarTopic: target }] });
  assert.ok(report.identical, formatReport(report));
  assert.equal(report.topics[0]!.matched, expected.size);
  await client.close();
});

test('without a Kafka connector, a batch holding such a record fails and comes again; nothing is written', { timeout: 120_000 }, async () => {
  const { source, target } = await mirrorTopics(kafka, 'header-order-noconn', 1);
  const cluster = new KafkaCluster(kafkaConnector.brokers, connectionSettings(kafkaConnector));
  try {
    const [outcome] = await new KafkaWireProducer(cluster).send(source, [
      { partition: 0, records: [[], CASES[2]!.headers, []].map((headers, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: RECENT_TIMESTAMP + i, headers })) },
    ]);
    assert.equal(outcome!.error, undefined);
  } finally {
    cluster.close();
  }
  // kafkajs logs each failed eachBatch before it fetches the batch again.
  const failures: unknown[] = [];
  const quiet = () => undefined;
  const logger = { debug: quiet, info: quiet, warn: quiet, error: (fields: object) => failures.push((fields as { error?: { code?: string } }).error?.code) };
  const client = testClient();
  const mirror = new Mirror({
    kafka: kafkaClient(kafkaConnector, logger),
    pulsar: client,
    groupId: uniqueName('k2p-header-order-noconn'),
    topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }],
  });
  try {
    await mirror.start();
    const deadline = Date.now() + 60_000;
    while (failures.filter((c) => c === 'K2P_MIRROR_CONFIG').length < 2) {
      assert.ok(Date.now() < deadline, `no repeated K2P_MIRROR_CONFIG batch failure; kafkajs errors: ${JSON.stringify(failures)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await mirror.stop();
  }
  assert.equal((await readStored(client, `${target}-partition-0`)).length, 0, 'nothing of the batch in Pulsar');
  assert.equal(mirror.status().length, 0, 'no progress recorded');
  await client.close();
});
