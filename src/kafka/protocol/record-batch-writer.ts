// Record batch v2 (magic 2) written for a Produce request: one uncompressed batch per partition, the layout
// record-batch.ts reads (see its header comment). The broker assigns the offsets (base_offset 0 here); the
// producer id, epoch and base sequence make the batch idempotent: a retry sends the same bytes again and the
// broker recognises it. CRC32C covers attributes..end. One buffer, sized first: no growing, no copy per record.
// The same CRC32C as Pulsar's frames: the hardware instruction when @node-rs/crc32 is installed for this
// platform, else JavaScript (a static import of the native package would also break the status bundle).
import { crc32c } from '../../pulsar/protocol/crc32c.js';

export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: readonly { key: string; value: Buffer | null }[];
}

export interface BatchProducer {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

const HEADER = 61;
const CRC_FROM = 21;

function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1; // zigzag, in doubles: record sizes and deltas stay far below 2^53
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Buffer, at: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[at++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}

const nullableSize = (b: Buffer | null) => (b === null ? 1 : varintSize(b.length) + b.length);

function writeNullable(buf: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, at, -1);
  at = writeVarint(buf, at, b.length);
  buf.set(b, at);
  return at + b.length;
}

/** Body size of each record (after its length varint), for sizing the batch in one pass. */
function bodySize(r: OutgoingRecord, timestampDelta: number, offsetDelta: number, names: Buffer[]): number {
  let n = 1 + varintSize(timestampDelta) + varintSize(offsetDelta) + nullableSize(r.key) + nullableSize(r.value) + varintSize(r.headers.length);
  for (const h of r.headers) {
    const name = Buffer.from(h.key, 'utf8');
    names.push(name);
    n += varintSize(name.length) + name.length + nullableSize(h.value);
  }
  return n;
}

/** One record batch v2 holding `records` in order (at least one), ready to be the partition's `records` bytes. */
export function writeRecordBatch(records: readonly OutgoingRecord[], producer: BatchProducer): Buffer {
  const base = records[0]!.timestamp;
  let max = base;
  const sizes = new Array<number>(records.length);
  const names: Buffer[] = [];
  let total = HEADER;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.timestamp > max) max = r.timestamp;
    const size = bodySize(r, r.timestamp - base, i, names);
    sizes[i] = size;
    total += varintSize(size) + size;
  }
  const buf = Buffer.allocUnsafe(total);
  buf.writeBigInt64BE(0n, 0); // base_offset: the broker's to assign
  buf.writeInt32BE(total - 12, 8);
  buf.writeInt32BE(-1, 12); // partition_leader_epoch: the broker's
  buf.writeInt8(2, 16);
  buf.writeInt16BE(0, 21); // attributes: no compression, create time, not transactional
  buf.writeInt32BE(records.length - 1, 23);
  buf.writeBigInt64BE(BigInt(base), 27);
  buf.writeBigInt64BE(BigInt(max), 35);
  buf.writeBigInt64BE(BigInt(producer.producerId), 43);
  buf.writeInt16BE(producer.producerEpoch, 51);
  buf.writeInt32BE(producer.baseSequence, 53);
  buf.writeInt32BE(records.length, 57);
  let at = HEADER;
  let name = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    at = writeVarint(buf, at, sizes[i]!);
    buf[at++] = 0; // record attributes
    at = writeVarint(buf, at, r.timestamp - base);
    at = writeVarint(buf, at, i);
    at = writeNullable(buf, at, r.key);
    at = writeNullable(buf, at, r.value);
    at = writeVarint(buf, at, r.headers.length);
    for (const h of r.headers) {
      at = writeNullable(buf, at, names[name++]!);
      at = writeNullable(buf, at, h.value);
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(CRC_FROM)) >>> 0, 17);
  return buf;
}
