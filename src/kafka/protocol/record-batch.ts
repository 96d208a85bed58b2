// Record batch v2 (magic 2, the only format Kafka 4 stores), walked in place: no object per record.
// Batch header (61 bytes, big endian): base_offset int64 @0, batch_length int32 @8 (bytes after it),
// partition_leader_epoch int32 @12, magic int8 @16, crc uint32 @17, attributes int16 @21 (bits 0-2
// compression, 3 log-append time, 4 transactional, 5 control), last_offset_delta int32 @23,
// base_timestamp int64 @27, max_timestamp int64 @35, producer_id int64 @43, producer_epoch int16 @51,
// base_sequence int32 @53, records_count int32 @57, then the records (compressed as a whole when bits 0-2
// say so). A record: length varint, attributes int8, timestamp_delta varlong, offset_delta varint,
// key_length varint (-1: null), key, value_length varint (-1: null), value, header_count varint, per header:
// name_length varint, name (UTF-8), value_length varint (-1: null), value. Varints are zigzag-encoded.
// The CRC is not checked: the broker checked it when the batch was appended.
import { gunzipSync } from 'node:zlib';
import { lz4FrameDecompress } from '../codecs/lz4-frame.js';
import { snappyKafkaDecompress } from '../codecs/snappy-xerial.js';
import { zstdKafkaDecompress } from '../codecs/zstd.js';
import { K2pError } from '../../errors.js';
import { protocolError } from './wire.js';

export const BATCH_HEADER = 61;
const LOG_OVERHEAD = 12; // base_offset + batch_length

export const Compression = Object.freeze({ none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 });
export const ControlType = Object.freeze({ abort: 0, commit: 1 });

export interface RecordBatchView {
  /** The bytes holding the batch (the fetch response's records) and where it lies in them. */
  buf: Buffer;
  start: number;
  end: number;
  baseOffset: number;
  lastOffset: number;
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  recordCount: number;
}

const int64 = (buf: Buffer, at: number) => buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);

export const compressionOf = (b: RecordBatchView) => b.attributes & 7;
export const isTransactional = (b: RecordBatchView) => (b.attributes & 0x10) !== 0;
export const isControl = (b: RecordBatchView) => (b.attributes & 0x20) !== 0;

/**
 * The whole batches in a fetch response's records, and where a batch cut short by the response's size
 * limit starts (records.length when none is): the caller fetches again from that batch.
 */
export function splitBatches(records: Buffer): { batches: RecordBatchView[]; truncatedAt: number } {
  const batches: RecordBatchView[] = [];
  let at = 0;
  while (records.length - at >= LOG_OVERHEAD) {
    const size = LOG_OVERHEAD + records.readInt32BE(at + 8);
    if (records.length - at < size) break;
    const magic = records.readInt8(at + 16);
    if (magic !== 2)
      throw protocolError(`a Kafka batch at offset ${int64(records, at)} has record format v${magic}; only v2 can be read`, {
        magic,
      });
    if (size < BATCH_HEADER) throw protocolError(`a Kafka record batch claims ${size} bytes`, { size });
    batches.push({
      buf: records,
      start: at,
      end: at + size,
      baseOffset: int64(records, at),
      lastOffset: int64(records, at) + records.readInt32BE(at + 23),
      attributes: records.readInt16BE(at + 21),
      baseTimestamp: int64(records, at + 27),
      maxTimestamp: int64(records, at + 35),
      producerId: int64(records, at + 43),
      recordCount: records.readInt32BE(at + 57),
    });
    at += size;
  }
  return { batches, truncatedAt: at };
}

/** The batch's records section, decompressed (a view of the response when not compressed). */
export function recordsOf(b: RecordBatchView): Buffer | Promise<Buffer> {
  const body = b.buf.subarray(b.start + BATCH_HEADER, b.end);
  const codec = compressionOf(b);
  try {
    switch (codec) {
      case Compression.none:
        return body;
      case Compression.gzip:
        return gunzipSync(body);
      case Compression.snappy:
        return snappyKafkaDecompress(body);
      case Compression.lz4:
        return lz4FrameDecompress(body);
      case Compression.zstd:
        return zstdKafkaDecompress(body);
    }
  } catch (err) {
    if (err instanceof K2pError) throw err;
    throw new K2pError('K2P_KFK_CODEC', `cannot decompress the Kafka batch at offset ${b.baseOffset} (codec ${codec}): ${(err as Error).message}`, { codec, offset: b.baseOffset }, { cause: err });
  }
  throw new K2pError('K2P_KFK_CODEC', `the Kafka batch at offset ${b.baseOffset} uses unknown compression codec ${codec}`, { codec, offset: b.baseOffset });
}

