// Schema-encoded keys through mapping files (loadConfig → planPair → Mirror, the path `k2p mirror` takes), on the
// real stack. Keys and values are written by confluent-kafka's AvroSerializer (the key under <topic>-key):
//   keys.schema: string   — each framed key becomes its canonical text as the Pulsar partition key, read back by
//                           the official Python client; a plain key stays as it is; a key with an unknown schema id
//                           or a body that does not decode is a dead letter with its reason.
//   keys.schema: keyvalue — the topic gets a KEY_VALUE schema (SEPARATED) in the Java client's layout; the
//                           official Java client (Schema.AUTO_CONSUME) decodes key and value of each message; an
//                           unframed key is a dead letter. (The Python client 3.13 has no KeyValueSchema.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { applyPlan } from '../../src/mirror/provision.js';
import { closePair, mirrorPairs, planPair } from '../../src/mirror/setup.js';
import type { Message } from '../../src/pulsar/client/index.js';
import { frameHeader } from '../../src/schema/index.js';
import { runJavaReferee } from '../helpers/java.js';
import { admin, readStored } from '../helpers/pulsar.js';
import { runReferee } from '../helpers/python.js';
import { committedTo, dropSubjectAfter, endOffsets, mirrorUntil, registryCall } from '../helpers/schema.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';
import { kafkaTopicsForTest, writeRegistryMirrorConfig } from '../helpers/mirror-config.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-schema-keys-test', logLevel: logLevel.NOTHING });

/** A Kafka topic (removed after the file) and a mapping file for it with the given keys.schema. */
async function setup(prefix: string, partitions: number, keySchema: 'string' | 'keyvalue'): Promise<{ topic: string; target: string; dlq: string; file: string }> {
  const topic = uniqueName(prefix);
  const target = `persistent://public/default/${topic}`;
  const dlq = `${target}-dlq`;
  const { file } = writeRegistryMirrorConfig([
    `{ match: ${topic}, to: "persistent://public/default/{topic}", schema: registry, keys: { schema: ${keySchema} }, deadLetter: "persistent://public/default/{topic}-dlq" }`,
  ]);
  await kafkaTopicsForTest([topic], partitions, [target, dlq]);
  dropSubjectAfter(`${topic}-key`);
  dropSubjectAfter(`${topic}-value`);
  return { topic, target, dlq, file };
}

async function latestId(subject: string): Promise<number> {
  const answer = await registryCall('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.id as number;
}

/** Mirrors the mapping file's topic until its end offsets are committed; answers the mirror's status. */
async function mirrorFile(file: string, topic: string, subscribe: string[]): Promise<{ records: number; dead: Message[] }> {
  const config = loadConfig([file]);
  const pair = await planPair(config, mirrorPairs(config)[0]!);
  cleanup(() => closePair(pair));
  for (const plan of pair.plans) await applyPlan(pair.admin, plan);
  for (const t of subscribe) await admin.subscriptions.create(t, 'referee', 'earliest');
  const ends = await endOffsets(kafka, topic);
  const mirror = await mirrorUntil(pair.kafka, pair.pulsar, pair.topics, (m) => committedTo(m, ends));
  const status = mirror.status();
  const dead = await readStored(pair.pulsar, `persistent://public/default/${topic}-dlq`);
  return { records: status.reduce((n, s) => n + s.records, 0), dead };
}

interface PyMessage {
  key: string | null;
  value?: Record<string, unknown>;
  schema_version: number;
}

test('keys.schema: string — Avro keys become canonical string partition keys, read by the official Python client; bad keys are dead letters', { timeout: 300_000 }, async () => {
  const { topic, target, file } = await setup('sch-keys-str', 2, 'string');
  const keySchema = { type: 'record', name: 'OrderKey', namespace: 'k2p.keys', fields: [{ name: 'region', type: 'string' }, { name: 'id', type: 'long' }] };
  const valueSchema = { type: 'record', name: `Val${topic.slice(-8).replace(/-/g, '')}`, namespace: 'k2p.keys', fields: [{ name: 'n', type: 'int' }] };
  const keys = [
    { region: 'eu', id: 1 },
    { region: 'us', id: 2 },
    { region: 'eu', id: 1 },
    { region: 'ap', id: 30000000000 },
    { region: 'eu', id: 1 },
  ];
  await runReferee(
    'kafka_avro_referee.py',
    ['--bootstrap-servers', STACK.kafkaBrokers[0]!, '--registry-url', STACK.registryUrl, 'produce', topic, '--schema', JSON.stringify(valueSchema), '--key-schema', JSON.stringify(keySchema)],
    keys.map((key, n) => ({ key, value: { n } })),
  );
  const keyId = await latestId(`${topic}-key`);
  const valueId = await latestId(`${topic}-value`);
  const value = (n: number) => Buffer.concat([frameHeader(valueId), avro.Type.forSchema(valueSchema as avro.Schema).toBuffer({ n })]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      { key: 'plain-key-7', value: value(10), partition: 0 }, // unframed: stays a plain partition key
      { key: Buffer.concat([frameHeader(987654321), Buffer.from([2, 0x61])]), value: value(11), partition: 0 }, // unknown key schema id
      { key: Buffer.concat([frameHeader(keyId), Buffer.from([0x20, 0x61])]), value: value(12), partition: 1 }, // key body does not decode
    ],
  });
  await producer.disconnect();

  const result = await mirrorFile(file, topic, [target]);
  assert.equal(result.records, 6);
  const dead = result.dead.map((m) => [m.properties['k2p.dlq.code'], m.properties['k2p.dlq.reason']] as const).sort();
  assert.equal(dead.length, 2);
  assert.equal(dead[0]![0], 'K2P_SCH_BODY');
  assert.match(dead[0]![1]!, new RegExp(`key does not decode with its schema \\(registry id ${keyId}, AVRO\\)`));
  assert.equal(dead[1]![0], 'K2P_SCH_UNKNOWN_ID');
  assert.match(dead[1]![1]!, /key: schema id 987654321 is not known to the registry/);

  const read = await runReferee<PyMessage>('pulsar_referee.py', ['--service-url', STACK.pulsarServiceUrl, 'consume', target, '-s', 'referee', '-n', '6', '--schema', `avro:${JSON.stringify(valueSchema)}`]);
  const got = read.lines.map((m) => `${m.key} → ${(m.value as { n: number }).n}`).sort();
  assert.deepEqual(got, [
    'plain-key-7 → 10',
    '{"region":"ap","id":30000000000} → 3',
    '{"region":"eu","id":1} → 0',
    '{"region":"eu","id":1} → 2',
    '{"region":"eu","id":1} → 4',
    '{"region":"us","id":2} → 1',
  ]);
});

