// Interop proof of our Pulsar client against the official Python client (C++ core): what one produces the
// other reads back identically — keys (text and binary), ordering keys, properties, event time, null and
// empty values, batching on and off, non-partitioned and 4-partition topics (same order per partition),
// and every compression codec. Chunking: pulsar-interop-chunking.test.ts; schemas: pulsar-interop-schemas.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { CompressionType } from '../../src/pulsar/protocol/index.js';
import type { MessageId, OutgoingMessage } from '../../src/pulsar/client/index.js';
import {
  admin,
  b64,
  byPartition,
  examineEntry,
  freshTopic,
  interopClient,
  pyConsume,
  pyProduce,
  receiveN,
  sha256,
  type PyMessage,
  type PySend,
} from '../helpers/pulsar-interop.js';

const client = interopClient();

const UNICODE_PROPS = { ascii: 'plain', 'clé-ünïcødé': 'значение 🚀 中文', empty: '' };
const BINARY_KEY = Buffer.from([0x00, 0x01, 0x02, 0xfe, 0xff, 0x80, 0x7f]);
const EVENT_TIME = 1_700_000_000_123;

/** Our side: one message per feature, then one with all of them. */
function ourMessages(): OutgoingMessage[] {
  return [
    { payload: Buffer.from('text key'), key: 'user-42' },
    { payload: Buffer.from('binary key'), key: BINARY_KEY },
    { payload: Buffer.from('ordering key'), key: 'k-ord', orderingKey: 'ordre-é-🔑' },
    { payload: Buffer.from('properties'), properties: UNICODE_PROPS },
    { payload: Buffer.from('event time'), eventTime: EVENT_TIME },
    { payload: null, key: 'tombstone-key' },
    { payload: Buffer.alloc(0), key: 'empty-payload' },
    {
      payload: randomBytes(1000),
      key: BINARY_KEY,
      orderingKey: 'ok',
      properties: UNICODE_PROPS,
      eventTime: EVENT_TIME + 1,
    },
  ];
}

/** What the Python client must report for one of our messages. */
function assertPythonSees(got: PyMessage, sent: OutgoingMessage, id: MessageId, label: string): void {
  assert.deepEqual(
    [got.ledger_id, got.entry_id, got.batch_index],
    [Number(id.ledgerId), Number(id.entryId), id.batchIndex],
    `${label}: message id`,
  );
  if (sent.key instanceof Uint8Array) {
    // The C++ client hands out the key as stored: the base64 text (there is no accessor for the bytes).
    assert.equal(got.key, b64(sent.key), `${label}: binary key as base64 text`);
    assert.deepEqual(Buffer.from(got.key, 'base64'), Buffer.from(sent.key), `${label}: binary key bytes`);
  } else {
    assert.equal(got.key, sent.key ?? null, `${label}: key`);
  }
  assert.equal(got.ordering_key, sent.orderingKey ?? null, `${label}: ordering key`);
  assert.deepEqual(got.properties, sent.properties ?? {}, `${label}: properties`);
  assert.equal(got.event_time, sent.eventTime ?? 0, `${label}: event time`);
  assert.equal(got.null_value, sent.payload === null, `${label}: null value`);
  const payload = sent.payload ?? Buffer.alloc(0);
  assert.equal(got.payload_b64, b64(payload), `${label}: payload`);
  assert.equal(got.payload_sha256, sha256(payload), `${label}: payload digest`);
}

