// JSON Schema and Protobuf through the Schema Registry into native Pulsar schemas, end to end:
// - JSON Schema: confluent-kafka's JSONSerializer writes v1 then v2 (an optional property added); the topic gets
//   Pulsar JSON schemas in the form Pulsar's clients use (an Avro record definition of the documents), and the
//   official Python client's typed JsonSchema reader — its own schema checked by the broker against ours under
//   FULL compatibility — reads every record.
// - Protobuf: confluent-kafka's ProtobufSerializer writes v1 then v2 of a message that is the second of its file
//   (message index [1]); the topic gets PROTOBUF_NATIVE schemas (FileDescriptorSet + root message), and the
//   official Python client's ProtobufNativeSchema reader reads every record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { MirroredTopic } from '../../src/mirror/mirror.js';
import { protobufType } from '../../src/schema/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { runReferee } from '../helpers/python.js';
import { committedTo, endOffsets, mirrorUntil, registryCall, registryConverter, schemaTopics } from '../helpers/schema.js';
import { STACK, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-schema-json-proto-test', logLevel: logLevel.NOTHING });
const PY = ['--bootstrap-servers', STACK.kafkaBrokers[0]!, '--registry-url', STACK.registryUrl, '--service-url', STACK.pulsarServiceUrl];

interface Read {
  value: Record<string, unknown>;
  key: string | null;
  schema_version: number;
}

test('JSON Schema v1 then v2 become Pulsar JSON schemas that the official Python JsonSchema reader accepts (FULL) and reads right', { timeout: 300_000 }, async () => {
  const t = await schemaTopics(kafka, 'sch-json', 2);
  const title = `Order${uniqueName('j').slice(2).replace(/-/g, '')}`;
  const v1 = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    type: 'object',
    properties: { id: { type: 'integer' }, customer: { type: 'string' }, amount: { type: 'number' }, note: { type: 'string' } },
    required: ['id', 'customer', 'amount'],
    additionalProperties: false,
  };
  const v2 = { ...v1, properties: { ...v1.properties, currency: { type: 'string' } } };
  const value = (i: number) => ({ id: i, customer: `c-${i % 3}`, amount: i + 0.5, ...(i % 2 === 0 ? { note: `n${i}` } : {}), ...(i >= 10 ? { currency: 'USD' } : {}) });
  const produce = (schema: object, from: number) =>
    runReferee('schema_referee.py', [...PY, 'produce-json', t.source, '--schema', JSON.stringify(schema)], Array.from({ length: 10 }, (_, j) => ({ key: `k${from + j}`, value: value(from + j) })));
  await produce(v1, 0);
  await produce(v2, 10);

  const client = testClient();
  await admin.subscriptions.create(t.target, 'referee', 'earliest');
  const topic: MirroredTopic = { source: t.source, target: t.target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' }, deadLetter: t.deadLetter, converter: registryConverter(client, t, { compatibility: 'FULL' }) };
  const ends = await endOffsets(kafka, t.source);
  const mirror = await mirrorUntil(kafka, client, [topic], (m) => committedTo(m, ends));
  assert.equal(mirror.status().reduce((n, p) => n + p.records, 0), 20);

  // Two JSON schemas, each an Avro record definition of the documents.
  const versions = await admin.schemas.all(t.target);
  assert.equal(versions.length, 2);
  const expectedV2 = {
    type: 'record',
    name: title,
    fields: [
      { name: 'id', type: 'long' },
      { name: 'customer', type: 'string' },
      { name: 'amount', type: 'double' },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'currency', type: ['null', 'string'], default: null },
    ],
  };
  const expectedV1 = { ...expectedV2, fields: expectedV2.fields.slice(0, 4) };
  assert.ok(versions.every((v) => v.type === 'JSON'));
  assert.deepEqual(new Set(versions.map((v) => v.schema)), new Set([JSON.stringify(expectedV1), JSON.stringify(expectedV2)]));
  assert.equal(await admin.schemas.compatibility(t.target), 'FULL');

  // The official client subscribes with its own JsonSchema (a Record class; the broker checks it against ours
  // under FULL) and decodes every record into it.
  const { lines } = await runReferee<Read>('schema_referee.py', [...PY, 'consume-json', t.target, '-s', 'referee', '-n', '20', '--class-schema', JSON.stringify(expectedV2)]);
  assert.equal(lines.length, 20);
  for (const m of lines) {
    const i = Number(m.value.id);
    const v = value(i) as Record<string, unknown>;
    assert.deepEqual(m.value, { id: i, customer: v.customer, amount: v.amount, note: v.note ?? null, currency: v.currency ?? null }, `record ${i}`);
    assert.equal(m.key, `k${i}`);
    const schema = versions.find((x) => x.version === m.schema_version)!;
    assert.deepEqual(JSON.parse(schema.schema), i < 10 ? expectedV1 : expectedV2, `record ${i} carries its writer schema's version`);
  }
});

