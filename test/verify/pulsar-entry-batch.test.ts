// Layer 1, no broker: the Pulsar side read as raw entries (EntryBatch) answers as the messages those entries
// decode to (entryMessages: what receive() gives). Its quick comparison, made on the entry's bytes, never
// calls a pair identical that the full one (fromPulsarMessage + compareFields) finds different — over seeded
// random records, one tampering of each field, and properties a record would reorder, merge or drop — and it
// answers for the usual records. Offsets, provenance, coordinates and the messages rebuilt for a closer look
// are the decoded messages'; batch indexes before the reader's start, acknowledged or compacted away are left
// out as receive() leaves them; entries it does not read in place are decoded whole, with the same errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toPulsarMessage, type KafkaRecord } from '../../src/mirror/record-mapping.js';
import { entryMessages, type Message, type RawEntry } from '../../src/pulsar/client/index.js';
import { encodeBatch, type MessageMetadata, type SingleMessageMetadata } from '../../src/pulsar/protocol/index.js';
import { EntryBatch } from '../../src/verify/pulsar-entry-batch.js';
import { KafkaBatch, PulsarSide } from '../../src/verify/records.js';
import { randomCase, rng } from '../mirror/record-mapping-cases.js';
import { MAPPING, TAMPER, delivered, identical, kafkajsMessage } from './pair-cases.js';

const TOPIC = 'persistent://public/default/t-partition-0';

type Single = Omit<SingleMessageMetadata, 'payloadSize'>;

/** A message's metadata as a producer writes it (a key of ASCII bytes as text unless `b64`). */
function single(m: Message, b64: boolean): Single {
  const key = m.keyBytes;
  const binary = key !== undefined && (b64 || key.some((b) => b >= 0x80));
  return {
    properties: Object.entries(m.properties).map(([key, value]) => ({ key, value })),
    partitionKey: key === undefined ? undefined : binary ? key.toString('base64') : key.toString('latin1'),
    partitionKeyB64Encoded: binary || undefined,
    eventTime: m.eventTime,
    sequenceId: m.sequenceId,
  };
}

/** A batched entry of these messages, as the consumer hands it over with rawEntries. */
function entry(messages: { metadata: Single; payload: Buffer | null }[], extra: Partial<RawEntry> = {}): RawEntry {
  return {
    topic: TOPIC,
    partition: 0,
    ledgerId: 7n,
    entryId: 9n,
    metadata: { producerName: 'p', sequenceId: 100n, publishTime: 1, numMessagesInBatch: messages.length } as MessageMetadata,
    payload: encodeBatch(messages),
    count: messages.length,
    firstIndex: 0,
    ackSet: undefined,
    redeliveryCount: 0,
    ...extra,
  };
}

function entryOf(m: Message, b64 = false): RawEntry {
  return entry([{ metadata: single(m, b64), payload: m.nullValue ? null : m.payload }]);
}

/** The batch's every answer about message `i` is the decoded message's; its quick answer implies the full one. */
function answersAsDecoded(kafka: KafkaBatch, k: number, e: RawEntry, what: string): boolean {
  const batch = new EntryBatch([e], 't', 0);
  const decoded = entryMessages(e);
  assert.equal(batch.count, decoded.length, what);
  const m = decoded[0]!;
  const side = new PulsarSide(m);
  assert.equal(batch.offset(0), side.offset, `${what}: offset`);
  assert.equal(batch.misplaced(0), side.sourceTopic !== undefined && (side.sourceTopic !== 't' || side.sourcePartition !== 0), `${what}: misplaced`);
  assert.deepEqual(batch.coordinates(0), { topic: TOPIC, messageId: m.id.toString() }, `${what}: coordinates`);
  assert.deepEqual(batch.side(0).mapped, side.mapped, `${what}: rebuilt`);
  const quick = batch.same(kafka, k, 0);
  if (quick) assert.ok(identical(kafka, k, m), `${what}: the entry batch says identical, the full comparison does not`);
  return quick;
}

