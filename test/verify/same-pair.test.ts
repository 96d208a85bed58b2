// Layer 1, no broker: a Kafka batch packed for the comparison unpacks to the records it was packed from,
// and the quick comparison (samePair) never calls a pair identical that the full one (fromPulsarMessage +
// compareFields) finds different — over seeded random records (binary, null, repeated and reserved
// headers, odd keys and timestamps) and one tampering of each field. It also answers for the usual records
// (or the quick path would be dead weight). The same for the packed form the Pulsar worker thread makes
// (pulsar-pack.ts): its byte comparison never calls a differing pair identical, and a packed message rebuilt
// maps back to the same record as the message it was packed from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerList, headersObject, toPulsarMessage, type KafkaRecord } from '../../src/mirror/record-mapping.js';
import { MessageId, type Message } from '../../src/pulsar/client/index.js';
import { ambiguousHeaderOrder } from '../../src/mirror/header-order.js';
import { kafkajsGrouping } from '../../src/verify/kafkajs-headers.js';
import { KafkaBatch, PulsarSide } from '../../src/verify/records.js';
import { PackedPulsarBatch, PulsarBatchWriter, packMessages } from '../../src/verify/pulsar-pack.js';
import { samePair } from '../../src/verify/same-pair.js';
import { randomCase, rng } from '../mirror/record-mapping-cases.js';
import { MAPPING, TAMPER, delivered, identical, kafkajsMessage } from './pair-cases.js';

/** `m` packed alone, as the Pulsar worker packs it for Kafka t[0], and read back. */
function packed(m: Message): PackedPulsarBatch {
  return new PackedPulsarBatch(m.topic, packMessages([m], 't', 0));
}

/** The quick answers (samePair, the packed byte comparison) say identical only when the full one does. */
function quickAnswers(batch: KafkaBatch, i: number, m: Message, what: string): void {
  const full = identical(batch, i, m);
  if (samePair(batch, i, new PulsarSide(m))) assert.ok(full, `${what}: samePair says identical, full does not`);
  const p = packed(m);
  if (p.same(batch, i, 0)) assert.ok(full, `${what}: packed says identical, full does not`);
  // Rebuilt from the packed form, the message maps back to what the original maps back to.
  const rebuilt = p.side(0);
  const original = new PulsarSide(m);
  assert.deepEqual(rebuilt.mapped, original.mapped, `${what}: rebuilt`);
  assert.equal(rebuilt.offset, original.offset);
  assert.equal(p.offset(0), original.offset);
}

test('packed Kafka batches unpack to the records they were packed from', () => {
  const r = rng(7);
  const cases = Array.from({ length: 400 }, (_, i) => randomCase(r, i).record);
  const batch = KafkaBatch.pack(
    't',
    3,
    cases.map(kafkajsMessage),
    cases.map((_, i) => i * 10),
  );
  assert.equal(batch.count, cases.length);
  cases.forEach((c, i) => {
    const got = batch.record(i);
    assert.equal(got.offset, i * 10);
    assert.equal(got.topic, 't');
    assert.equal(got.partition, 3);
    assert.deepEqual(got.key, c.key);
    assert.deepEqual(got.value, c.value);
    assert.equal(got.timestamp, c.timestamp);
    // kafkajs's grouping; for a record whose order it cannot give, flagged and without inherited names
    // (kafkajs gives those wrong values).
    const grouped = headersObject(headerList(c.headers));
    assert.equal(got.headerOrderUnknown, ambiguousHeaderOrder(grouped) ? true : undefined);
    assert.deepEqual(got.headers, kafkajsGrouping(headerList(grouped)));
  });
  assert.equal(KafkaBatch.pack('t', 0, [], []).count, 0);
});

