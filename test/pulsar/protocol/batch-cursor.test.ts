// Layer 1 (no broker): BatchCursor (batch-cursor.ts), which walks a decompressed batch payload in place and
// gives byte ranges, against the decoder (scanBatch in batch.ts). Seeded random batches (repeated, empty and
// non-ASCII properties, string / base64 / null / empty keys, event times and sequence ids past 2^53,
// ordering keys, tombstones, compacted-out messages, unknown fields) must read the same message for message
// through both. Hand-made odd encodings (bytes after the last message, truncation, oversized metadata, no
// payload_size, a known field with another wire type, groups, a property without its value, a varint past
// 64 bits) must stop the cursor with `odd`; unknown fields must not. reset() must start a walk cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchCursor } from '../../../src/pulsar/protocol/batch-cursor.js';
import { encodeBatch, scanBatch, type BatchMessageInput } from '../../../src/pulsar/protocol/batch.js';
import { encodeMessage } from '../../../src/pulsar/protocol/codec.js';
import {
  SingleMessageMetadataSpec,
  type KeyValue,
  type SingleMessageMetadata,
} from '../../../src/pulsar/protocol/messages.js';
import { keyFields } from '../../../src/pulsar/protocol/keys.js';
import { rng } from '../../mirror/record-mapping-cases.js'; // mulberry32, seeded

// ---- hand-made protobuf bytes -------------------------------------------------------------------------

function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
const tag = (no: number, wireType: number): Buffer => varint(no * 8 + wireType);
/** A varint field. */
const vf = (no: number, value: number | bigint): Buffer => Buffer.concat([tag(no, 0), varint(value)]);
/** A length-delimited field. */
const ld = (no: number, body: Buffer | string): Buffer => {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([tag(no, 2), varint(b.length), b]);
};
/** One batch entry: [4-byte metadata size][metadata][payload]. */
function entry(meta: Buffer, payload: Uint8Array | string = Buffer.alloc(0)): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(meta.length);
  return Buffer.concat([size, meta, typeof payload === 'string' ? Buffer.from(payload) : payload]);
}
/** A property (field 1) as a KeyValue message. */
const prop = (key: string, value: string): Buffer => ld(1, Buffer.concat([ld(1, key), ld(2, value)]));

// ---- what each side reads -----------------------------------------------------------------------------

interface Seen {
  index: number;
  body: Buffer | null;
  compactedOut: boolean;
  key: string | undefined;
  keyB64: boolean;
  nullKey: boolean;
  eventTime: number;
  sequenceId: number | undefined;
  properties: KeyValue[];
}

function decoded(payload: Buffer, n: number): Seen[] {
  const out: Seen[] = [];
  scanBatch(
    payload,
    n,
    (index, m, body) => {
      out.push({
        index,
        body: body === null ? null : Buffer.from(body),
        compactedOut: m.compactedOut === true,
        key: m.partitionKey,
        keyB64: m.partitionKeyB64Encoded === true,
        nullKey: m.nullPartitionKey === true,
        eventTime: m.eventTime ?? 0,
        sequenceId: m.sequenceId === undefined ? undefined : Number(m.sequenceId),
        // the decoder reuses its list and objects: copy them
        properties: (m.properties ?? []).map((p) => ({ key: p.key, value: p.value })),
      });
      if (m.nullValue) assert.equal(body, null);
    },
    { skipCompactedOut: false },
  );
  return out;
}

const text = (c: BatchCursor, start: number, length: number): string =>
  c.buf.toString('utf8', start, start + length);

function cursorProperties(c: BatchCursor): KeyValue[] {
  const props: KeyValue[] = [];
  c.firstProperty();
  while (c.nextProperty()) {
    props.push({ key: text(c, c.nameStart, c.nameLength), value: text(c, c.valueStart, c.valueLength) });
  }
  return props;
}

