// Schema translation chosen by mapping files, through loadConfig → planPair (the path `k2p mirror` takes):
// schema: registry (Avro via the registry connector), schema: string (UTF-8 required, Pulsar STRING schema) and
// schema: json with an .avsc (JSON values written as typed Avro). Bad values go to the dead-letter topic with
// their reason; the official Python client reads the typed topics.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { applyPlan } from '../../src/mirror/provision.js';
import { closePair, mirrorPairs, planPair } from '../../src/mirror/setup.js';
import { admin, readStored } from '../helpers/pulsar.js';
import { runReferee } from '../helpers/python.js';
import { committedTo, dropSubjectAfter, endOffsets, mirrorUntil, registerSchema } from '../helpers/schema.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';
import { kafkaTopicsForTest, writeRegistryMirrorConfig } from '../helpers/mirror-config.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-schema-config-test', logLevel: logLevel.NOTHING });

interface PyMessage {
  value?: Record<string, unknown>;
  payload_b64: string;
  schema_version: number;
  properties: Record<string, string>;
}

test('mapping files pick registry, string and json (+ .avsc) translation; bad values are dead letters with reasons', { timeout: 300_000 }, async () => {
  const run = uniqueName('cfg').slice(4);
  const names = { avro: `sch-cfg-avro-${run}`, text: `sch-cfg-text-${run}`, json: `sch-cfg-json-${run}` };
  const avsc = { type: 'record', name: 'Reading', namespace: 'k2p.cfg', fields: [{ name: 'sensor', type: 'string' }, { name: 'celsius', type: 'double' }, { name: 'ok', type: 'boolean' }] };
  const { dir } = writeRegistryMirrorConfig(
    [
      `{ match: ${names.avro}, to: "persistent://public/default/{topic}", schema: registry, deadLetter: "persistent://public/default/{topic}-dlq" }`,
      `{ match: ${names.text}, to: "persistent://public/default/{topic}", schema: string, deadLetter: "persistent://public/default/{topic}-dlq" }`,
      `{ match: ${names.json}, to: "persistent://public/default/{topic}", schema: json, avroSchema: reading.avsc, deadLetter: "persistent://public/default/{topic}-dlq" }`,
    ],
    { extra: { 'reading.avsc': JSON.stringify(avsc) } },
  );
  await kafkaTopicsForTest(Object.values(names), 1, Object.values(names).flatMap((n) => [`persistent://public/default/${n}`, `persistent://public/default/${n}-dlq`]));
  dropSubjectAfter(`${names.avro}-value`);

  const schemaV1 = { type: 'record', name: `Cfg${run.replace(/-/g, '')}`, fields: [{ name: 'n', type: 'int' }] };
  await runReferee('kafka_avro_referee.py', ['--bootstrap-servers', STACK.kafkaBrokers[0]!, '--registry-url', STACK.registryUrl, 'produce', names.avro, '--schema', JSON.stringify(schemaV1)], [0, 1, 2].map((n) => ({ key: null, value: { n } })));
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: names.text, messages: [{ value: 'héllo' }, { value: Buffer.from([0xc3, 0x28]) }, { value: 'wörld' }, { value: null }] });
  await producer.send({
    topic: names.json,
    messages: [
      { value: JSON.stringify({ sensor: 's1', celsius: 21.5, ok: true }) },
      { value: '{"sensor": "s2", "celsius": ' },
      { value: JSON.stringify({ sensor: 's3', celsius: 'warm', ok: true }) },
      { value: JSON.stringify({ sensor: 's4', celsius: -3, ok: false }) },
    ],
  });
  await producer.disconnect();

  const config = loadConfig([join(dir, 'k2p.yaml')]);
  const [pairBase] = mirrorPairs(config);
  const pair = await planPair(config, pairBase!);
  cleanup(() => closePair(pair));
  for (const plan of pair.plans) await applyPlan(pair.admin, plan);
  assert.equal(pair.topics.length, 3);
  assert.ok(pair.topics.every((t) => t.converter !== undefined), 'each mapping got its converter');
  for (const t of Object.values(names)) await admin.subscriptions.create(`persistent://public/default/${t}`, 'referee', 'earliest');

  const ends = new Map<string, Map<number, number>>();
  for (const t of Object.values(names)) ends.set(t, await endOffsets(kafka, t));
  const mirror = await mirrorUntil(pair.kafka, pair.pulsar, pair.topics, (m) =>
    Object.values(names).every((t) => committedTo({ status: () => m.status().filter((s) => s.topic === t) } as typeof m, ends.get(t)!)),
  );
  const count = (t: string, f: 'records' | 'deadLetters') => mirror.status().filter((s) => s.topic === t).reduce((n, s) => n + s[f], 0);
  assert.deepEqual([count(names.avro, 'records'), count(names.text, 'records'), count(names.json, 'records')], [3, 3, 2]);
  assert.deepEqual([count(names.text, 'deadLetters'), count(names.json, 'deadLetters')], [1, 2]);

  const schemas = await Promise.all(Object.values(names).map((t) => admin.schemas.latest(`persistent://public/default/${t}`)));
  assert.deepEqual(schemas.map((s) => s?.type), ['AVRO', 'STRING', 'AVRO']);
  assert.deepEqual(JSON.parse(schemas[2]!.schema), avsc);

  const dead = async (t: string) => (await readStored(pair.pulsar, `persistent://public/default/${t}-dlq`)).map((m) => [m.properties['k2p.dlq.code'], m.properties['k2p.dlq.reason']]);
  const textDead = await dead(names.text);
  assert.equal(textDead.length, 1);
  assert.equal(textDead[0]![0], 'K2P_SCH_BODY');
  assert.match(textDead[0]![1]!, /not valid UTF-8/);
  const jsonDead = await dead(names.json);
  assert.deepEqual(jsonDead.map((d) => d[0]), ['K2P_SCH_BODY', 'K2P_SCH_BODY']);
  assert.match(jsonDead[0]![1]!, /not JSON/);
  assert.match(jsonDead[1]![1]!, /does not fit the Avro schema at celsius/);

  // Typed reads by the official client.
  const py = (t: string, n: number, schema: string) => runReferee<PyMessage>('pulsar_referee.py', ['--service-url', STACK.pulsarServiceUrl, 'consume', `persistent://public/default/${t}`, '-s', 'referee', '-n', String(n), '--schema', schema]);
  const avroRead = await py(names.avro, 3, `avro:${JSON.stringify(schemaV1)}`);
  assert.deepEqual(avroRead.lines.map((m) => m.value), [{ n: 0 }, { n: 1 }, { n: 2 }]);
  const textRead = await py(names.text, 3, 'string');
  assert.deepEqual(textRead.lines.map((m) => Buffer.from(m.payload_b64, 'base64').toString()), ['héllo', 'wörld', '']);
  assert.ok(textRead.lines.slice(0, 2).every((m) => m.schema_version === 0));
  const jsonRead = await py(names.json, 2, `avro:${JSON.stringify(avsc)}`);
  assert.deepEqual(jsonRead.lines.map((m) => m.value), [
    { sensor: 's1', celsius: 21.5, ok: true },
    { sensor: 's4', celsius: -3, ok: false },
  ]);
});