test('the quick comparison on entry bytes never calls a differing pair identical, and answers for ordinary records', () => {
  let quick = 0;
  for (const seed of [11, 12, 13, 14, 15]) {
    const r = rng(seed);
    const records = Array.from({ length: 300 }, (_, i) => randomCase(r, i).record);
    const kafka = KafkaBatch.pack('t', 0, records.map(kafkajsMessage), records.map((_, i) => i));
    records.forEach((rec, i) => {
      const b64 = i % 2 === 0;
      const faithful = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
      if (answersAsDecoded(kafka, i, entryOf(faithful, b64), `seed ${seed} record ${i}`)) quick++;
      TAMPER.forEach((tamper, t) => {
        const m = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
        tamper(m);
        answersAsDecoded(kafka, i, entryOf(m, b64), `seed ${seed} record ${i} tampering #${t}`);
      });
    });
  }
  assert.ok(quick > 0, 'some random records take the quick path');
  // Ordinary records (ASCII headers, a binary one, a null one, a positive timestamp) take the quick path.
  const usual: KafkaRecord[] = Array.from({ length: 50 }, (_, i) => ({
    topic: 't',
    partition: 0,
    offset: String(i),
    key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 9 === 0 ? null : Buffer.from(`value ${i}`),
    timestamp: String(1_700_000_000_000 + i),
    headers: { trace: Buffer.from(`t${i}`), bin: Buffer.from([i, 0, 255]), gone: null, rep: [Buffer.from('a'), Buffer.from('b')] },
  }));
  const kafka = KafkaBatch.pack('t', 0, usual.map(kafkajsMessage), usual.map((_, i) => i));
  usual.forEach((rec, i) => {
    const m = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
    for (const b64 of [false, true]) assert.equal(answersAsDecoded(kafka, i, entryOf(m, b64), `usual ${i}`), true, `usual record ${i} (b64 key: ${b64})`);
  });
});

/**
 * A Kafka batch of one record at offset 0 of t[0] (no key, value 'v', the wire's timestamp) with these
 * headers in this order, as the fetch reader packs it (KafkaBatch layout, written out: kafkajs would group a
 * repeated name and list array-index names first).
 */
function kafkaWith(headers: [string, string][]): KafkaBatch {
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const timestamp = Buffer.alloc(8);
  timestamp.writeDoubleLE(1_700_000_000_000);
  const parts = [i32(1), i32(0), Buffer.alloc(8), i32(20), timestamp, i32(-1), i32(1), Buffer.from('v'), i32(headers.length)];
  for (const [name, value] of headers) parts.push(i32(Buffer.byteLength(name)), Buffer.from(name), i32(Buffer.byteLength(value)), Buffer.from(value));
  const all = Buffer.concat(parts);
  const own = Buffer.from(new ArrayBuffer(all.length));
  all.copy(own);
  return new KafkaBatch('t', 0, own);
}

const PROVENANCE: [string, string][] = [
  ['k2p.topic', 't'],
  ['k2p.partition', '0'],
  ['k2p.offset', '0'],
];

/** One message with these properties on the wire (in this order), value 'v', event time as the record's. */
function wire(properties: [string, string][]): RawEntry {
  return entry([
    {
      metadata: { properties: properties.map(([key, value]) => ({ key, value })), eventTime: 1_700_000_000_000, sequenceId: 0n },
      payload: Buffer.from('v'),
    },
  ]);
}

test('properties a record would reorder, merge or drop are compared the slow way, as the record has them', () => {
  const cases: { what: string; kafka: [string, string][]; wire: [string, string][] }[] = [
    // A repeated name: the record keeps one (the last value); on the wire both are there in Kafka's order.
    { what: 'a name twice', kafka: [['h', 'a'], ['h', 'b']], wire: [['h', 'a'], ['h', 'b'], ...PROVENANCE] },
    // A digits-only name: a record lists it first, the wire after b.
    { what: 'an array-index name', kafka: [['b', '1'], ['7', '2']], wire: [['b', '1'], ['7', '2'], ...PROVENANCE] },
    // __proto__: a record does not keep it at all.
    { what: '__proto__', kafka: [['__proto__', 'x']], wire: [['__proto__', 'x'], ...PROVENANCE] },
    // A stored timestamp property: the record's timestamp is the property's.
    { what: 'k2p.timestamp', kafka: [], wire: [...PROVENANCE, ['k2p.timestamp', '5']] },
    // An offset that does not parse: the message is unreadable, not the record at offset 0.
    { what: 'an unreadable offset', kafka: [], wire: [['k2p.topic', 't'], ['k2p.partition', '0'], ['k2p.offset', 'zero']] },
  ];
  for (const c of cases) {
    const kafka = kafkaWith(c.kafka);
    const e = wire(c.wire);
    const batch = new EntryBatch([e], 't', 0);
    assert.equal(batch.same(kafka, 0, 0), false, `${c.what}: not answered quickly`);
    // What the slow way compares is the decoded message — and for these it differs from the Kafka record.
    assert.equal(identical(kafka, 0, entryMessages(e)[0]!), false, `${c.what}: the full comparison`);
  }
  // Control: the same headers in a plain order are answered quickly (or the cases above prove nothing).
  const kafka = kafkaWith([['b', '1'], ['c', '2']]);
  assert.equal(new EntryBatch([wire([['b', '1'], ['c', '2'], ...PROVENANCE])], 't', 0).same(kafka, 0, 0), true);
});

