// confluent-kafka (librdkafka + its AvroSerializer, from PyPI) writes Confluent-framed Avro to our Kafka
// through the local Schema Registry. We read the raw bytes with kafkajs and check the framing ourselves
// (magic byte 0, big-endian int32 schema id that the registry resolves to the schema used), and the official
// AvroDeserializer decodes everything back. Then the schema evolves (v2: a field added with a default).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { runReferee } from '../helpers/python.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-avro-interop', logLevel: logLevel.NOTHING });
let admin: Admin;

before(async () => {
  admin = kafka.admin();
  await admin.connect();
});
after(async () => {
  await admin.disconnect();
});

interface Order {
  id: number;
  customer: string;
  amount: number;
  status: 'NEW' | 'PAID' | 'SHIPPED';
  tags: string[];
  note: string | null;
  currency?: string;
}

interface Delivered {
  topic: string;
  partition: number;
  offset: number;
  key: string;
}

interface Decoded {
  key: string;
  value: Order;
  partition: number;
  offset: number;
  schema_id: number;
}

interface RawRecord {
  key: string;
  partition: number;
  offset: string;
  value: Buffer;
}

const recordName = `Order_${uniqueName('r').slice(2)}`; // a fresh record name: fresh schema content, fresh ids
const schemaV1 = {
  type: 'record',
  name: recordName,
  namespace: 'k2p.interop',
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

function order(i: number): Order {
  return {
    id: 1_700_000_000_000 + i, // beyond int32, exact in a double
    customer: `customer-${i % 7}`,
    amount: 10.25 * i,
    status: (['NEW', 'PAID', 'SHIPPED'] as const)[i % 3]!,
    tags: Array.from({ length: i % 4 }, (_, t) => `tag-${t}`),
    note: i % 5 === 0 ? null : `note ${i} ünïcødé`,
  };
}

function referee(args: string[]) {
  return ['--bootstrap-servers', STACK.kafkaBrokers.join(','), '--registry-url', STACK.registryUrl, ...args];
}

/** Reads `want` raw records from the beginning with a fresh group (kafkajs, no deserializer). */
async function readRaw(topic: string, want: number, timeoutMs = 30_000): Promise<RawRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('avro-raw') });
  const seen: RawRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, timeoutMs);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.push({ key: message.key?.toString() ?? '', partition, offset: message.offset, value: message.value! });
            if (seen.length >= want) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** Magic byte 0 + big-endian int32 schema id: the Confluent wire format. Returns the id. */
function confluentSchemaId(value: Buffer, where: string): number {
  assert.ok(value.length > 5, `${where}: ${value.length} bytes is too short for a Confluent frame`);
  assert.equal(value[0], 0, `${where}: magic byte`);
  return value.readUInt32BE(1);
}

async function registrySchema(id: number): Promise<unknown> {
  const res = await fetch(`${STACK.registryUrl}/schemas/ids/${id}`);
  assert.equal(res.status, 200, `GET /schemas/ids/${id}`);
  const body = (await res.json()) as { schema: string; schemaType?: string };
  assert.equal(body.schemaType ?? 'AVRO', 'AVRO');
  return JSON.parse(body.schema);
}