test('k2p plan lists the registry subjects and versions of a topic and the Pulsar schemas they become', { timeout: 120_000 }, async () => {
  const topic = uniqueName('sch-plan');
  const { dir } = writeRegistryMirrorConfig([`{ match: ${topic}, to: "persistent://public/default/{topic}", schema: registry }`]);
  await kafkaTopicsForTest([topic], 1);
  const record = { type: 'record', name: `Plan${topic.slice(-8)}`, namespace: 'k2p.plan', fields: [{ name: 'a', type: 'int' }] };
  const id1 = await registerSchema(`${topic}-value`, JSON.stringify(record));
  const id2 = await registerSchema(`${topic}-value`, JSON.stringify({ ...record, fields: [...record.fields, { name: 'b', type: 'string', default: '' }] }));

  const k2p = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [fileURLToPath(new URL('../../bin/k2p.js', import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`k2p ${args.join(' ')} exited ${code}: ${stderr}`))));
    });
  const out = await k2p('plan', '-c', join(dir, 'k2p.yaml'));
  const name = `k2p.plan.${record.name}`;
  assert.match(out, new RegExp(`${topic}: registry ${topic}-value v1 \\(id ${id1}, AVRO\\) → Pulsar Avro ${name}`));
  assert.match(out, new RegExp(`${topic}: registry ${topic}-value v2 \\(id ${id2}, AVRO\\) → Pulsar Avro ${name}`));
  assert.match(out, new RegExp(`${topic}: compatibility: registry NONE → Pulsar ALWAYS_COMPATIBLE`));

  // --json: one JSON document (the whole of stdout parses), each pair with its topic plans and schema plans.
  const json = await k2p('plan', '--json', '-c', join(dir, 'k2p.yaml'));
  const doc = JSON.parse(json) as { source: string; target: string; topics: { source: { name: string } }[]; schemas: { topic: string; subjects: { subject: string; version: number; id: number; pulsar?: { type: string; name: string } }[]; lines: string[] }[] }[];
  assert.equal(doc.length, 1);
  assert.deepEqual([doc[0]!.source, doc[0]!.target], ['kafka-t', 'pulsar-t']);
  assert.deepEqual(doc[0]!.topics.map((t) => t.source.name), [topic]);
  assert.deepEqual(doc[0]!.schemas.map((s) => s.topic), [topic]);
  assert.deepEqual(
    doc[0]!.schemas[0]!.subjects.map((s) => [s.subject, s.version, s.id, s.pulsar?.type, s.pulsar?.name]),
    [
      [`${topic}-value`, 1, id1, 'Avro', name],
      [`${topic}-value`, 2, id2, 'Avro', name],
    ],
  );
  assert.ok(doc[0]!.schemas[0]!.lines.includes('compatibility: registry NONE → Pulsar ALWAYS_COMPATIBLE'));
});
