// The record batch writer against our batch reader (no broker): every field lands where record-batch.ts reads
// it, the CRC32C covers attributes..end, and sizes with multi-byte varints come out right.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { writeRecordBatch } from '../../../src/kafka/protocol/record-batch-writer.js';
import { walk } from '../../helpers/kafka-records.js';

const producer = { producerId: 4242, producerEpoch: 3, baseSequence: 17 };

test('records, keys, nulls, headers and timestamps read back as written; header fields and CRC in place', async () => {
  const t = 1_700_000_000_000;
  const records = [
    { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: t, headers: [] },
    { key: null, value: Buffer.from('no key'), timestamp: t + 5, headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'h', value: null }] },
    { key: Buffer.from('tombstone'), value: null, timestamp: t - 3, headers: [{ key: 'ünï', value: Buffer.from('y') }] },
  ];
  const batch = writeRecordBatch(records, producer);
  const { batches, records: got } = await walk(batch);
  assert.equal(batches.length, 1);
  const b = batches[0]!;
  assert.equal(b.recordCount, 3);
  assert.equal(b.producerId, 4242);
  assert.equal(b.lastOffset, 2);
  assert.equal(b.baseTimestamp, t);
  assert.equal(b.maxTimestamp, t + 5);
  assert.equal(batch.readInt16BE(51), 3, 'producer epoch');
  assert.equal(batch.readInt32BE(53), 17, 'base sequence');
  assert.equal(batch.readInt32BE(8), batch.length - 12, 'batch length');
  assert.equal(batch.readUInt32BE(17), crc32c(batch.subarray(21)) >>> 0);
  assert.deepEqual(got, [
    { offset: 0, timestamp: t, key: 'k1', value: 'v1', headers: [] },
    { offset: 1, timestamp: t + 5, key: null, value: 'no key', headers: [['h', 'x'], ['h', null]] },
    { offset: 2, timestamp: t - 3, key: 'tombstone', value: null, headers: [['ünï', 'y']] },
  ]);
});

test('large values and many records: multi-byte varints sized and written consistently', async () => {
  const big = Buffer.alloc(70_000, 'a');
  const records = Array.from({ length: 300 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: i === 150 ? big : Buffer.from(`v${i}`), timestamp: 1_000 + i * 1_000, headers: [] }));
  const batch = writeRecordBatch(records, producer);
  const { records: got } = await walk(batch);
  assert.equal(got.length, 300);
  assert.equal(got[150]!.value!.length, 70_000);
  assert.equal(got[299]!.offset, 299);
  assert.equal(got[299]!.timestamp, 300_000);
  assert.equal(got[298]!.key, 'k298');
});
