// The record batch v2 walker on bytes kafkajs encodes (every codec, transactional, null key/value,
// tombstones, headers, offset gaps), on cut and foreign bytes, and read_committed on hand-made batch
// sequences. test/kafka/wire/fetch.test.ts walks what the real broker sends.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { isK2pError } from '../../../src/errors.js';
import { loadZstd, registerKafkaCodecs } from '../../../src/kafka/index.js';
import { ReadCommitted } from '../../../src/kafka/protocol/read-committed.js';
import { walk, type WalkedRecord } from '../../helpers/kafka-records.js';
import {
  Compression,
  ControlType,
  controlTypeOf,
  isControl,
  isTransactional,
  RecordCursor,
  recordsOf,
  splitBatches,
  type RecordBatchView,
} from '../../../src/kafka/protocol/record-batch.js';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (o: object) => Promise<Encoded> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: object) => Encoded;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: number | string): unknown };

const BASE = 1_764_000_000_000;
const big = 'v'.repeat(5000);
const inputs = [
  { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('plain'), headers: {} },
  { offsetDelta: 1, timestampDelta: 5, key: null, value: Buffer.from(big), headers: { a: Buffer.from('1'), 'é-ü': Buffer.from('x') } },
  { offsetDelta: 2, timestampDelta: 300_000, key: Buffer.from('tomb'), value: null, headers: { dup: [Buffer.from('first'), Buffer.from('second')] } },
  { offsetDelta: 5, timestampDelta: 7, key: Buffer.alloc(0), value: Buffer.alloc(0), headers: { empty: Buffer.alloc(0) } }, // a gap: 3 and 4 compacted away
];
const expected: WalkedRecord[] = [
  { offset: 100, timestamp: BASE, key: 'k0', value: 'plain', headers: [] },
  { offset: 101, timestamp: BASE + 5, key: null, value: big, headers: [['a', '1'], ['é-ü', 'x']] },
  { offset: 102, timestamp: BASE + 300_000, key: 'tomb', value: null, headers: [['dup', 'first'], ['dup', 'second']] },
  { offset: 105, timestamp: BASE + 7, key: '', value: '', headers: [['empty', '']] },
];

async function encode(compression: number, extra: object = {}): Promise<Buffer> {
  const batch = await RecordBatch({
    compression,
    firstOffset: Long.fromValue(100),
    firstTimestamp: BASE,
    maxTimestamp: BASE + 300_000,
    lastOffsetDelta: 5,
    records: inputs.map((r) => Record(r)),
    ...extra,
  });
  return batch.buffer;
}

for (const [name, codec] of Object.entries(Compression)) {
  test(`a kafkajs batch compressed with ${name}: every record, key, value, header and offset as written`, async () => {
    registerKafkaCodecs();
    await loadZstd();
    const bytes = await encode(codec);
    const { batches, records } = await walk(bytes);
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.baseOffset, 100);
    assert.equal(batches[0]!.lastOffset, 105);
    assert.equal(batches[0]!.attributes & 7, codec);
    assert.deepEqual(records, expected);
  });
}

test('two batches back to back, the second cut short: the first walked, truncatedAt where the second starts', async () => {
  const one = await encode(Compression.none);
  const two = await encode(Compression.gzip, { firstOffset: Long.fromValue(106) });
  const cut = Buffer.concat([one, two.subarray(0, two.length - 1)]);
  const { batches, truncatedAt } = splitBatches(cut);
  assert.equal(batches.length, 1);
  assert.equal(truncatedAt, one.length);
  const whole = splitBatches(Buffer.concat([one, two]));
  assert.deepEqual(whole.batches.map((b) => b.baseOffset), [100, 106]);
  assert.equal(whole.truncatedAt, one.length + two.length);
  // Fewer bytes than a batch's length field: nothing whole.
  assert.equal(splitBatches(one.subarray(0, 10)).batches.length, 0);
});

test('a transactional batch is flagged; log-append time gives every record the batch max timestamp', async () => {
  const tx = splitBatches(await encode(Compression.none, { transactional: true, producerId: Long.fromValue(42) })).batches[0]!;
  assert.ok(isTransactional(tx));
  assert.equal(tx.producerId, 42);
  const bytes = await encode(Compression.none);
  bytes.writeInt16BE(bytes.readInt16BE(21) | 0x08, 21); // LOG_APPEND_TIME
  const { records } = await walk(bytes);
  assert.deepEqual(records.map((r) => r.timestamp), [BASE + 300_000, BASE + 300_000, BASE + 300_000, BASE + 300_000]);
});