test('the quick comparison never calls a differing pair identical, and answers for ordinary records', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = rng(seed);
    const records = Array.from({ length: 300 }, (_, i) => {
      const rec = randomCase(r, i).record;
      return { ...rec, headers: headersObject(headerList(rec.headers)) };
    });
    const batch = KafkaBatch.pack(
      't',
      0,
      records.map(kafkajsMessage),
      records.map((_, i) => i),
    );
    records.forEach((rec, i) => {
      const faithful = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
      assert.equal(identical(batch, i, faithful), true, `seed ${seed} record ${i}: the mapping round trip`);
      quickAnswers(batch, i, faithful, `seed ${seed} record ${i}`);
      TAMPER.forEach((tamper, t) => {
        const m = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
        tamper(m);
        quickAnswers(batch, i, m, `seed ${seed} record ${i} tampering #${t}`);
      });
    });
  }
  // Ordinary records (ASCII headers, a binary one, a null one, a positive timestamp) take the quick path.
  const usual: KafkaRecord[] = Array.from({ length: 50 }, (_, i) => ({
    topic: 'orders',
    partition: 0,
    offset: String(i),
    key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 9 === 0 ? null : Buffer.from(`value ${i}`),
    timestamp: String(1_700_000_000_000 + i),
    headers: {
      trace: Buffer.from(`t${i}`),
      bin: Buffer.from([i, 0, 255]),
      gone: null,
      rep: [Buffer.from('a'), Buffer.from('b')],
    },
  }));
  const batch = KafkaBatch.pack(
    'orders',
    0,
    usual.map(kafkajsMessage),
    usual.map((_, i) => i),
  );
  usual.forEach((rec, i) => {
    const m = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
    assert.equal(samePair(batch, i, new PulsarSide(m)), true, `usual record ${i}`);
    assert.equal(packed(m).same(batch, i, 0), true, `usual record ${i} packed`);
  });
});

test("a packed Pulsar batch keeps each message's offset, id, provenance and schema version", () => {
  const rec = (partition: number, offset: number): KafkaRecord => ({
    topic: partition === 9 ? 'elsewhere' : 't',
    partition: partition === 9 ? 0 : partition,
    offset: String(offset),
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    timestamp: String(1_700_000_000_000 + offset),
    headers: { h: Buffer.from('x') },
  });
  const msgs = [rec(0, 5), rec(1, 6), rec(9, 7)].map((r, i) => delivered(toPulsarMessage(r, MAPPING), BigInt(i)));
  msgs[1]!.id = new MessageId(12n, 34n, 0, 2, 10);
  msgs[1]!.schemaVersion = Buffer.from([0, 1]);
  const noProvenance = delivered(toPulsarMessage(rec(0, 8), { ...MAPPING, provenance: false }), 8n);
  msgs.push(noProvenance);
  const p = new PackedPulsarBatch('topic-partition-0', packMessages(msgs, 't', 0));
  assert.equal(p.count, 4);
  assert.deepEqual([0, 1, 2, 3].map((i) => p.offset(i)), [5, 6, 7, 8]);
  assert.deepEqual([0, 1, 2, 3].map((i) => p.misplaced(i)), [false, true, true, false]);
  assert.deepEqual(p.source(1), { topic: 't', partition: 1 });
  assert.deepEqual(p.source(2), { topic: 'elsewhere', partition: 0 });
  assert.deepEqual(p.coordinates(1), { topic: 'topic-partition-0', messageId: '12:34:0:2' });
  const side = p.side(1);
  assert.deepEqual(side.message.schemaVersion, Buffer.from([0, 1]));
  assert.equal(side.message.id.batchSize, 10);
  assert.equal(p.side(3).sourceTopic, undefined);
  assert.equal(p.side(3).offset, 8);
});

test('a packed message whose properties a record would merge (a name twice) is compared the slow way', () => {
  // Kafka: header h twice. Pulsar, as the entry lists them: h twice too — but a message's properties are a
  // record (the last value wins), so the full comparison sees one header: not identical.
  const rec: KafkaRecord = {
    topic: 't',
    partition: 0,
    offset: '0',
    key: null,
    value: Buffer.from('v'),
    timestamp: '1700000000000',
    headers: { h: [Buffer.from('a'), Buffer.from('b')] },
  };
  const batch = KafkaBatch.pack('t', 0, [kafkajsMessage(rec)], [0]);
  const w = new PulsarBatchWriter('t', 0);
  w.add({
    ledgerId: 1n,
    entryId: 2n,
    partition: 0,
    batchIndex: -1,
    batchSize: 0,
    key: undefined,
    value: Buffer.from('v'),
    eventTime: 1_700_000_000_000,
    properties: [
      { key: 'h', value: 'a' },
      { key: 'h', value: 'b' },
      { key: 'k2p.topic', value: 't' },
      { key: 'k2p.partition', value: '0' },
      { key: 'k2p.offset', value: '0' },
    ],
    sequenceId: 0n,
    publishTime: 1,
    redeliveryCount: 0,
    schemaVersion: undefined,
  });
  const p = new PackedPulsarBatch('t-partition-0', w.finish()!);
  assert.equal(p.same(batch, 0, 0), false);
  assert.deepEqual(p.side(0).message.properties, { h: 'b', 'k2p.topic': 't', 'k2p.partition': '0', 'k2p.offset': '0' });
  assert.equal(identical(batch, 0, p.side(0).message), false);
});