/** Walks the whole batch with `c` and checks every message against the decoder. */
function checkAgainstDecoder(c: BatchCursor, payload: Buffer, n: number, where: string): void {
  const want = decoded(payload, n);
  assert.equal(want.length, n, where);
  c.reset(payload, n);
  assert.equal(c.index, -1, where);
  assert.equal(c.odd, false, where);
  let expectedMetaStart = 4;
  for (const w of want) {
    const at = `${where} message ${w.index}`;
    assert.equal(c.next(), true, at);
    assert.equal(c.odd, false, at);
    assert.equal(c.index, w.index, at);
    // layout: the 4-byte size right before the metadata, the payload right after it
    assert.equal(c.metaStart, expectedMetaStart, at);
    assert.equal(payload.readUInt32BE(c.metaStart - 4), c.metaEnd - c.metaStart, at);
    assert.ok(c.metaEnd - c.metaStart >= 2, at); // at least payload_size's tag and value
    assert.equal(c.payloadStart, c.metaEnd, at);
    assert.ok(c.payloadEnd >= c.payloadStart && c.payloadEnd <= payload.length, at);
    expectedMetaStart = c.payloadEnd + 4;
    // payload
    assert.equal(c.nullValue, w.body === null, at);
    if (w.body === null) assert.equal(c.payloadEnd - c.payloadStart, 0, at);
    else assert.deepEqual(payload.subarray(c.payloadStart, c.payloadEnd), w.body, at);
    assert.equal(c.compactedOut, w.compactedOut, at);
    // key
    if (w.key === undefined) assert.ok(c.keyStart < 0, at);
    else {
      assert.ok(c.keyStart >= c.metaStart && c.keyStart + c.keyLength <= c.metaEnd, at);
      assert.equal(text(c, c.keyStart, c.keyLength), w.key, at);
    }
    assert.equal(c.keyB64, w.keyB64, at);
    assert.equal(c.nullKey, w.nullKey, at);
    // numbers
    assert.equal(c.eventTime, w.eventTime, at);
    assert.equal(c.hasSequenceId, w.sequenceId !== undefined, at);
    if (w.sequenceId !== undefined) assert.equal(c.sequenceId, w.sequenceId, at);
    // properties, twice (firstProperty restarts the walk)
    assert.deepEqual(cursorProperties(c), w.properties, at);
    assert.deepEqual(cursorProperties(c), w.properties, at);
    assert.equal(c.odd, false, at);
  }
  assert.equal(c.next(), false, where);
  assert.equal(c.odd, false, where);
  assert.equal(c.index, n - 1, where);
  assert.equal(c.next(), false, where); // stays at the end
  assert.equal(c.odd, false, where);
}

// ---- random batches -----------------------------------------------------------------------------------

const NAMES = ['kafka.offset', 'trace-id', 'h', 'é', '日本語', '', 'x-😀', 'dup', 'dup'];
const VALUES = ['', '0', '41', 'value with spaces', 'naïve café', '中文', '🙂🙃', 'a'.repeat(300)];
const EVENT_TIMES = [0, 1, 1.7e12, 1700000000001, 2 ** 53, 2 ** 53 + 2, 2 ** 60, 2 ** 64 - 2048];
const SEQUENCE_IDS = [
  0n,
  1n,
  127n,
  128n,
  41n,
  2n ** 31n,
  2n ** 32n + 1n,
  2n ** 53n + 1n,
  2n ** 60n + 7n,
  2n ** 64n - 1n,
];

function randomMessages(rnd: () => number): BatchMessageInput[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const bytes = (max: number): Buffer => {
    const b = Buffer.alloc(Math.floor(rnd() * (max + 1)));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
    return b;
  };
  const n = 1 + Math.floor(rnd() * 12);
  const messages: BatchMessageInput[] = [];
  for (let i = 0; i < n; i++) {
    const meta: Omit<SingleMessageMetadata, 'payloadSize'> = {};
    const pr = rnd();
    if (pr < 0.1) meta.properties = [];
    else if (pr < 0.7) {
      const count = 1 + Math.floor(rnd() * (rnd() < 0.1 ? 40 : 5));
      meta.properties = [];
      for (let j = 0; j < count; j++) meta.properties.push({ key: pick(NAMES), value: pick(VALUES) });
    }
    const kr = rnd();
    if (kr < 0.3) Object.assign(meta, keyFields(pick(['k', 'order-1', '', 'ключ', '🔑', 'x'.repeat(200)])));
    else if (kr < 0.5) Object.assign(meta, keyFields(bytes(20)));
    else if (kr < 0.6) Object.assign(meta, keyFields(null));
    else if (kr < 0.7) {
      // odd but legal combinations of the three key fields
      meta.partitionKey = pick(['k', '']);
      if (rnd() < 0.5) meta.partitionKeyB64Encoded = rnd() < 0.5;
      if (rnd() < 0.5) meta.nullPartitionKey = rnd() < 0.5;
    }
    if (rnd() < 0.6) meta.eventTime = rnd() < 0.3 ? Math.floor(rnd() * 2e12) : pick(EVENT_TIMES);
    if (rnd() < 0.6) {
      meta.sequenceId = rnd() < 0.3 ? BigInt(Math.floor(rnd() * 1e6)) : pick(SEQUENCE_IDS);
    }
    if (rnd() < 0.2) meta.orderingKey = bytes(10);
    const cr = rnd();
    if (cr < 0.15) meta.compactedOut = true;
    else if (cr < 0.25) meta.compactedOut = false;
    const vr = rnd();
    const payload = vr < 0.15 ? null : vr < 0.25 ? Buffer.alloc(0) : vr < 0.3 ? bytes(3000) : bytes(100);
    messages.push({ metadata: meta, payload });
  }
  return messages;
}