test('record format v0/v1 (magic < 2) is refused with K2P_KFK_PROTOCOL', async () => {
  const bytes = await encode(Compression.none);
  bytes.writeInt8(1, 16);
  assert.throws(() => splitBatches(bytes), (e: unknown) => isK2pError(e, 'K2P_KFK_PROTOCOL') && /format v1/.test(String(e)));
});

test('a batch claiming more records than its bytes hold is refused, not read past its end', async () => {
  const bytes = await encode(Compression.none);
  bytes.writeInt32BE(inputs.length + 1, 57);
  const b = splitBatches(bytes).batches[0]!;
  const c = new RecordCursor().reset(b, recordsOf(b) as Buffer);
  for (let i = 0; i < inputs.length; i++) assert.ok(c.next());
  assert.throws(() => c.next(), (e: unknown) => isK2pError(e, 'K2P_KFK_PROTOCOL'));
});

/** A batch view as the walker gives it, for read_committed sequences. */
function view(baseOffset: number, lastOffset: number, producerId: number, flags: { tx?: boolean; control?: boolean } = {}): RecordBatchView {
  const attributes = (flags.tx ? 0x10 : 0) | (flags.control ? 0x20 : 0);
  return { buf: Buffer.alloc(0), start: 0, end: 0, baseOffset, lastOffset, attributes, baseTimestamp: 0, maxTimestamp: 0, producerId, recordCount: 1 };
}

test('read_committed: an aborted transaction is skipped from its first offset to its ABORT marker, committed ones and others kept', () => {
  // producer 7 aborts at 10..11 (marker 12), then commits 13 (marker 14); producer 8 commits 10.5-ish batches;
  // a non-transactional batch between them is always kept.
  const rc = new ReadCommitted([{ producerId: 7, firstOffset: 10 }]);
  const seq: [RecordBatchView, number | undefined, boolean][] = [
    [view(9, 9, 7, { tx: true }), undefined, false], // before the aborted transaction started
    [view(10, 10, 7, { tx: true }), undefined, true],
    [view(11, 11, 8, { tx: true }), undefined, false],
    [view(12, 12, -1), undefined, false],
    [view(13, 13, 7, { tx: true }), undefined, true],
    [view(14, 14, 7, { tx: true, control: true }), ControlType.abort, true], // the marker itself: skipped too
    [view(15, 15, 7, { tx: true }), undefined, false], // the next transaction of 7 (committed)
    [view(16, 16, 7, { tx: true, control: true }), ControlType.commit, true],
  ];
  for (const [b, control, skipped] of seq) assert.equal(rc.skip(b, control), skipped, `batch at ${b.baseOffset}`);
  assert.ok(isControl(seq[5]![0]));
});

test('read_committed: a transaction listed as aborted becomes active when a batch reaches its first offset, even mid-batch', () => {
  const rc = new ReadCommitted([
    { producerId: 3, firstOffset: 25 },
    { producerId: 4, firstOffset: 5 },
  ]);
  assert.equal(rc.skip(view(0, 4, 4, { tx: true })), false); // 4's aborted transaction starts at 5
  assert.equal(rc.skip(view(5, 9, 4, { tx: true })), true);
  assert.equal(rc.skip(view(20, 29, 3, { tx: true })), true); // 25 falls inside this batch
  assert.equal(rc.skip(view(30, 30, 4, { tx: true, control: true }), ControlType.abort), true);
  assert.equal(rc.skip(view(31, 31, 4, { tx: true })), false);
  assert.equal(rc.skip(view(32, 32, 3, { tx: true })), true);
});

test('a control batch marker is read from its first record key', async () => {
  // A control record: key = version int16 0, type int16; value = version int16, coordinator epoch int32.
  const key = Buffer.from([0, 0, 0, ControlType.commit]);
  const batch = await RecordBatch({
    firstOffset: Long.fromValue(3),
    records: [Record({ key, value: Buffer.from([0, 0, 0, 0, 0, 1]) })],
    transactional: true,
    producerId: Long.fromValue(9),
  });
  const bytes = batch.buffer;
  bytes.writeInt16BE(bytes.readInt16BE(21) | 0x20, 21);
  const b = splitBatches(bytes).batches[0]!;
  assert.ok(isControl(b));
  assert.equal(controlTypeOf(b, recordsOf(b) as Buffer), ControlType.commit);
});