test('confluent-kafka AvroSerializer records: Confluent framing, registry ids, official decoding, and a v2 schema', async () => {
  const topic = uniqueName('avro-orders');
  const subject = `${topic}-value`; // TopicNameStrategy, the serializer's default
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  cleanup(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await fetch(`${STACK.registryUrl}/subjects/${subject}`, { method: 'DELETE' });
    await fetch(`${STACK.registryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' });
  });

  // 1. Python produces 50 records with schema v1 (auto-registered under <topic>-value).
  const v1Records = Array.from({ length: 50 }, (_, i) => ({ key: `order-${i}`, value: order(i) }));
  const produced = await runReferee<Delivered>(
    'kafka_avro_referee.py',
    referee(['produce', topic, '--schema', JSON.stringify(schemaV1)]),
    v1Records,
  );
  assert.equal(produced.lines.length, 50, produced.stderr);
  assert.deepEqual(new Set(produced.lines.map((l) => l.key)), new Set(v1Records.map((r) => r.key)));
  for (const l of produced.lines) assert.equal(l.topic, topic);

  // 2a. kafkajs reads the raw values: every one is framed with the same schema id, which is the schema we used.
  const raw = await readRaw(topic, 50);
  assert.equal(raw.length, 50);
  const ids1 = new Set(raw.map((r) => confluentSchemaId(r.value, `${r.partition}/${r.offset}`)));
  assert.equal(ids1.size, 1, `one schema id for all v1 records, got ${[...ids1].join(', ')}`);
  const id1 = [...ids1][0]!;
  assert.deepEqual(await registrySchema(id1), schemaV1);
  const subjectV1 = (await fetch(`${STACK.registryUrl}/subjects/${subject}/versions/1`).then((r) => r.json())) as { id: number };
  assert.equal(subjectV1.id, id1, 'the id in the frames is the one registered as version 1 of <topic>-value');
  // The raw records sit where the producer said it delivered them.
  const deliveredAt = new Map(produced.lines.map((l) => [l.key, `${l.partition}/${l.offset}`]));
  for (const r of raw) assert.equal(`${r.partition}/${r.offset}`, deliveredAt.get(r.key), r.key);

  // 2b. The official AvroDeserializer decodes all 50 back to the original values.
  const decoded = await runReferee<Decoded>('kafka_avro_referee.py', referee(['consume', topic, '-n', '50']));
  assert.equal(decoded.lines.length, 50);
  const byKey = new Map(decoded.lines.map((d) => [d.key, d]));
  assert.equal(byKey.size, 50);
  for (const { key, value } of v1Records) {
    const d = byKey.get(key);
    assert.ok(d, `${key} decoded`);
    assert.deepEqual(d.value, value, key);
    assert.equal(d.schema_id, id1);
    assert.equal(`${d.partition}/${d.offset}`, deliveredAt.get(key));
  }

  // 3. v2 adds a field with a default: 10 more records, a new id, version 2 of the same subject.
  const v2Records = Array.from({ length: 10 }, (_, j) => ({
    key: `order-${50 + j}`,
    value: { ...order(50 + j), currency: j % 2 === 0 ? 'USD' : 'CHF' },
  }));
  const produced2 = await runReferee<Delivered>(
    'kafka_avro_referee.py',
    referee(['produce', topic, '--schema', JSON.stringify(schemaV2)]),
    v2Records,
  );
  assert.equal(produced2.lines.length, 10, produced2.stderr);

  const raw2 = await readRaw(topic, 60);
  assert.equal(raw2.length, 60);
  const v2Keys = new Set(v2Records.map((r) => r.key));
  const ids2 = new Set(raw2.filter((r) => v2Keys.has(r.key)).map((r) => confluentSchemaId(r.value, r.key)));
  assert.equal(ids2.size, 1);
  const id2 = [...ids2][0]!;
  assert.notEqual(id2, id1, 'v2 records carry a different schema id');
  for (const r of raw2.filter((x) => !v2Keys.has(x.key))) assert.equal(confluentSchemaId(r.value, r.key), id1);
  assert.deepEqual(await registrySchema(id2), schemaV2);
  const versions = await fetch(`${STACK.registryUrl}/subjects/${subject}/versions`).then((r) => r.json());
  assert.deepEqual(versions, [1, 2]);

  // Both decode, each with its own writer schema: v1 records without `currency`, v2 records with it.
  const all = await runReferee<Decoded>('kafka_avro_referee.py', referee(['consume', topic, '-n', '60']));
  const allByKey = new Map(all.lines.map((d) => [d.key, d]));
  assert.equal(allByKey.size, 60);
  for (const { key, value } of [...v1Records, ...v2Records]) {
    const d = allByKey.get(key)!;
    assert.deepEqual(d.value, value, key);
    assert.equal(d.schema_id, v2Keys.has(key) ? id2 : id1, key);
  }

  // With v2 as the reader schema, the v1 records resolve to the default currency.
  const asV2 = await runReferee<Decoded>(
    'kafka_avro_referee.py',
    referee(['consume', topic, '-n', '60', '--schema', JSON.stringify(schemaV2)]),
  );
  const asV2ByKey = new Map(asV2.lines.map((d) => [d.key, d]));
  assert.equal(asV2ByKey.size, 60);
  for (const { key, value } of v1Records) assert.deepEqual(asV2ByKey.get(key)!.value, { ...value, currency: 'EUR' }, key);
  for (const { key, value } of v2Records) assert.deepEqual(asV2ByKey.get(key)!.value, value, key);
});
