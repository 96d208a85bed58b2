// Interop: Avro and JSON schemas. Our producer registers a schema and sends Avro-encoded (avsc) or JSON
// records that the Python client reads with a typed AvroSchema / JsonSchema consumer; the Python client
// produces typed records that our consumer reads with the right schema version and decodes with avsc.
// The Python (and Java) JsonSchema sends an Avro record definition as the JSON schema's data, so ours does too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import type { Schema } from '../../src/pulsar/protocol/index.js';
import {
  admin,
  freshTopic,
  interopClient,
  pyConsume,
  pyProduce,
  receiveN,
} from '../helpers/pulsar-interop.js';

const client = interopClient();

const DEFINITION = {
  type: 'record',
  name: 'Order',
  namespace: 'k2p.interop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'paid', type: 'boolean' },
    { name: 'qty', type: 'int' },
    { name: 'note', type: ['null', 'string'] },
  ],
} as const;

const RECORDS = [
  { id: 1, customer: 'ada', amount: 12.5, paid: true, qty: 3, note: null },
  { id: 2 ** 40 + 7, customer: 'Zoë 🚀 中文', amount: -0.25, paid: false, qty: -1, note: 'fragile' },
  { id: 3, customer: '', amount: 1e-3, paid: true, qty: 2_000_000_000, note: '' },
];

const avroType = avro.Type.forSchema(DEFINITION as unknown as avro.Schema);

function schemaOf(type: 'Avro' | 'Json'): Schema {
  return { name: DEFINITION.name, type, schemaData: Buffer.from(JSON.stringify(DEFINITION)), properties: [] };
}

/** The 8-byte big-endian schema version as the number the Python client reports. */
function versionNumber(version: Uint8Array | undefined): number {
  assert.ok(version && version.length === 8, 'an 8-byte schema version');
  return Number(Buffer.from(version).readBigInt64BE());
}

for (const kind of ['Avro', 'Json'] as const) {
  const pyKind = kind.toLowerCase();
  const encode = (r: (typeof RECORDS)[number]): Buffer =>
    kind === 'Avro' ? avroType.toBuffer(r) : Buffer.from(JSON.stringify(r));
  const decode = (payload: Buffer): unknown =>
    kind === 'Avro' ? { ...(avroType.fromBuffer(payload) as object) } : JSON.parse(payload.toString());

  for (const batching of [false, true]) {
    test(`${kind} schema, batching ${batching ? 'on' : 'off'}: our producer's records are read by a typed Python ${kind}Schema consumer`, async () => {
      const topic = await freshTopic(`ix-${pyKind}-ours`);
      await admin.subscriptions.create(topic, 'py', 'earliest');
      const producer = await client.createProducer({
        topic,
        schema: schemaOf(kind),
        batching,
        batchingMaxDelayMs: 100,
      });
      const ids = await producer.sendBatch(RECORDS.map((r) => ({ payload: encode(r), key: String(r.id) })));
      await producer.close();
      assert.equal(new Set(ids.map((id) => id.entryId)).size, batching ? 1 : RECORDS.length);

      const registered = await client.schemas.get(topic);
      assert.ok(registered, 'the topic has our schema');
      assert.equal(registered.schema.type, kind);
      assert.deepEqual(JSON.parse(Buffer.from(registered.schema.schemaData).toString()), DEFINITION);

      const got = await pyConsume(topic, 'py', RECORDS.length, {
        schema: `${pyKind}:${JSON.stringify(DEFINITION)}`,
      });
      assert.deepEqual(
        got.map((m) => m.value),
        RECORDS,
      );
      for (const m of got)
        assert.equal(m.schema_version, versionNumber(registered.version), 'schema version of each message');
    });
  }

  test(`${kind} schema: the Python client's typed records reach our consumer with the schema version and decode to the same records`, async () => {
    const topic = await freshTopic(`ix-${pyKind}-py`);
    const consumer = await client.subscribe({ topic, subscription: 'ours', initialPosition: 'Earliest' });
    await pyProduce(
      topic,
      RECORDS.map((r) => ({ value: r, key: String(r.id) })),
      { schema: `${pyKind}:${JSON.stringify(DEFINITION)}` },
    );
    const got = await receiveN(consumer, RECORDS.length);
    await consumer.close();

    // What the Python client registered: an Avro record definition, with type AVRO or JSON.
    const registered = await client.schemas.get(topic);
    assert.ok(registered, 'the topic has the Python client schema');
    assert.equal(registered.schema.type, kind);
    assert.deepEqual(JSON.parse(Buffer.from(registered.schema.schemaData).toString()), DEFINITION);
    for (const m of got)
      assert.deepEqual(m.schemaVersion, registered.version, 'each message carries the registered version');
    // The version the messages carry fetches that same schema.
    const byVersion = await client.schemas.get(topic, got[0]!.schemaVersion);
    assert.deepEqual(byVersion?.schema.schemaData, registered.schema.schemaData);

    const writer = avro.Type.forSchema(
      JSON.parse(Buffer.from(registered.schema.schemaData).toString()) as avro.Schema,
    );
    assert.deepEqual(
      got.map((m) => (kind === 'Avro' ? { ...(writer.fromBuffer(m.payload) as object) } : decode(m.payload))),
      RECORDS,
    );
    assert.deepEqual(
      got.map((m) => m.key),
      RECORDS.map((r) => String(r.id)),
    );
  });

  test(`${kind} schema: our producer joins a topic whose schema the Python client registered, with the same version`, async () => {
    const topic = await freshTopic(`ix-${pyKind}-both`);
    await admin.subscriptions.create(topic, 'py', 'earliest');
    await pyProduce(topic, [{ value: RECORDS[0], key: '1' }], {
      schema: `${pyKind}:${JSON.stringify(DEFINITION)}`,
    });
    const pyVersion = (await client.schemas.get(topic))!.version;
    const producer = await client.createProducer({ topic, schema: schemaOf(kind), batching: false });
    await producer.send({ payload: encode(RECORDS[1]!), key: '2' });
    await producer.close();
    const after = await client.schemas.get(topic);
    assert.ok(after);
    // Our definition is the Python client's (only the JSON whitespace differs): the broker sees the same
    // schema and gives our producer the Python client's version, no new one.
    assert.deepEqual(after.version, pyVersion);
    const got = await pyConsume(topic, 'py', 2, { schema: `${pyKind}:${JSON.stringify(DEFINITION)}` });
    assert.deepEqual(
      got.map((m) => m.value),
      RECORDS.slice(0, 2),
    );
    assert.deepEqual(
      got.map((m) => m.schema_version),
      [versionNumber(pyVersion), versionNumber(after.version)],
    );
  });
}

test('a JSON schema must be an Avro record definition: the broker refuses a draft-07 JSON Schema document', async () => {
  const topic = await freshTopic('ix-json-draft');
  const draft = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Order',
    type: 'object',
    properties: { id: { type: 'integer' } },
    required: ['id'],
  };
  await assert.rejects(
    client.createProducer({
      topic,
      schema: { name: 'Order', type: 'Json', schemaData: Buffer.from(JSON.stringify(draft)), properties: [] },
    }),
    /IncompatibleSchema: Invalid schema definition data for JSON schema/,
  );
});