for (const batching of [false, true]) {
  test(`ours → Python, batching ${batching ? 'on' : 'off'}: keys, binary keys, ordering keys, unicode properties, event time, null and empty values`, async () => {
    const topic = await freshTopic('ix-fields-ours');
    await admin.subscriptions.create(topic, 'py', 'earliest');
    const producer = await client.createProducer({
      topic,
      batching,
      batchingMaxDelayMs: 200,
      batchingMaxMessages: 100,
    });
    const sent = ourMessages();
    const ids = await producer.sendBatch(sent);
    await producer.close();
    // Batching on: one entry holding every message; off: one entry each.
    assert.equal(new Set(ids.map((id) => id.entryId)).size, batching ? 1 : sent.length);

    const got = await pyConsume(topic, 'py', sent.length);
    assert.equal(got.length, sent.length);
    got.forEach((m, i) => assertPythonSees(m, sent[i]!, ids[i]!, `message ${i}`));
    if (batching)
      assert.ok(
        got.every((m) => m.batch_index >= 0),
        'the Python client saw a batch',
      );
  });

  test(`Python → ours, batching ${batching ? 'on' : 'off'}: keys, ordering keys, unicode properties, event time, null and empty values`, async () => {
    const topic = await freshTopic('ix-fields-py');
    const consumer = await client.subscribe({ topic, subscription: 'ours', initialPosition: 'Earliest' });
    const random = randomBytes(1000);
    const sent: PySend[] = [
      { payload_b64: b64('text key'), key: 'user-42' },
      { payload_b64: b64('ordering key'), key: 'k-ord', ordering_key: 'ordre-é-🔑' },
      { payload_b64: b64('properties'), properties: UNICODE_PROPS },
      { payload_b64: b64('event time'), event_time: EVENT_TIME },
      { null: true, key: 'tombstone-key' },
      { payload_b64: '', key: 'empty-payload' },
      {
        payload_b64: b64(random),
        key: 'all',
        ordering_key: 'ok',
        properties: UNICODE_PROPS,
        event_time: EVENT_TIME + 1,
      },
    ];
    const ids = await pyProduce(topic, sent, { batching });
    const got = await receiveN(consumer, sent.length);
    await consumer.close();
    if (batching)
      assert.ok(
        ids.every((id) => id.batch_index >= 0),
        'the Python client sent a batch',
      );

    got.forEach((m, i) => {
      const s = sent[i]!;
      const label = `message ${i}`;
      assert.deepEqual(
        [m.id.ledgerId, m.id.entryId, m.id.batchIndex],
        [BigInt(ids[i]!.ledger_id), BigInt(ids[i]!.entry_id), ids[i]!.batch_index],
        `${label}: message id`,
      );
      assert.equal(m.key, s.key, `${label}: key`);
      assert.deepEqual(
        m.keyBytes,
        s.key === undefined ? undefined : Buffer.from(s.key),
        `${label}: key bytes`,
      );
      assert.deepEqual(
        m.orderingKey,
        s.ordering_key === undefined ? undefined : Buffer.from(s.ordering_key),
        `${label}: ordering key`,
      );
      assert.deepEqual(m.properties, s.properties ?? {}, `${label}: properties`);
      assert.equal(m.eventTime, s.event_time, `${label}: event time`);
      assert.equal(m.nullValue, s.null === true, `${label}: null value`);
      assert.deepEqual(m.payload, Buffer.from(s.payload_b64 ?? '', 'base64'), `${label}: payload`);
    });
  });
}

for (const batching of [false, true]) {
  test(`4-partition topic, batching ${batching ? 'on' : 'off'}: ours → Python and Python → ours keep every message and the order per partition`, async () => {
    const count = 200;
    const key = (i: number): string | undefined => (i % 2 === 0 ? `key-${i % 20}` : undefined);

    // Ours → Python.
    const ourTopic = await freshTopic('ix-part-ours', 4);
    await admin.subscriptions.create(ourTopic, 'py', 'earliest');
    const producer = await client.createProducer({ topic: ourTopic, batching, batchingMaxDelayMs: 20 });
    const sent: OutgoingMessage[] = Array.from({ length: count }, (_, i) => ({
      payload: Buffer.from(`m-${i}`),
      key: key(i),
      properties: { i: String(i) },
    }));
    const ids = await producer.sendBatch(sent);
    await producer.close();
    const sentOrder = byPartition(
      ids.map((id, i) => ({ id, i })),
      (x) => x.id.partition,
    );
    assert.equal(sentOrder.size, 4, 'our producer used all 4 partitions');
    if (batching)
      assert.ok(
        ids.some((id) => id.batchIndex > 0),
        'our producer batched',
      );

    const pyGot = await pyConsume(ourTopic, 'py', count);
    const pyOrder = byPartition(pyGot, (m) => m.partition);
    for (const [p, list] of sentOrder) {
      assert.deepEqual(
        pyOrder.get(p)?.map((m) => [Number(m.properties.i), m.ledger_id, m.entry_id, m.batch_index]),
        list.map(({ id, i }) => [i, Number(id.ledgerId), Number(id.entryId), id.batchIndex]),
        `partition ${p}: same messages, same ids, same order`,
      );
    }
    for (const m of pyGot) {
      const i = Number(m.properties.i);
      assert.equal(m.key, key(i) ?? null);
      assert.equal(Buffer.from(m.payload_b64!, 'base64').toString(), `m-${i}`);
    }

    // Python → ours.
    const pyTopic = await freshTopic('ix-part-py', 4);
    const consumer = await client.subscribe({
      topic: pyTopic,
      subscription: 'ours',
      initialPosition: 'Earliest',
    });
    const pySent: PySend[] = Array.from({ length: count }, (_, i) => ({
      payload_b64: b64(`m-${i}`),
      key: key(i),
      properties: { i: String(i) },
    }));
    const pyIds = await pyProduce(pyTopic, pySent, { batching });
    const pySentOrder = byPartition(
      pyIds.map((id, i) => ({ id, i })),
      (x) => x.id.partition,
    );
    assert.equal(pySentOrder.size, 4, 'the Python producer used all 4 partitions');
    const ourGot = await receiveN(consumer, count);
    await consumer.close();
    const ourOrder = byPartition(ourGot, (m) => m.id.partition);
    for (const [p, list] of pySentOrder) {
      assert.deepEqual(
        ourOrder
          .get(p)
          ?.map((m) => [
            Number(m.properties.i),
            Number(m.id.ledgerId),
            Number(m.id.entryId),
            m.id.batchIndex,
          ]),
        list.map(({ id, i }) => [i, id.ledger_id, id.entry_id, id.batch_index]),
        `partition ${p}: same messages, same ids, same order`,
      );
    }
    for (const m of ourGot) {
      const i = Number(m.properties.i);
      assert.equal(m.key, key(i));
      assert.equal(m.payload.toString(), `m-${i}`);
      assert.equal(m.topic, `${pyTopic}-partition-${m.id.partition}`);
    }
  });
}