test('offsets and provenance are read as the decoded message has them', () => {
  // The last value of a repeated provenance name counts (a record keeps the last).
  let b = new EntryBatch([wire([['k2p.topic', 't'], ['k2p.partition', '0'], ['k2p.offset', '5'], ['k2p.offset', '9']])], 't', 0);
  assert.equal(b.offset(0), 9);
  // Another topic or partition: misplaced, and the source named.
  b = new EntryBatch([wire([['k2p.topic', 'other'], ['k2p.partition', '3'], ['k2p.offset', '4']])], 't', 0);
  assert.equal(b.misplaced(0), true);
  assert.deepEqual(b.source(0), { topic: 'other', partition: 3 });
  b = new EntryBatch([wire([['k2p.topic', 't'], ['k2p.partition', '3'], ['k2p.offset', '4']])], 't', 0);
  assert.equal(b.misplaced(0), true);
  b = new EntryBatch([wire([['k2p.topic', 't'], ['k2p.partition', '0'], ['k2p.offset', '4']])], 't', 0);
  assert.equal(b.misplaced(0), false);
  // No provenance: the sequence id (the message's own, else the entry's plus the batch index).
  const noProvenance = entry([
    { metadata: { sequenceId: 41n }, payload: Buffer.from('a') },
    { metadata: {}, payload: Buffer.from('b') },
  ]);
  b = new EntryBatch([noProvenance], 't', 0);
  assert.deepEqual([b.offset(0), b.offset(1)], entryMessages(noProvenance).map((m) => new PulsarSide(m).offset));
  assert.deepEqual([b.offset(0), b.offset(1)], [41, 101]);
  // An offset of 16 digits: decoded the usual way (Number() rounds it), the same offset.
  const long = wire([['k2p.topic', 't'], ['k2p.partition', '0'], ['k2p.offset', '9007199254740993']]);
  assert.equal(new EntryBatch([long], 't', 0).offset(0), new PulsarSide(entryMessages(long)[0]!).offset);
});

test('messages receive() leaves out are left out, and each message keeps its own id', () => {
  const five = Array.from({ length: 5 }, (_, i) => ({
    metadata: { properties: [{ key: 'k2p.topic', value: 't' }, { key: 'k2p.partition', value: '0' }, { key: 'k2p.offset', value: String(10 + i) }], compactedOut: i === 3 || undefined },
    payload: Buffer.from(`m${i}`),
  }));
  // Before the reader's start (firstIndex 1), acknowledged (ack set without bit 2), compacted away (3).
  const e = entry(five, { firstIndex: 1, ackSet: [0b10011n] });
  const batch = new EntryBatch([e], 't', 0);
  const decoded = entryMessages(e);
  assert.deepEqual(decoded.map((m) => new PulsarSide(m).offset), [11, 14]);
  assert.equal(batch.count, 2);
  assert.deepEqual([batch.offset(0), batch.offset(1)], [11, 14]);
  assert.deepEqual([batch.coordinates(0).messageId, batch.coordinates(1).messageId], decoded.map((m) => m.id.toString()));
  assert.deepEqual(batch.side(1).message.payload, Buffer.from('m4'));
  assert.equal(batch.lastId()!.batchIndex, 4);
  assert.equal(batch.highest, 14);
});

test('an entry not read in place is decoded whole: not batched, or malformed (with the decoder\'s error)', () => {
  const single: RawEntry = {
    topic: TOPIC,
    partition: 0,
    ledgerId: 1n,
    entryId: 2n,
    metadata: {
      producerName: 'p',
      sequenceId: 5n,
      publishTime: 1,
      eventTime: 1_700_000_000_000,
      properties: PROVENANCE.map(([key, value]) => ({ key, value })),
    } as MessageMetadata,
    payload: Buffer.from('v'),
    count: 1,
    firstIndex: -1,
    ackSet: undefined,
    redeliveryCount: 0,
  };
  const b = new EntryBatch([single], 't', 0);
  assert.equal(b.count, 1);
  assert.equal(b.offset(0), 0);
  assert.equal(b.same(kafkaWith([]), 0, 0), true);
  assert.equal(b.coordinates(0).messageId, entryMessages(single)[0]!.id.toString());
  // Bytes after the last message: the cursor stops, the decoder says what is wrong.
  const good = wire(PROVENANCE);
  const bad = { ...good, payload: Buffer.concat([good.payload, Buffer.from([0, 0])]) };
  assert.throws(() => new EntryBatch([bad], 't', 0), (err: Error & { code?: string }) => err.code === 'K2P_PLS_DECODE');
});