interface JavaKv {
  key: Record<string, unknown>;
  value: Record<string, unknown>;
  keyB64: string;
}

test('keys.schema: keyvalue — a KEY_VALUE schema (SEPARATED) in the Java layout; the official Java client decodes key and value', { timeout: 600_000 }, async () => {
  const { topic, target, file } = await setup('sch-keys-kv', 1, 'keyvalue');
  const keySchema = { type: 'record', name: 'CustomerKey', namespace: 'k2p.kv', fields: [{ name: 'tenant', type: 'string' }, { name: 'id', type: 'int' }] };
  const valueSchema = { type: 'record', name: `Kv${topic.slice(-8).replace(/-/g, '')}`, namespace: 'k2p.kv', fields: [{ name: 'name', type: 'string' }, { name: 'score', type: 'double' }] };
  const rows = [
    { key: { tenant: 'a', id: 1 }, value: { name: 'ann', score: 1.5 } },
    { key: { tenant: 'b', id: 2 }, value: { name: 'bob', score: -2 } },
    { key: { tenant: 'a', id: 1 }, value: { name: 'ann2', score: 3.25 } },
  ];
  await runReferee(
    'kafka_avro_referee.py',
    ['--bootstrap-servers', STACK.kafkaBrokers[0]!, '--registry-url', STACK.registryUrl, 'produce', topic, '--schema', JSON.stringify(valueSchema), '--key-schema', JSON.stringify(keySchema)],
    rows,
  );
  const valueId = await latestId(`${topic}-value`);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'not-framed', value: Buffer.concat([frameHeader(valueId), avro.Type.forSchema(valueSchema as avro.Schema).toBuffer({ name: 'x', score: 0 })]) }] });
  await producer.disconnect();

  const result = await mirrorFile(file, topic, []);
  assert.equal(result.records, 3);
  assert.equal(result.dead.length, 1);
  assert.equal(result.dead[0]!.properties['k2p.dlq.code'], 'K2P_SCH_FRAME');
  assert.match(result.dead[0]!.properties['k2p.dlq.reason']!, /the key \(10 bytes\) is not registry-framed .* keys.schema is keyvalue/);

  // The topic's schema, through the admin API: KEY_VALUE with the key and value schemas in the Java layout.
  const schemas = await admin.schemas.all(target);
  assert.equal(schemas.length, 1);
  const stored = schemas[0]!;
  assert.equal(stored.type, 'KEY_VALUE');
  assert.equal(stored.properties?.['kv.encoding.type'], 'SEPARATED');
  assert.equal(stored.properties?.['key.schema.type'], 'AVRO');
  assert.equal(stored.properties?.['value.schema.type'], 'AVRO');
  assert.equal(stored.properties?.['key.schema.name'], 'k2p.kv.CustomerKey');
  // The broker splits the stored data (4-byte lengths) into the two schemas when it renders it as JSON.
  assert.deepEqual(JSON.parse(stored.schema), { key: keySchema, value: valueSchema });

  // The official Java client reads each message with the topic's schema (AUTO_CONSUME): it splits the KEY_VALUE
  // schema data as its KeyValueSchemaInfo does and decodes the key bytes and the payload.
  const java = await runJavaReferee<JavaKv>('KeyValueReferee.java', ['--service-url', STACK.pulsarServiceUrl, '--topic', target, '--subscription', 'kv-referee', '-n', '3']);
  assert.deepEqual(
    java.lines.map((l) => ({ key: l.key, value: l.value })),
    rows,
  );
  const keyType = avro.Type.forSchema(keySchema as avro.Schema);
  assert.deepEqual(
    java.lines.map((l) => Buffer.from(l.keyB64, 'base64')),
    rows.map((r) => keyType.toBuffer(r.key)),
    'the message key is the key body, header stripped',
  );
});