/**
 * One record after another of one batch, read in place: after next(), the fields describe the current
 * record (key and value as start and length in `buf`, length -1 for null); nextHeader() steps through its
 * headers the same way. One cursor serves any number of batches (reset).
 */
export class RecordCursor {
  buf: Buffer = Buffer.alloc(0);
  offset = 0;
  timestamp = 0;
  keyStart = 0;
  keyLength = -1;
  valueStart = 0;
  valueLength = -1;
  headerCount = 0;
  nameStart = 0;
  nameLength = 0;
  headerValueStart = 0;
  headerValueLength = -1;
  private pos = 0;
  private end = 0;
  private left = 0;
  private headersLeft = 0;
  private recordEnd = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  private appendTime = -1;

  /** Starts on a batch whose records section (decompressed) is `records`. */
  reset(batch: RecordBatchView, records: Buffer): this {
    this.buf = records;
    this.pos = 0;
    this.end = records.length;
    this.left = batch.recordCount;
    this.recordEnd = 0;
    this.baseOffset = batch.baseOffset;
    this.baseTimestamp = batch.baseTimestamp;
    // Log-append time: every record takes the batch's max timestamp (as the Java consumer reads it).
    this.appendTime = (batch.attributes & 0x08) !== 0 ? batch.maxTimestamp : -1;
    return this;
  }

  /** Moves to the next record; false after the last. */
  next(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    if (this.recordEnd > this.pos) this.pos = this.recordEnd;
    const length = this.varint();
    this.recordEnd = this.pos + length;
    if (length < 0 || this.recordEnd > this.end) throw this.malformed();
    this.pos++; // attributes (unused)
    const tsDelta = this.varlong();
    this.offset = this.baseOffset + this.varint();
    this.timestamp = this.appendTime >= 0 ? this.appendTime : this.baseTimestamp + tsDelta;
    this.keyLength = this.varint();
    this.keyStart = this.pos;
    if (this.keyLength > 0) this.pos += this.keyLength;
    this.valueLength = this.varint();
    this.valueStart = this.pos;
    if (this.valueLength > 0) this.pos += this.valueLength;
    this.headerCount = this.varint();
    this.headersLeft = this.headerCount;
    if (this.pos > this.recordEnd || this.headerCount < 0) throw this.malformed();
    return true;
  }

  /** Moves to the current record's next header; false after the last. */
  nextHeader(): boolean {
    if (this.headersLeft <= 0) return false;
    this.headersLeft--;
    this.nameLength = this.varint();
    this.nameStart = this.pos;
    this.pos += this.nameLength;
    this.headerValueLength = this.varint();
    this.headerValueStart = this.pos;
    if (this.headerValueLength > 0) this.pos += this.headerValueLength;
    if (this.nameLength < 0 || this.pos > this.recordEnd) throw this.malformed();
    return true;
  }

  private malformed(): Error {
    return protocolError(`a Kafka record near offset ${this.offset} is malformed (at byte ${this.pos} of ${this.end})`);
  }

  /** A zigzag varint of at most 32 bits. */
  private varint(): number {
    const buf = this.buf;
    let u = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end || shift > 28) throw this.malformed();
      const b = buf[this.pos++]!;
      u |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    return (u >>> 1) ^ -(u & 1);
  }

  /** A zigzag varint of up to 64 bits, exact within ±2^53. */
  private varlong(): number {
    const buf = this.buf;
    let u = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end || mul > 2 ** 63) throw this.malformed();
      const b = buf[this.pos++]!;
      u += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
}

/** A control batch's marker: ControlType.abort or .commit (its first record's key: version int16, type int16). */
export function controlTypeOf(batch: RecordBatchView, records: Buffer): number {
  const c = new RecordCursor().reset(batch, records);
  if (!c.next() || c.keyLength < 4) throw protocolError(`the Kafka control batch at offset ${batch.baseOffset} has no marker`);
  return records.readInt16BE(c.keyStart + 2);
}
