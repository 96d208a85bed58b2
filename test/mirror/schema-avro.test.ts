// Avro through the Schema Registry into native Pulsar AVRO schemas, end to end on the real stack:
// confluent-kafka's AvroSerializer (Python, from PyPI) writes v1 then v2 records (a field added with a
// default) through the registry; the mirror strips the 5-byte header and registers each writer schema on the
// Pulsar topic; the official Pulsar Python client reads with a typed AvroSchema (reader schema v2) and gets
// every record right, old ones resolved against their writer schema (v1) fetched by schema version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { MirroredTopic } from '../../src/mirror/mirror.js';
import type { SchemaConverter, SchemaConverterOptions } from '../../src/mirror/schema-converter.js';
import { frameHeader } from '../../src/schema/index.js';
import { admin, readStored, testClient } from '../helpers/pulsar.js';
import { runReferee } from '../helpers/python.js';
import { committedTo, endOffsets, mirrorUntil, registerSchema, registryCall, registryConverter as makeConverter, schemaTopics } from '../helpers/schema.js';
import { STACK, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-schema-avro-test', logLevel: logLevel.NOTHING });
const PARTITIONS = 2;

const recordName = `Order_${uniqueName('r').slice(2).replace(/-/g, '_')}`;
const schemaV1 = {
  type: 'record',
  name: recordName,
  namespace: 'k2p.schema',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
const schemaV2 = { ...schemaV1, fields: [...schemaV1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };

function order(i: number): Record<string, unknown> {
  return {
    id: 1_700_000_000_000 + i,
    customer: `customer-${i % 7}`,
    amount: 10.25 * i,
    status: (['NEW', 'PAID', 'SHIPPED'] as const)[i % 3],
    tags: Array.from({ length: i % 4 }, (_, t) => `tag-${t}`),
    note: i % 5 === 0 ? null : `note ${i} ünïcødé`,
  };
}

interface PyMessage {
  topic: string;
  key: string | null;
  value: Record<string, unknown>;
  properties: Record<string, string>;
  schema_version: number;
}

const topicTriple = (prefix: string) => schemaTopics(kafka, prefix, PARTITIONS);

async function produceAvro(topic: string, schema: object, first: number, count: number): Promise<void> {
  const input = Array.from({ length: count }, (_, j) => ({ key: `k-${(first + j) % 5}`, value: order(first + j) }));
  const { lines } = await runReferee('kafka_avro_referee.py', ['--bootstrap-servers', STACK.kafkaBrokers[0]!, '--registry-url', STACK.registryUrl, 'produce', topic, '--schema', JSON.stringify(schema)], input);
  assert.equal(lines.length, count);
}

function registryConverter(topic: { source: string; target: string }, extra: Partial<SchemaConverterOptions> = {}): SchemaConverter {
  return makeConverter(testClient(), topic, extra);
}

test('Avro v1 then v2 records (confluent-kafka AvroSerializer) are read right by the Python client with a typed AvroSchema; the topic has both schema versions', { timeout: 300_000 }, async () => {
  const t = await topicTriple('sch-avro');
  await produceAvro(t.source, schemaV1, 0, 30);
  await produceAvro(t.source, schemaV2, 30, 30);
  const ids = (await registryCall('GET', `/subjects/${t.source}-value/versions`)).body as unknown as number[];
  assert.deepEqual(ids, [1, 2], 'the serializer registered v1 and v2');

  const client = testClient();
  await admin.subscriptions.create(t.target, 'referee', 'earliest');
  const topic: MirroredTopic = { source: t.source, target: t.target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' }, deadLetter: t.deadLetter, converter: registryConverter(t) };
  const ends = await endOffsets(kafka, t.source);
  const mirror = await mirrorUntil(kafka, client, [topic], (m) => committedTo(m, ends));
  assert.equal(mirror.status().reduce((n, p) => n + p.records, 0), 60);
  assert.equal(mirror.status().reduce((n, p) => n + p.deadLetters, 0), 0);

  // The Pulsar topic holds both writer schemas, as AVRO (versions numbered in the order records first used
  // them: two partitions race, so either order is right).
  const versions = await admin.schemas.all(t.target);
  assert.equal(versions.length, 2);
  assert.ok(versions.every((v) => v.type === 'AVRO'));
  const stored = new Map(versions.map((v) => [v.version, JSON.parse(v.schema) as unknown]));
  assert.deepEqual(new Set([...stored.values()].map((v) => JSON.stringify(v))), new Set([JSON.stringify(schemaV1), JSON.stringify(schemaV2)]));
  // The registry's level (NONE on this stack, no subject level) became the topic's strategy.
  assert.equal(await admin.schemas.compatibility(t.target), 'ALWAYS_COMPATIBLE');

  // The official client, typed: reader schema v2; v1 records come out with the default currency.
  const { lines, stderr } = await runReferee<PyMessage>('pulsar_referee.py', ['--service-url', STACK.pulsarServiceUrl, 'consume', t.target, '-s', 'referee', '-n', '60', '--schema', `avro:${JSON.stringify(schemaV2)}`, '--timeout', '60']);
  assert.doesNotMatch(stderr, /Failed to decode/, 'every message decoded with its writer schema');
  assert.equal(lines.length, 60);
  const byId = new Map(lines.map((m) => [Number(m.value.id) - 1_700_000_000_000, m]));
  for (let i = 0; i < 60; i++) {
    const m = byId.get(i);
    assert.ok(m, `record ${i} read`);
    assert.deepEqual(m.value, { ...order(i), currency: 'EUR' }, `record ${i}`);
    assert.deepEqual(stored.get(m.schema_version), i < 30 ? schemaV1 : schemaV2, `record ${i} carries the Pulsar version of its writer schema`);
    assert.equal(m.key, `k-${i % 5}`);
    assert.equal(m.properties['k2p.topic'], t.source);
  }
});

test('unknown schema id, corrupt body, not framed and an incompatible change go to the dead-letter topic with their reasons; other records keep flowing', { timeout: 300_000 }, async () => {
  const t = await topicTriple('sch-avro-dlq');
  await produceAvro(t.source, schemaV1, 0, 4);
  const v1Id = (await registryCall('GET', `/subjects/${t.source}-value/versions/1`)).body.id as number;
  // v2 changes a field's type (long → string): the registry (compatibility NONE) takes it; Pulsar under BACKWARD must not.
  const breaking = { ...schemaV1, fields: schemaV1.fields.map((f) => (f.name === 'id' ? { name: 'id', type: 'string' } : f)) };
  const breakingId = await registerSchema(`${t.source}-breaking`, JSON.stringify(breaking));
  const good = (await runReferee<{ offset: number }>('kafka_avro_referee.py', ['--registry-url', STACK.registryUrl, '--bootstrap-servers', STACK.kafkaBrokers[0]!, 'produce', t.source, '--schema', JSON.stringify(schemaV1)], [{ key: 'x', value: order(99) }])).lines;
  assert.equal(good.length, 1);

  // Raw records on partition 0, after the 4 good ones written above (which may be on either partition).
  const producer = kafka.producer();
  await producer.connect();
  const validBody = (await readFirstBody(t.source))!;
  await producer.send({
    topic: t.source,
    messages: [
      { partition: 0, key: 'before', value: Buffer.concat([frameHeader(v1Id), validBody]) },
      { partition: 0, key: 'unknown', value: Buffer.concat([frameHeader(1_999_999_999), validBody]) },
      { partition: 0, key: 'corrupt', value: Buffer.concat([frameHeader(v1Id), Buffer.from([0xff, 0xff, 0xff])]) },
      { partition: 0, key: 'not-framed', value: Buffer.from('{"id": 1}') },
      { partition: 0, key: 'incompatible', value: Buffer.concat([frameHeader(breakingId), Buffer.from([0x02, 0x31]), validBody.subarray(0, 0)]) },
      { partition: 0, key: 'after', value: Buffer.concat([frameHeader(v1Id), validBody]) },
    ],
  });
  await producer.disconnect();

  const client = testClient();
  const logs: string[] = [];
  const topic: MirroredTopic = {
    source: t.source,
    target: t.target,
    persistent: true,
    mapping: { provenance: true, headerEncoding: 'lossless' },
    deadLetter: t.deadLetter,
    converter: registryConverter(t, { compatibility: 'BACKWARD', validateBodies: true, log: (e, f) => logs.push(`${e} ${JSON.stringify(f)}`) }),
  };
  const ends = await endOffsets(kafka, t.source);
  const mirror = await mirrorUntil(kafka, client, [topic], (m) => committedTo(m, ends));
  const dead = await readStored(client, t.deadLetter);
  assert.equal(mirror.status().reduce((n, p) => n + p.deadLetters, 0), 4, `${logs.join('\n')}\n${dead.map((m) => `${m.key} ${m.properties['k2p.dlq.reason']}`).join('\n')}`);
  assert.equal(mirror.status().reduce((n, p) => n + p.records, 0), 7, 'the 5 good records, the one before and the one after the bad ones');
  assert.equal(await admin.schemas.compatibility(t.target), 'BACKWARD');

  const byKey = new Map(dead.map((m) => [m.key, m.properties]));
  assert.equal(byKey.size, 4);
  assert.equal(byKey.get('unknown')?.['k2p.dlq.code'], 'K2P_SCH_UNKNOWN_ID');
  assert.match(byKey.get('unknown')!['k2p.dlq.reason']!, /schema id 1999999999 is not known/);
  assert.equal(byKey.get('corrupt')?.['k2p.dlq.code'], 'K2P_SCH_BODY');
  assert.equal(byKey.get('not-framed')?.['k2p.dlq.code'], 'K2P_SCH_FRAME');
  assert.match(byKey.get('not-framed')!['k2p.dlq.reason']!, /not the schema registry magic byte/);
  assert.equal(byKey.get('incompatible')?.['k2p.dlq.code'], 'K2P_SCH_INCOMPATIBLE');
  assert.match(byKey.get('incompatible')!['k2p.dlq.reason']!, /IncompatibleSchema/);
  // The dead letters keep the original bytes, header included.
  const corrupt = dead.find((m) => m.key === 'corrupt')!;
  assert.deepEqual(corrupt.payload, Buffer.concat([frameHeader(v1Id), Buffer.from([0xff, 0xff, 0xff])]));
  // Only the writer schema v1 reached the topic.
  assert.equal((await admin.schemas.all(t.target)).length, 1);
});

test('without a dead-letter topic the partition pauses at an unknown schema id, and status() says why', { timeout: 300_000 }, async () => {
  const t = await topicTriple('sch-avro-pause');
  await produceAvro(t.source, schemaV1, 0, 1);
  const validBody = (await readFirstBody(t.source))!;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: t.source,
    messages: [
      { partition: 1, key: 'unknown', value: Buffer.concat([frameHeader(1_999_999_998), validBody]) },
      { partition: 1, key: 'blocked', value: validBody },
    ],
  });
  await producer.disconnect();
  const client = testClient();
  const topic: MirroredTopic = { source: t.source, target: t.target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' }, converter: registryConverter(t) };
  const ends = await endOffsets(kafka, t.source);
  const paused = (m: { status(): { partition: number; paused?: unknown }[] }) => m.status().some((p) => p.partition === 1 && p.paused !== undefined);
  const mirror = await mirrorUntil(kafka, client, [topic], (m) => paused(m) && committedTo(m, new Map([...ends].filter(([p]) => p !== 1))));
  const p1 = mirror.status().find((p) => p.partition === 1)!;
  assert.ok(p1.paused);
  assert.equal(p1.paused.error.code, 'K2P_MIRROR_PAUSED');
  assert.equal(p1.paused.error.details.cause, 'K2P_SCH_UNKNOWN_ID');
  assert.match(p1.paused.error.message, /schema id 1999999998/);
  const ends1 = ends.get(1)!;
  assert.equal(p1.paused.offset, String(ends1 - 2), 'paused at the unknown-id record, not after it');
});

/** The Avro body (header stripped) of the first record of the topic. */
async function readFirstBody(topic: string): Promise<Buffer | undefined> {
  const consumer = kafka.consumer({ groupId: uniqueName('k2p-schema-peek') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let body: Buffer | undefined;
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (body === undefined && message.value) body = message.value.subarray(5);
    },
  });
  const deadline = Date.now() + 30_000;
  while (body === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return body;
}