test('Protobuf v1 then v2 (second message of its file, index [1]) become PROTOBUF_NATIVE schemas read right by the official Python ProtobufNativeSchema reader', { timeout: 300_000 }, async () => {
  const t = await schemaTopics(kafka, 'sch-proto', 2);
  const pkg = `k2p.p${uniqueName('x').slice(2).replace(/-/g, '')}`;
  const value = (i: number) => ({
    id: String(1_700_000_000_000 + i),
    customer: `c-${i % 3}`,
    amount: i + 0.25,
    tags: Array.from({ length: i % 3 }, (_, k) => `t${k}`),
    status: (['NEW', 'PAID', 'SHIPPED'] as const)[i % 3],
    header: { source: `s${i}` },
    ...(i >= 10 ? { currency: 'CHF' } : {}),
  });
  const produce = (version: number, from: number) =>
    runReferee('schema_referee.py', [...PY, 'produce-protobuf', t.source, '--package', pkg, '--version', String(version)], Array.from({ length: 10 }, (_, j) => ({ key: `k${from + j}`, value: value(from + j) })));
  await produce(1, 0);
  await produce(2, 10);
  const registered = (await registryCall('GET', `/subjects/${t.source}-value/versions/latest`)).body;
  assert.equal(registered.schemaType, 'PROTOBUF');

  const client = testClient();
  await admin.subscriptions.create(t.target, 'referee', 'earliest');
  const topic: MirroredTopic = { source: t.source, target: t.target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' }, deadLetter: t.deadLetter, converter: registryConverter(client, t, { validateBodies: true }) };
  const ends = await endOffsets(kafka, t.source);
  const mirror = await mirrorUntil(kafka, client, [topic], (m) => committedTo(m, ends));
  assert.equal(mirror.status().reduce((n, p) => n + p.deadLetters, 0), 0);
  assert.equal(mirror.status().reduce((n, p) => n + p.records, 0), 20);

  const versions = await admin.schemas.all(t.target);
  assert.equal(versions.length, 2);
  for (const v of versions) {
    assert.equal(v.type, 'PROTOBUF_NATIVE');
    const data = JSON.parse(v.schema) as { fileDescriptorSet: string; rootMessageTypeName: string; rootFileDescriptorName: string };
    assert.equal(data.rootMessageTypeName, `${pkg}.Order`, 'message index [1] picked the second message');
    assert.equal(data.rootFileDescriptorName, 'order.proto');
  }

  const { lines } = await runReferee<Read>('schema_referee.py', [...PY, 'consume-protobuf', t.target, '-s', 'referee', '-n', '20', '--package', pkg, '--version', '2']);
  assert.equal(lines.length, 20);
  const seen = new Set<number>();
  for (const m of lines) {
    const i = Number(m.value.id) - 1_700_000_000_000;
    seen.add(i);
    const expected: Record<string, unknown> = { ...value(i) };
    if ((expected.tags as string[]).length === 0) delete expected.tags; // proto3: empty repeated fields are not printed
    if (expected.status === 'NEW') delete expected.status; // nor enum zero values
    assert.deepEqual(m.value, expected, `record ${i}`);
    assert.equal(m.key, `k${i}`);
  }
  assert.equal(seen.size, 20);

  // Our own decoder, given the schema as Pulsar stores it, reads the bodies too (descriptor set round trip).
  const stored = JSON.parse(versions[versions.length - 1]!.schema) as { fileDescriptorSet: string };
  assert.ok(Buffer.from(stored.fileDescriptorSet, 'base64').length > 0);
  const latest = await registryCall('GET', `/subjects/${t.source}-value/versions/latest`);
  const type = protobufType({ id: latest.body.id as number, schema: latest.body.schema as string, resolved: [] }, [1]);
  assert.equal(type.fullName, `.${pkg}.Order`);
});
