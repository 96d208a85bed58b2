// The avro, jsonschema and protobuf embedded formats against the real stack (Kafka, Pulsar, the registry), in
// each route: v2 produce with schema text and with schema ids (the registry answers the ids Confluent would
// give), v3 produce with AVRO/JSONSCHEMA/PROTOBUF data, consumers decoding to JSON, the bytes each side holds
// (Kafka: the Confluent wire format; Pulsar: what the mirror writes — body + the translated schema's version,
// which the verifier's registry comparator pairs with the Kafka record), and refusals that write nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import type { Route } from '../../src/facade/route-table.js';
import { MessageId, type Message } from '../../src/pulsar/client/index.js';
import { RegistryClient, readFrame, readProtobufFrame } from '../../src/schema/index.js';
import { registryComparator } from '../../src/verify/schema-values.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { runReferee } from '../helpers/python.js';
import { dropSubjectAfter } from '../helpers/schema.js';
import { STACK, uniqueName } from '../helpers/stack.js';
import { call, pollN } from './consumer-helpers.js';
import { fixture, kafka, topics } from './fixture.js';
import { AVRO, JSONSCHEMA, ORDER_AVSC, ORDER_JSON_SCHEMA, ORDER_PROTO, PROTOBUF, schemaConfig, schemaFacade } from './schema-fixture.js';