/** Unknown fields (numbers past 10) of every skippable wire type, to put around and between known ones. */
function unknownFields(rnd: () => number): Buffer {
  const parts: Buffer[] = [];
  const count = Math.floor(rnd() * 3);
  for (let i = 0; i < count; i++) {
    const no = [11, 15, 16, 99, 1000, 536870911][Math.floor(rnd() * 6)]!;
    switch (Math.floor(rnd() * 4)) {
      case 0:
        parts.push(vf(no, rnd() < 0.5 ? Math.floor(rnd() * 300) : 2n ** 63n + 5n));
        break;
      case 1:
        parts.push(ld(no, rnd() < 0.5 ? '' : 'unknown ✓'));
        break;
      case 2:
        parts.push(tag(no, 1), Buffer.alloc(8, 0xee));
        break;
      default:
        parts.push(tag(no, 5), Buffer.alloc(4, 0xdd));
    }
  }
  return Buffer.concat(parts);
}

/** The same messages framed by hand, each metadata with unknown fields before and after its own fields. */
function withUnknownFields(messages: readonly BatchMessageInput[], rnd: () => number): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const size = m.payload ? m.payload.length : 0;
      const meta: SingleMessageMetadata = { ...m.metadata, payloadSize: size };
      if (m.payload === null) meta.nullValue = true;
      const known = encodeMessage(SingleMessageMetadataSpec, meta);
      return entry(Buffer.concat([unknownFields(rnd), known, unknownFields(rnd)]), m.payload ?? undefined);
    }),
  );
}

test('the cursor reads what scanBatch decodes, over 400 seeded random batches', () => {
  const rnd = rng(0x5eed_ba7c);
  const c = new BatchCursor(); // one cursor for all: reset must start each walk cleanly
  let messages = 0;
  let tombstones = 0;
  let compacted = 0;
  let bigSequenceIds = 0;
  let repeatedNames = 0;
  for (let b = 0; b < 400; b++) {
    const batch = randomMessages(rnd);
    messages += batch.length;
    for (const m of batch) {
      if (m.payload === null) tombstones++;
      if (m.metadata?.compactedOut) compacted++;
      if ((m.metadata?.sequenceId ?? 0n) > 2n ** 53n) bigSequenceIds++;
      const names = (m.metadata?.properties ?? []).map((p) => p.key);
      if (new Set(names).size < names.length) repeatedNames++;
    }
    checkAgainstDecoder(c, encodeBatch(batch), batch.length, `batch ${b}`);
    if (b % 4 === 0)
      checkAgainstDecoder(c, withUnknownFields(batch, rnd), batch.length, `batch ${b} +unknown`);
  }
  // the generator did produce the cases it is meant to
  assert.ok(messages > 2000, `${messages} messages`);
  assert.ok(tombstones > 100 && compacted > 100 && bigSequenceIds > 50 && repeatedNames > 50);
});

test('an empty batch: next() is false at once, not odd', () => {
  const c = new BatchCursor().reset(Buffer.alloc(0), 0);
  assert.equal(c.next(), false);
  assert.equal(c.odd, false);
  assert.equal(c.index, -1);
});

