// Layer 3, real stack: `k2p verify` on a registry (Avro) topic compares decoded values — Kafka holds the
// Confluent wire format (magic byte, schema id, Avro body), Pulsar the Avro body under a native AVRO schema,
// as the mirror writes it — so a faithful mirror is identical (exit 0), and a Pulsar message whose Avro
// value differs from its Kafka record's is a `value` divergence at that offset (exit 1).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import type { MirroredTopic } from '../../src/mirror/mirror.js';
import { PROVENANCE } from '../../src/mirror/record-mapping.js';
import { partitionTopic } from '../../src/pulsar/client/index.js';
import { frameHeader } from '../../src/schema/index.js';
import { readStored, testClient } from '../helpers/pulsar.js';
import { committedTo, mirrorUntil, registerSchema, registryConverter, schemaTopics } from '../helpers/schema.js';
import { STACK, uniqueName } from '../helpers/stack.js';
import { runCli } from './fixture.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-verify-schema-test', logLevel: logLevel.NOTHING });
const connectors = join(fileURLToPath(new URL('../..', import.meta.url)), 'connectors/local.yaml');

const schema = {
  type: 'record',
  name: `Order_${uniqueName('v').slice(2).replace(/-/g, '_')}`,
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
const type = avro.Type.forSchema(schema as avro.Schema);
const order = (i: number) => ({ id: i, item: `item-${i % 7}`, note: i % 3 === 0 ? null : `note ${i}` });

interface Report {
  identical: boolean;
  topics: { matched: number }[];
  divergences: { kind: string; partition: number; kafka?: { offset: string } }[];
}

test('k2p verify on an Avro registry topic: a faithful mirror is identical; a different Avro value is a value divergence', { timeout: 300_000 }, async () => {
  const client = testClient();
  // The Pulsar target named so that a mapping template (`{topic}-p`) reaches it.
  const t = await schemaTopics(kafka, 'vschema', 2, (source) => `persistent://public/default/${source}-p`);
  const id = await registerSchema(`${t.source}-value`, JSON.stringify(schema));
  const framed = (i: number) => Buffer.concat([frameHeader(id), type.toBuffer(order(i))]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: t.source,
    messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, key: `k-${i}`, value: framed(i), headers: { trace: `t-${i}` } })),
  });
  const topic: MirroredTopic = { source: t.source, target: t.target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' }, converter: registryConverter(client, t) };
  await mirrorUntil(kafka, client, [topic], (m) => committedTo(m, new Map([[0, 20], [1, 20]])));

  const dir = mkdtempSync(join(tmpdir(), 'k2p-verify-schema-'));
  const mapping = join(dir, 'mapping.yaml');
  writeFileSync(mapping, `source: kafka-local\ntarget: pulsar-local\nregistry: registry-local\ntopics:\n  - match: ${t.source}\n    to: persistent://public/default/{topic}-p\n    schema: registry\n`);
  const verify = async (): Promise<{ code: number | null; report: Report; stderr: string }> => {
    const run = await runCli(['verify', '-c', connectors, '-c', mapping, '--no-positions', '--json']);
    assert.ok(run.stdout.startsWith('{'), `k2p verify exited ${run.code}: ${run.stderr}`);
    return { code: run.code, report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
  };
  const same = await verify();
  assert.deepEqual(
    [same.code, same.report.identical, same.report.topics[0]?.matched],
    [0, true, 40],
    `${JSON.stringify(same.report.divergences.slice(0, 3))}\n${same.stderr}`,
  );

  // Kafka partition 0 offset 20: order 1000. Pulsar: the same record with order 1001's value, written as the
  // mirror writes (provenance, event time, the topic's schema version).
  const at = Date.now();
  const [sent] = await producer.send({ topic: t.source, messages: [{ partition: 0, key: 'k-x', value: framed(1000), timestamp: String(at), headers: { trace: 't-x' } }] });
  await producer.disconnect();
  assert.equal(sent?.baseOffset, '20');
  const stored = await readStored(client, partitionTopic(t.target, 0));
  const model = stored[stored.length - 1]!;
  const p = await client.createProducer({ topic: partitionTopic(t.target, 0) });
  const trace = Object.keys(model.properties).find((name) => name.endsWith('trace'))!;
  await p.send({
    key: 'k-x',
    payload: type.toBuffer(order(1001)),
    eventTime: at,
    schemaVersion: model.schemaVersion,
    properties: { ...model.properties, [PROVENANCE.offset]: '20', [trace]: 't-x' },
  });
  await p.close();
  const changed = await verify();
  assert.equal(changed.code, 1, changed.stderr);
  assert.equal(changed.report.identical, false);
  assert.deepEqual(
    changed.report.divergences.map((d) => [d.kind, d.partition, d.kafka?.offset]),
    [['value', 0, '20']],
    JSON.stringify(changed.report.divergences),
  );
});