interface RawRecord {
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

async function readKafkaRaw(topic: string, expected: number): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('fsch-raw') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({ partition, offset: BigInt(message.offset), key: message.key, value: message.value });
        if (out.length >= expected) done();
      },
    });
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${out.length} of ${expected} Kafka records`)), 60_000))]);
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

async function readPulsarRaw(pulsarTopic: string): Promise<Message[]> {
  const client = testClient();
  const physical = `${pulsarTopic}-partition-0`;
  const out: Message[] = [];
  if ((await admin.topics.lastMessageId(physical)).entryId < 0n) return out;
  const reader = await client.createReader({ topic: physical, startMessageId: MessageId.earliest });
  while (await reader.hasMessageAvailable()) out.push(await reader.readNext(10_000));
  await reader.close();
  await client.close();
  return out;
}

const registry = new RegistryClient({ url: STACK.registryUrl });

for (const route of ['kafka', 'pulsar', 'dual'] as Route[]) {
  test(`route ${route}: v2 and v3 produce in avro, jsonschema and protobuf; consumers decode; each side holds what it should`, { timeout: 240_000 }, async () => {
    const t = { avro: await topics(`fsch-avro-${route}`, 1), json: await topics(`fsch-json-${route}`, 1), proto: await topics(`fsch-proto-${route}`, 1) };
    for (const x of Object.values(t)) for (const part of ['key', 'value']) dropSubjectAfter(`${x.topic}-${part}`);
    const app = schemaFacade(schemaConfig([t.avro.topic, t.json.topic, t.proto.topic], route));
    const post = async (topic: string, type: string, payload: unknown) => {
      const res = await app.inject({ method: 'POST', url: `/topics/${topic}`, headers: { 'content-type': type }, payload: JSON.stringify(payload) });
      return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
    };

    // ---- avro: schema text, then the id the registry gave
    const a1 = await post(t.avro.topic, AVRO, {
      key_schema: '"string"',
      value_schema: ORDER_AVSC,
      records: [
        { key: 'o-1', value: { id: 1, item: 'tea', note: { string: 'green' } } },
        { key: 'o-2', value: { id: 2, item: 'cake', note: null } },
      ],
    });
    assert.equal(a1.status, 200, JSON.stringify(a1.body));
    const keyId = a1.body.key_schema_id as number;
    const valueId = a1.body.value_schema_id as number;
    assert.equal(typeof keyId, 'number');
    assert.equal(typeof valueId, 'number');
    assert.equal((await registry.subjectVersion(`${t.avro.topic}-value`, 'latest')).id, valueId, 'registered under <topic>-value');
    const a2 = await post(t.avro.topic, AVRO, { value_schema_id: valueId, records: [{ value: { id: 3, item: 'pie', note: null } }] });
    assert.equal(a2.status, 200, JSON.stringify(a2.body));
    assert.deepEqual([a2.body.key_schema_id, a2.body.value_schema_id], [null, valueId]);
    assert.deepEqual((a2.body.offsets as { offset: number }[]).map((o) => o.offset), [2]);

    // refusals write nothing: a value that does not fit, an unknown id, an invalid schema, a missing schema
    const bad = await post(t.avro.topic, AVRO, { value_schema_id: valueId, records: [{ value: { id: 4, item: 'ok', note: null } }, { value: { id: 'five', item: 'x' } }] });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.equal(bad.body.error_code, 42203);
    const unknown = await post(t.avro.topic, AVRO, { value_schema_id: 1_999_999_991, records: [{ value: { id: 4 } }] });
    assert.deepEqual([unknown.status, unknown.body.error_code], [422, 42205], JSON.stringify(unknown.body));
    const invalid = await post(t.avro.topic, AVRO, { value_schema: '{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}', records: [{ value: { a: 1 } }] });
    assert.deepEqual([invalid.status, invalid.body.error_code], [422, 42205], JSON.stringify(invalid.body));
    const missing = await post(t.avro.topic, AVRO, { records: [{ value: { id: 4 } }] });
    assert.deepEqual([missing.status, missing.body.error_code], [422, 42202], JSON.stringify(missing.body));
    const missingKey = await post(t.avro.topic, AVRO, { value_schema_id: valueId, records: [{ key: 'k', value: { id: 4, item: 'x', note: null } }] });
    assert.deepEqual([missingKey.status, missingKey.body.error_code], [422, 42201], JSON.stringify(missingKey.body));

    // v3: AVRO by schema_id, and by the subject's latest version (type alone); a bad one refuses the whole batch
    const cluster = (await call(app, 'GET', '/v3/clusters')).body as { data: { cluster_id: string }[] };
    const cid = cluster.data[0]!.cluster_id;
    const v3 = await app.inject({
      method: 'POST',
      url: `/v3/clusters/${cid}/topics/${t.avro.topic}/records`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ key: { type: 'AVRO', schema_id: keyId, data: 'o-5' }, value: { type: 'AVRO', data: { id: 5, item: 'bun', note: { string: 'v3' } } } }),
    });
    assert.equal(v3.statusCode, 200, v3.body);
    const rep = v3.json<{ offset: number; key: Record<string, unknown>; value: Record<string, unknown> }>();
    assert.equal(rep.offset, 3);
    assert.equal(rep.key.type, 'AVRO');
    assert.equal(rep.key.schema_id, keyId);
    assert.deepEqual([rep.value.type, rep.value.schema_id, rep.value.subject], ['AVRO', valueId, `${t.avro.topic}-value`]);
    const batch = await app.inject({
      method: 'POST',
      url: `/v3/clusters/${cid}/topics/${t.avro.topic}/records:batch`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ entries: [{ id: 'a', value: { type: 'AVRO', schema_id: valueId, data: { id: 6, item: 'ok', note: null } } }, { id: 'b', value: { type: 'AVRO', schema_id: valueId, data: { id: 7 } } }] }),
    });
    assert.equal(batch.statusCode, 207, batch.body);
    const b = batch.json<{ successes: unknown[]; failures: { id: string; error_code: number }[] }>();
    assert.equal(b.successes.length, 0);
    assert.deepEqual(b.failures.map((f) => f.id), ['a', 'b']);

    // ---- jsonschema and protobuf
    const j = await post(t.json.topic, JSONSCHEMA, { value_schema: ORDER_JSON_SCHEMA, records: [{ value: { id: 1, item: 'tea' } }, { value: { id: 2, item: 'cake' } }] });
    assert.equal(j.status, 200, JSON.stringify(j.body));
    const jBad = await post(t.json.topic, JSONSCHEMA, { value_schema_id: j.body.value_schema_id, records: [{ value: { id: 3, item: 'x', extra: true } }] });
    assert.deepEqual([jBad.status, jBad.body.error_code], [422, 42203], JSON.stringify(jBad.body));
    const p = await post(t.proto.topic, PROTOBUF, { value_schema: ORDER_PROTO, records: [{ value: { id: 1, item: 'tea', kind: 'RUSH' } }, { value: { id: '9007199254740993', item: 'big' } }] });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const pBad = await post(t.proto.topic, PROTOBUF, { value_schema_id: p.body.value_schema_id, records: [{ value: { id: 3, item: 4 } }] });
    assert.deepEqual([pBad.status, pBad.body.error_code], [422, 42203], JSON.stringify(pBad.body));
    const v3j = await app.inject({
      method: 'POST',
      url: `/v3/clusters/${cid}/topics/${t.json.topic}/records`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ value: { type: 'JSONSCHEMA', schema_id: j.body.value_schema_id, data: { id: 3, item: 'pie' } } }),
    });
    assert.equal(v3j.statusCode, 200, v3j.body);
    const v3p = await app.inject({
      method: 'POST',
      url: `/v3/clusters/${cid}/topics/${t.proto.topic}/records`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ value: { type: 'PROTOBUF', schema_id: p.body.value_schema_id, data: { id: 3, item: 'pie', kind: 'PLAIN' } } }),
    });
    assert.equal(v3p.statusCode, 200, v3p.body);

    // ---- what each side holds
    const expected = { avro: 4, json: 3, proto: 3 };
    const ids = { avro: valueId, json: j.body.value_schema_id as number, proto: p.body.value_schema_id as number };
    const pulsarClient = testClient();
    const compare = registryComparator(registry, pulsarClient);
    for (const name of ['avro', 'json', 'proto'] as const) {
      const { topic, pulsarTopic } = t[name];
      if (route !== 'pulsar') {
        const raw = await readKafkaRaw(topic, expected[name]);
        assert.deepEqual(raw.map((r) => r.offset), Array.from({ length: expected[name] }, (_, i) => BigInt(i)), `${name}: nothing written by the refused requests`);
        for (const r of raw) assert.equal(readFrame(r.value!).schemaId, ids[name], `${name}: Kafka holds the Confluent wire format`);
        if (name === 'proto') assert.deepEqual(readProtobufFrame(raw[0]!.value!).messageIndexes, [0]);
        if (name === 'avro') {
          const type = avro.Type.forSchema(JSON.parse(ORDER_AVSC) as avro.Schema);
          assert.deepEqual({ ...(type.fromBuffer(raw[0]!.value!.subarray(5)) as object) }, { id: 1, item: 'tea', note: 'green' });
          assert.equal(readFrame(raw[0]!.key!).schemaId, keyId);
        }
      }
      if (route !== 'kafka') {
        const messages = await readPulsarRaw(pulsarTopic);
        assert.deepEqual(messages.map((m) => m.sequenceId), Array.from({ length: expected[name] }, (_, i) => BigInt(i)), `${name}: Pulsar holds the records at their offsets`);
        for (const m of messages) assert.ok(m.schemaVersion && m.schemaVersion.length > 0, `${name}: each message carries a schema version`);
        if (route === 'dual') {
          const raw = await readKafkaRaw(topic, expected[name]);
          for (let i = 0; i < raw.length; i++) {
            const verdict = await compare(raw[i]!.value, messages[i]!.payload, { topic, partition: 0, offset: raw[i]!.offset, pulsarTopic: `${pulsarTopic}-partition-0`, schemaVersion: messages[i]!.schemaVersion });
            assert.equal(verdict, undefined, `${name} offset ${i}: the verifier pairs the sides (${verdict})`);
          }
        } else {
          for (const m of messages) assert.ok(!(m.payload.length >= 5 && m.payload[0] === 0 && m.payload.readUInt32BE(1) === ids[name]), `${name}: the registry header is stripped, as the mirror does`);
        }
      }
    }
    await pulsarClient.close();

    // ---- consumers decode to JSON
    const consume = async (topic: string, format: string, accept: string, n: number) => {
      const group = `fsch-g-${topic}`;
      const created = await call(app, 'POST', `/consumers/${group}`, { format, 'auto.offset.reset': 'earliest' });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const base = `/consumers/${group}/instances/${(created.body as { instance_id: string }).instance_id}`;
      assert.equal((await call(app, 'POST', `${base}/subscription`, { topics: [topic] })).status, 204);
      const wrong = await call(app, 'GET', `${base}/records?timeout=10`, undefined, 'application/vnd.kafka.binary.v2+json');
      assert.deepEqual([wrong.status, (wrong.body as { error_code: number }).error_code], [406, 40601]);
      const records = await pollN(app, base, n, accept);
      await call(app, 'DELETE', base);
      return records;
    };
    const av = await consume(t.avro.topic, 'avro', AVRO, 4);
    assert.deepEqual(
      av.map((r) => [r.key, r.value]),
      [
        ['o-1', { id: 1, item: 'tea', note: { string: 'green' } }],
        ['o-2', { id: 2, item: 'cake', note: null }],
        [null, { id: 3, item: 'pie', note: null }],
        ['o-5', { id: 5, item: 'bun', note: { string: 'v3' } }],
      ],
    );
    const js = await consume(t.json.topic, 'jsonschema', JSONSCHEMA, 3);
    assert.deepEqual(js.map((r) => r.value), [{ id: 1, item: 'tea' }, { id: 2, item: 'cake' }, { id: 3, item: 'pie' }]);
    const pb = await consume(t.proto.topic, 'protobuf', PROTOBUF, 3);
    assert.deepEqual(pb.map((r) => r.value), [
      { id: '1', item: 'tea', kind: 'RUSH' },
      { id: '9007199254740993', item: 'big', kind: 'PLAIN' },
      { id: '3', item: 'pie', kind: 'PLAIN' },
    ]);
  });
}

test('registry unreachable: 40801 (v2) / 408 (v3), nothing written; no registry in the config: 415', { timeout: 120_000 }, async () => {
  const { topic } = await topics('fsch-down', 1);
  // Port 9 (discard) on the loopback: nothing listens, every call is refused at once (then retried, then given up).
  const app = schemaFacade(schemaConfig([topic], 'kafka', [], 'http://127.0.0.1:9/apis/ccompat/v7'));
  const v2 = await app.inject({ method: 'POST', url: `/topics/${topic}`, headers: { 'content-type': AVRO }, payload: JSON.stringify({ value_schema: ORDER_AVSC, records: [{ value: { id: 1, item: 'x', note: null } }] }) });
  assert.equal(v2.statusCode, 408, v2.body);
  assert.equal(v2.json<{ error_code: number }>().error_code, 40801);
  const cluster = (await call(app, 'GET', '/v3/clusters')).body as { data: { cluster_id: string }[] };
  const v3 = await app.inject({
    method: 'POST',
    url: `/v3/clusters/${cluster.data[0]!.cluster_id}/topics/${topic}/records`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ value: { type: 'AVRO', schema_id: 1, data: 1 } }),
  });
  assert.equal(v3.statusCode, 408, v3.body);
  assert.equal(v3.json<{ error_code: number }>().error_code, 408);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const offsets = await kafkaAdmin.fetchTopicOffsets(topic);
  await kafkaAdmin.disconnect();
  assert.deepEqual(offsets.map((o) => o.high), ['0'], 'nothing written');

  // A config without any schema-registry connector: the formats are not supported here.
  const plain = await fixture('fsch-none', 'kafka', 1);
  const none = await plain.app.inject({ method: 'POST', url: `/topics/${plain.topic}`, headers: { 'content-type': PROTOBUF }, payload: JSON.stringify({ value_schema: ORDER_PROTO, records: [{ value: { id: 1 } }] }) });
  assert.equal(none.statusCode, 415, none.body);
});

test('referee: the official Avro deserializer (confluent-kafka, from PyPI) reads what the facade wrote', { timeout: 180_000 }, async () => {
  const { topic } = await topics('fsch-referee', 1);
  dropSubjectAfter(`${topic}-value`);
  const app = schemaFacade(schemaConfig([topic], 'kafka'));
  const values = [
    { id: 1, item: 'tea', note: { string: 'green' } },
    { id: 2 ** 40, item: 'ünïcödé', note: null },
  ];
  const res = await app.inject({ method: 'POST', url: `/topics/${topic}`, headers: { 'content-type': AVRO }, payload: JSON.stringify({ value_schema: ORDER_AVSC, records: values.map((value) => ({ value })) }) });
  assert.equal(res.statusCode, 200, res.body);
  const id = res.json<{ value_schema_id: number }>().value_schema_id;
  const { lines } = await runReferee<{ value: Record<string, unknown>; schema_id: number }>('kafka_avro_referee.py', [
    '--bootstrap-servers',
    STACK.kafkaBrokers[0]!,
    '--registry-url',
    STACK.registryUrl,
    'consume',
    topic,
    '-n',
    '2',
  ]);
  assert.deepEqual(
    lines.map((l) => [l.schema_id, l.value]),
    [
      [id, { id: 1, item: 'tea', note: 'green' }],
      [id, { id: 2 ** 40, item: 'ünïcödé', note: null }],
    ],
  );
});