test('hand-made: fields out of order, repeated (last wins) and unknown ones are read like the decoder', () => {
  const meta = Buffer.concat([
    vf(99, 12345),
    ld(99, 'skipped'),
    vf(8, 5), // sequence_id
    prop('a', '1'),
    vf(3, 2), // payload_size
    ld(2, 'first'),
    tag(98, 1),
    Buffer.alloc(8, 1),
    tag(97, 5),
    Buffer.alloc(4, 2),
    prop('b', ''),
    ld(2, 'second'), // partition_key again: last wins
    vf(5, 1700000000001n), // event_time
    vf(8, 2n ** 60n + 7n), // sequence_id again
    prop('a', '3'),
    vf(99, 2n ** 64n - 1n),
  ]);
  const payload = entry(meta, 'ok');
  const c = new BatchCursor().reset(payload, 1);
  assert.equal(c.next(), true);
  assert.equal(c.odd, false);
  assert.equal(text(c, c.payloadStart, c.payloadEnd - c.payloadStart), 'ok');
  assert.equal(text(c, c.keyStart, c.keyLength), 'second');
  assert.equal(c.eventTime, 1700000000001);
  assert.equal(c.hasSequenceId, true);
  assert.equal(c.sequenceId, Number(2n ** 60n + 7n));
  assert.deepEqual(cursorProperties(c), [
    { key: 'a', value: '1' },
    { key: 'b', value: '' },
    { key: 'a', value: '3' },
  ]);
  assert.equal(c.odd, false);
  assert.equal(c.next(), false);
  assert.equal(c.odd, false);
  checkAgainstDecoder(new BatchCursor(), payload, 1, 'hand-made');
});

test('hand-made: an unknown field inside a property is skipped, the property still read', () => {
  const kv = Buffer.concat([
    vf(3, 7),
    ld(1, 'name'),
    ld(99, 'x'),
    ld(2, 'värde'),
    tag(4, 5),
    Buffer.alloc(4),
  ]);
  const payload = entry(Buffer.concat([ld(1, kv), vf(3, 0)]));
  const c = new BatchCursor().reset(payload, 1);
  assert.equal(c.next(), true);
  assert.deepEqual(cursorProperties(c), [{ key: 'name', value: 'värde' }]);
  assert.equal(c.odd, false);
  checkAgainstDecoder(new BatchCursor(), payload, 1, 'unknown in KeyValue');
});

test('hand-made: unknown field 99 (varint or length-delimited) alone with payload_size is not odd', () => {
  for (const unknown of [vf(99, 1), vf(99, 2n ** 63n), ld(99, ''), ld(99, 'abc')]) {
    const c = new BatchCursor().reset(
      entry(Buffer.concat([unknown, vf(3, 3), vf(10, 1), unknown]), 'xyz'),
      1,
    );
    assert.equal(c.next(), true, unknown.toString('hex'));
    assert.equal(c.odd, false);
    assert.equal(c.payloadEnd - c.payloadStart, 3);
    assert.equal(c.nullKey, true); // the field after the unknown one is read
    assert.equal(c.next(), false);
    assert.equal(c.odd, false);
  }
});

// ---- odd encodings ------------------------------------------------------------------------------------

/**
 * Walks `payload` (`count` messages): the first `good` messages step, then next() is false with odd set,
 * and stays so.
 */
function expectOdd(payload: Buffer, count: number, good: number, what: string): BatchCursor {
  const c = new BatchCursor().reset(payload, count);
  for (let i = 0; i < good; i++) {
    assert.equal(c.next(), true, `${what}: message ${i}`);
    assert.equal(c.odd, false, `${what}: message ${i}`);
  }
  assert.equal(c.next(), false, what);
  assert.equal(c.odd, true, what);
  assert.equal(c.index, good - 1, what);
  assert.equal(c.next(), false, what);
  assert.equal(c.odd, true, what);
  return c;
}

const TWO = encodeBatch([
  { metadata: { partitionKey: 'k', properties: [{ key: 'p', value: 'v' }] }, payload: Buffer.from('first') },
  { metadata: { sequenceId: 2n }, payload: Buffer.from('second payload') },
]);