const CODECS: { ours: Exclude<CompressionType, 'NONE'>; python: 'LZ4' | 'ZLib' | 'ZSTD' | 'SNAPPY' }[] = [
  { ours: 'LZ4', python: 'LZ4' },
  { ours: 'ZLIB', python: 'ZLib' },
  { ours: 'ZSTD', python: 'ZSTD' },
  { ours: 'SNAPPY', python: 'SNAPPY' },
];

/** 30 small compressible messages (sent as one batch), then a large compressible one and a random one (sent alone). */
function compressionPayloads(): { batched: Buffer[]; single: Buffer[] } {
  const batched = Array.from({ length: 30 }, (_, i) => Buffer.from(`${i} `.padEnd(2000, 'abcabcabc-')));
  const single = [Buffer.from('pulsar '.repeat(30_000)), randomBytes(50_000)];
  return { batched, single };
}

for (const { ours, python } of CODECS) {
  test(`${ours}: batched and single messages, ours → Python and Python → ours, byte-identical`, async () => {
    const { batched, single } = compressionPayloads();
    const all = [...batched, ...single];

    // Ours → Python.
    const ourTopic = await freshTopic(`ix-${ours.toLowerCase()}-ours`);
    await admin.subscriptions.create(ourTopic, 'py', 'earliest');
    const batchProducer = await client.createProducer({
      topic: ourTopic,
      compression: ours,
      batching: true,
      batchingMaxDelayMs: 200,
      batchingMaxBytes: 1024 * 1024,
    });
    await batchProducer.sendBatch(batched.map((payload, i) => ({ payload, properties: { i: String(i) } })));
    await batchProducer.close();
    const singleProducer = await client.createProducer({
      topic: ourTopic,
      compression: ours,
      batching: false,
    });
    for (const [j, payload] of single.entries())
      await singleProducer.send({ payload, properties: { i: String(batched.length + j) } });
    await singleProducer.close();
    // The broker's own view: the entries really are compressed with this codec.
    const first = await examineEntry(ourTopic, 1);
    assert.deepEqual([first.compression, first.batchSize], [ours, 30]);
    assert.equal((await examineEntry(ourTopic, 2)).compression, ours);

    const pyGot = await pyConsume(ourTopic, 'py', all.length);
    assert.deepEqual(
      pyGot.map((m) => [m.properties.i, m.payload_sha256]),
      all.map((p, i) => [String(i), sha256(p)]),
    );

    // Python → ours.
    const pyTopic = await freshTopic(`ix-${ours.toLowerCase()}-py`);
    const consumer = await client.subscribe({
      topic: pyTopic,
      subscription: 'ours',
      initialPosition: 'Earliest',
    });
    await pyProduce(
      pyTopic,
      batched.map((p, i) => ({ payload_b64: b64(p), properties: { i: String(i) } })),
      { batching: true, compression: python },
    );
    await pyProduce(
      pyTopic,
      single.map((p, j) => ({ payload_b64: b64(p), properties: { i: String(batched.length + j) } })),
      { compression: python },
    );
    const pyFirst = await examineEntry(pyTopic, 1);
    assert.equal(pyFirst.compression, ours);
    assert.ok(pyFirst.batchSize > 1, 'the Python client sent a batch');
    const last = await examineEntry(pyTopic, 3); // entries: 1+ batches, then the 2 singles; the 3rd is at least a batch or a single
    assert.equal(last.compression, ours);
    const ourGot = await receiveN(consumer, all.length);
    await consumer.close();
    assert.deepEqual(
      ourGot.map((m) => [m.properties.i, sha256(m.payload)]),
      all.map((p, i) => [String(i), sha256(p)]),
    );
  });
}