test('odd: bytes left after the last message', () => {
  expectOdd(Buffer.concat([TWO, Buffer.from([0])]), 2, 2, 'one byte left');
  expectOdd(Buffer.concat([TWO, entry(vf(3, 0))]), 2, 2, 'a whole extra message');
  // the decoder refuses the same bytes
  assert.throws(() => decoded(Buffer.concat([TWO, Buffer.from([0])]), 2));
});

test('odd: a truncated batch', () => {
  // cut in the second message's payload, in its metadata, in its size prefix, and right before it
  const secondAt = 4 + TWO.readUInt32BE(0) + 'first'.length;
  for (const cut of [TWO.length - 1, TWO.length - 'second payload'.length - 1, secondAt + 5, secondAt + 2]) {
    expectOdd(TWO.subarray(0, cut), 2, 1, `cut at ${cut} of ${TWO.length}`);
    assert.throws(() => decoded(TWO.subarray(0, cut), 2));
  }
  expectOdd(TWO.subarray(0, secondAt), 2, 1, 'second message missing');
  // cut inside the first message's payload
  expectOdd(TWO.subarray(0, secondAt - 2), 2, 0, 'first payload cut');
  // the whole batch, but more messages announced than it holds
  expectOdd(TWO, 3, 2, 'count too high');
});

test('odd: metadata size larger than what is left', () => {
  const meta = vf(3, 0);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(meta.length + 1);
  expectOdd(Buffer.concat([header, meta]), 1, 0, 'one byte short');
  header.writeUInt32BE(0xffffffff);
  expectOdd(Buffer.concat([header, meta]), 1, 0, '4 GiB metadata');
  // after a good message
  expectOdd(Buffer.concat([entry(vf(3, 1), 'a'), header, meta]), 2, 1, 'second message');
});

test('odd: payload_size larger than what is left, or negative', () => {
  expectOdd(entry(vf(3, 4), 'abc'), 1, 0, 'payload_size 4, 3 bytes');
  expectOdd(entry(vf(3, 2n ** 64n - 1n)), 1, 0, 'payload_size -1');
});

test('odd: a message without payload_size (field 3)', () => {
  expectOdd(entry(ld(2, 'k'), 'abc'), 1, 0, 'key only');
  expectOdd(entry(Buffer.alloc(0)), 1, 0, 'empty metadata');
  expectOdd(
    Buffer.concat([entry(vf(3, 1), 'a'), entry(Buffer.concat([prop('a', 'b'), vf(8, 1)]))]),
    2,
    1,
    'second',
  );
});

test('odd: a known field with the wrong wire type', () => {
  expectOdd(entry(Buffer.concat([ld(3, Buffer.from([0])), vf(3, 0)])), 1, 0, 'payload_size length-delimited');
  expectOdd(entry(Buffer.concat([vf(3, 0), vf(2, 1)])), 1, 0, 'partition_key as varint');
  expectOdd(entry(Buffer.concat([vf(3, 0), vf(1, 1)])), 1, 0, 'properties as varint');
  expectOdd(entry(Buffer.concat([vf(3, 0), ld(8, 'x')])), 1, 0, 'sequence_id length-delimited');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(5, 1), Buffer.alloc(8)])), 1, 0, 'event_time fixed64');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(9, 5), Buffer.alloc(4)])), 1, 0, 'null_value fixed32');
  expectOdd(entry(Buffer.concat([vf(3, 0), vf(7, 1)])), 1, 0, 'ordering_key as varint');
});

test('odd: a field with wire type 3 (start group) or 4 (end group)', () => {
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(99, 3), tag(99, 4)])), 1, 0, 'unknown field, start group');
  expectOdd(entry(Buffer.concat([tag(20, 3), vf(3, 0), tag(20, 4)])), 1, 0, 'group before payload_size');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(99, 4)])), 1, 0, 'unknown field, end group');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(4, 3), tag(4, 4)])), 1, 0, 'compacted_out as a group');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(99, 6)])), 1, 0, 'wire type 6');
});

test('odd: a field past the end of the metadata, a varint past 64 bits', () => {
  const cut = ld(2, 'key').subarray(0, 4); // length 3, 1 byte of it there
  expectOdd(entry(Buffer.concat([vf(3, 0), cut])), 1, 0, 'partition_key past the end');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(99, 1), Buffer.alloc(7)])), 1, 0, 'fixed64 past the end');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(99, 5), Buffer.alloc(3)])), 1, 0, 'fixed32 past the end');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(8, 0), Buffer.from([0x80])])), 1, 0, 'varint cut');
  const eleven = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x01]);
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(8, 0), eleven])), 1, 0, 'sequence_id, 11-byte varint');
  expectOdd(entry(Buffer.concat([vf(3, 0), tag(99, 0), eleven])), 1, 0, 'unknown field, 11-byte varint');
  // read as a 10-byte varint, its last byte and the next would be a plain payload_size 0 (18 00)
  const tricky = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x18, 0x00]);
  expectOdd(entry(Buffer.concat([tag(8, 0), tricky])), 1, 0, 'sequence_id, 11-byte varint, 18 00 after');
});

test('odd: a property without its value (or its key) stops nextProperty', () => {
  const cases: [string, Buffer, KeyValue[]][] = [
    ['no value', ld(1, ld(1, 'name')), []],
    ['no key', ld(1, ld(2, 'value')), []],
    ['empty KeyValue', ld(1, Buffer.alloc(0)), []],
    ['second without value', Buffer.concat([prop('a', 'b'), ld(1, ld(1, 'c'))]), [{ key: 'a', value: 'b' }]],
    ['key as varint', ld(1, Buffer.concat([vf(1, 5), ld(2, 'v')])), []],
    ['value past its end', ld(1, Buffer.concat([ld(1, 'k'), tag(2, 2), varint(9), Buffer.from('v')])), []],
  ];
  for (const [what, props, before] of cases) {
    const payload = entry(Buffer.concat([props, vf(3, 1), ld(2, 'key')]), 'p');
    const c = new BatchCursor().reset(payload, 1);
    assert.equal(c.next(), true, what); // next() does not look inside properties
    assert.equal(c.odd, false, what);
    assert.equal(text(c, c.keyStart, c.keyLength), 'key', what);
    c.firstProperty();
    const seen: KeyValue[] = [];
    while (c.nextProperty()) {
      seen.push({ key: text(c, c.nameStart, c.nameLength), value: text(c, c.valueStart, c.valueLength) });
    }
    assert.deepEqual(seen, before, what);
    assert.equal(c.odd, true, what);
    assert.equal(c.nextProperty(), false, what); // stays stopped
    assert.equal(c.next(), false, what);
    assert.equal(c.odd, true, what);
  }
});

// ---- reset --------------------------------------------------------------------------------------------

test('reset: one cursor reused after an odd batch and in mid-walk starts cleanly', () => {
  const c = new BatchCursor();
  // odd first
  c.reset(Buffer.concat([TWO, Buffer.from([1, 2])]), 2);
  while (c.next());
  assert.equal(c.odd, true);
  assert.equal(c.index, 1);
  c.reset(TWO, 2);
  assert.equal(c.odd, false);
  assert.equal(c.index, -1);
  checkAgainstDecoder(c, TWO, 2, 'after odd');
  // odd from a property
  c.reset(entry(Buffer.concat([ld(1, ld(1, 'n')), vf(3, 0)])), 1);
  assert.equal(c.next(), true);
  c.firstProperty();
  assert.equal(c.nextProperty(), false);
  assert.equal(c.odd, true);
  checkAgainstDecoder(c, TWO, 2, 'after odd property');
  // in mid-walk: the second batch is walked from its start, with its own count
  const other = encodeBatch([
    { metadata: { eventTime: 7 }, payload: Buffer.from('x') },
    { payload: null },
    { metadata: { partitionKey: 'z' }, payload: Buffer.from('yy') },
  ]);
  c.reset(TWO, 2);
  assert.equal(c.next(), true);
  assert.equal(c.index, 0);
  c.reset(other, 3);
  assert.equal(c.index, -1);
  assert.equal(c.odd, false);
  const bodies: string[] = [];
  while (c.next()) bodies.push(text(c, c.payloadStart, c.payloadEnd - c.payloadStart));
  assert.deepEqual(bodies, ['x', '', 'yy']);
  assert.equal(c.odd, false);
  assert.equal(c.index, 2);
  checkAgainstDecoder(c, other, 3, 'after mid-walk');
});
