// The two sides as the comparison sees them. Kafka: the records of one partition packed in one buffer per
// batch (KafkaBatch) — nothing built per record on the way to the comparison, and a batch read in a worker
// thread crosses over whole. Pulsar: a message and the Kafka offset it stands for; the Kafka record it maps
// back to (fromPulsarMessage, docs/record-mapping.md) is built only when a pair is looked at closely.
import type { KafkaMessage } from 'kafkajs';
import { ambiguousHeaderOrder, inheritedName } from '../mirror/header-order.js';
import {
  fromPulsarMessage,
  type KafkaHeader,
  type MappedRecord,
  PROVENANCE,
} from '../mirror/record-mapping.js';
import type { RecordCursor } from '../kafka/protocol/record-batch.js';
import type { Message } from '../pulsar/client/index.js';

/** One Kafka record, unpacked: for reports, custom comparators, dual-write pairing. */
export interface KafkaSide {
  topic: string;
  partition: number;
  /** A number: Kafka offsets stay far below 2^53, and a BigInt per record costs. */
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeader[];
  /** ms since the epoch as a decimal string; "-1" when none. */
  timestamp: string;
  /**
   * True when read with kafkajs, whose header object could not give this record's header order: `headers`
   * are grouped by name, inherited names left out (kafkajs-headers.ts). Absent otherwise.
   */
  headerOrderUnknown?: true;
}

// Batch layout (little endian; written by KafkaBatch.pack from kafkajs messages and by KafkaBatchWriter from
// Kafka's record batch bytes): i32 count, i32 0, f64 offset × count (8-aligned: a Float64Array over it),
// i32 record start × count, then each record: f64 timestamp, i32 key length (-1: null), key, i32 value
// length (-1: null), value, i32 header count, per header: i32 name length, name (UTF-8), i32 value length
// (-1: null), value.
const HEAD = 8;

type HeaderValue = Buffer | Uint8Array | string | null | undefined;

function bytesOf(v: HeaderValue): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function valueLength(v: HeaderValue): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? v.length * 3 : v.length;
}

/** Writes length and bytes (-1: null) at `at`; returns where it ends. */
function putBytes(buf: Buffer, view: DataView, at: number, b: Buffer | null): number {
  if (b === null) {
    view.setInt32(at, -1, true);
    return at + 4;
  }
  view.setInt32(at, b.length, true);
  buf.set(b, at + 4); // a plain memory copy: Buffer#copy wraps each piece in a new view first
  return at + 4 + b.length;
}

// Header names repeat from record to record: their UTF-8 bytes are kept (a few hundred names at most).
const names = new Map<string, Buffer>();

function putName(buf: Buffer, view: DataView, at: number, name: string): number {
  let bytes = names.get(name);
  if (bytes === undefined) {
    if (names.size >= 512) names.clear();
    bytes = Buffer.from(name, 'utf8');
    names.set(name, bytes);
  }
  view.setInt32(at, bytes.length, true);
  buf.set(bytes, at + 4);
  return at + 4 + bytes.length;
}

export class KafkaBatch {
  readonly count: number;
  /** Offsets of the records, in order (a view of the buffer). */
  readonly offsets: Float64Array;

  /**
   * `buf` must start its own ArrayBuffer (byteOffset 0), as `pack` and a transfer give it.
   * `headerOrderUnknown`: 1 per record whose kafkajs header object could not give the order (set by `pack`
   * only, undefined when no record is such: the fetch reader has the wire order, and so has the common case).
   */
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly buf: Buffer,
    readonly headerOrderUnknown?: Uint8Array,
  ) {
    this.count = buf.readInt32LE(0);
    this.offsets = new Float64Array(buf.buffer, buf.byteOffset + HEAD, this.count);
  }

  /** Packs kafkajs messages (with their offsets as numbers) into one batch of its own ArrayBuffer. */
  static pack(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    offsets: readonly number[],
  ): KafkaBatch {
    const n = messages.length;
    // Sized from above (a header name takes at most 3 bytes per UTF-16 unit); the unused tail is not read.
    let size = HEAD + n * 12;
    let unknown: Uint8Array | undefined;
    for (let i = 0; i < n; i++) {
      const m = messages[i]!;
      size += 20 + (m.key?.length ?? 0) + (m.value?.length ?? 0);
      const headers = m.headers;
      if (!headers) continue;
      // One pass over the names; such records keep kafkajs's grouping, without inherited names (wrong values).
      const odd = ambiguousHeaderOrder(headers);
      if (odd) (unknown ??= new Uint8Array(n))[i] = 1;
      for (const name in headers) {
        if (odd && inheritedName(name)) continue;
        const v = headers[name] as HeaderValue | HeaderValue[];
        if (Array.isArray(v)) for (const item of v) size += 8 + name.length * 3 + valueLength(item);
        else if (v !== undefined) size += 8 + name.length * 3 + valueLength(v);
      }
    }
    const ab = new ArrayBuffer(size);
    const buf = Buffer.from(ab);
    // DataView writes: Buffer's writeInt32LE / writeDoubleLE check their arguments on every call.
    const view = new DataView(ab);
    view.setInt32(0, n, true);
    view.setInt32(4, 0, true);
    let at = HEAD + n * 12;
    for (let i = 0; i < n; i++) {
      const m = messages[i]!;
      view.setFloat64(HEAD + i * 8, offsets[i]!, true);
      view.setInt32(HEAD + n * 8 + i * 4, at, true);
      view.setFloat64(at, Number(m.timestamp ?? -1), true);
      at = putBytes(buf, view, at + 8, m.key ?? null);
      at = putBytes(buf, view, at, m.value ?? null);
      const countAt = at;
      at += 4;
      let count = 0;
      const headers = m.headers;
      if (headers) {
        const odd = unknown?.[i] === 1;
        for (const name in headers) {
          if (odd && inheritedName(name)) continue;
          const v = headers[name] as HeaderValue | HeaderValue[];
          if (Array.isArray(v)) {
            for (const item of v) {
              at = putBytes(buf, view, putName(buf, view, at, name), bytesOf(item));
              count++;
            }
          } else if (v !== undefined) {
            at = putBytes(buf, view, putName(buf, view, at, name), bytesOf(v));
            count++;
          }
        }
      }
      view.setInt32(countAt, count, true);
    }
    return new KafkaBatch(topic, partition, buf, unknown);
  }

  /** Where record `i` starts (its timestamp). */
  start(i: number): number {
    return this.buf.readInt32LE(HEAD + this.count * 8 + i * 4);
  }

  /** Record `i` unpacked (views of the batch's buffer). */
  record(i: number): KafkaSide {
    const buf = this.buf;
    let at = this.start(i);
    const timestamp = buf.readDoubleLE(at);
    at += 8;
    const bytes = (): Buffer | null => {
      const len = buf.readInt32LE(at);
      at += 4;
      if (len < 0) return null;
      at += len;
      return buf.subarray(at - len, at);
    };
    const key = bytes();
    const value = bytes();
    const count = buf.readInt32LE(at);
    at += 4;
    const headers: KafkaHeader[] = [];
    for (let h = 0; h < count; h++) {
      const len = buf.readInt32LE(at);
      const name = buf.toString('utf8', at + 4, at + 4 + len);
      at += 4 + len;
      headers.push({ key: name, value: bytes() });
    }
    const side: KafkaSide = {
      topic: this.topic,
      partition: this.partition,
      offset: this.offsets[i]!,
      key,
      value,
      headers,
      timestamp: String(timestamp),
    };
    if (this.headerOrderUnknown?.[i] === 1) side.headerOrderUnknown = true;
    return side;
  }

  /** Every record, unpacked. */
  records(): KafkaSide[] {
    return Array.from({ length: this.count }, (_, i) => this.record(i));
  }
}

const DECIMAL = /^-?[0-9]+$/;

/** A Pulsar message, the Kafka offset it stands for and the Kafka partition it names (its provenance). */
export class PulsarSide {
  /** The Kafka offset: its provenance `k2p.offset`, else its sequence id (the mirror sets it to the offset). */
  readonly offset: number;
  /** The Kafka topic and partition its provenance names (undefined / -1 without provenance). */
  readonly sourceTopic: string | undefined;
  readonly sourcePartition: number;
  private record: MappedRecord | Error | undefined;

  constructor(readonly message: Message) {
    const props = message.properties;
    const topic = props[PROVENANCE.topic];
    const partition = props[PROVENANCE.partition];
    const offset = props[PROVENANCE.offset];
    if (
      topic !== undefined &&
      partition !== undefined &&
      offset !== undefined &&
      DECIMAL.test(partition) &&
      DECIMAL.test(offset)
    ) {
      this.sourceTopic = topic;
      this.sourcePartition = Number(partition);
      this.offset = Number(offset);
    } else {
      this.sourceTopic = undefined;
      this.sourcePartition = -1;
      this.offset = Number(message.sequenceId);
    }
  }

  /** The partition topic read. */
  get topic(): string {
    return this.message.topic;
  }

  /** The Kafka record it stands for, or why it cannot be read back (built on first use). */
  get mapped(): MappedRecord | Error {
    if (this.record === undefined) {
      try {
        this.record = fromPulsarMessage(this.message);
      } catch (err) {
        this.record = err as Error;
      }
    }
    return this.record;
  }
}

/** `scratch` when it has room for `bytes` more after `at`, else a larger copy of its first `at` bytes. */
export function withRoom(scratch: Buffer<ArrayBuffer>, at: number, bytes: number): Buffer<ArrayBuffer> {
  if (at + bytes <= scratch.length) return scratch;
  const next = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + bytes));
  next.set(scratch.subarray(0, at));
  return next;
}

/** Bytes from `src` into `dst`: a loop for short pieces (a subarray per piece costs more than it saves). */
function copyBytes(src: Buffer, start: number, len: number, dst: Buffer, at: number): void {
  if (len <= 32) for (let i = 0; i < len; i++) dst[at + i] = src[start + i]!;
  else dst.set(src.subarray(start, start + len), at);
}

/**
 * Packs records straight from Kafka's record batch bytes (a RecordCursor on them) into one KafkaBatch: no
 * object per record. Records go to a reused scratch area; finish() copies them behind the offsets and
 * starts into a buffer of the exact size.
 */
export class KafkaBatchWriter {
  private scratch = Buffer.allocUnsafe(1 << 20);
  private view = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
  private offsets = new Float64Array(1024);
  private starts = new Int32Array(1024);
  private n = 0;
  private at = 0;

  get count(): number {
    return this.n;
  }

  private room(bytes: number): void {
    const next = withRoom(this.scratch, this.at, bytes);
    if (next === this.scratch) return;
    this.scratch = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  private bytes(src: Buffer, start: number, len: number): void {
    if (len < 0) {
      this.view.setInt32(this.at, -1, true);
      this.at += 4;
      return;
    }
    this.room(4 + len);
    this.view.setInt32(this.at, len, true);
    copyBytes(src, start, len, this.scratch, this.at + 4);
    this.at += 4 + len;
  }

  /** Adds the cursor's current record (its headers are consumed). */
  add(c: RecordCursor): void {
    if (this.n === this.offsets.length) {
      const offsets = new Float64Array(this.n * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const starts = new Int32Array(this.n * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.offsets[this.n] = c.offset;
    this.starts[this.n++] = this.at;
    const src = c.buf;
    this.room(20 + Math.max(0, c.keyLength) + Math.max(0, c.valueLength));
    this.view.setFloat64(this.at, c.timestamp, true);
    this.at += 8;
    this.bytes(src, c.keyStart, c.keyLength);
    this.bytes(src, c.valueStart, c.valueLength);
    const countAt = this.at;
    this.at += 4;
    let count = 0;
    while (c.nextHeader()) {
      this.room(8 + c.nameLength + Math.max(0, c.headerValueLength));
      this.bytes(src, c.nameStart, c.nameLength);
      this.bytes(src, c.headerValueStart, c.headerValueLength);
      count++;
    }
    this.view.setInt32(countAt, count, true);
  }

  /** The records added since the last finish as one batch (undefined when none), and a fresh start. */
  finish(topic: string, partition: number): KafkaBatch | undefined {
    const n = this.n;
    if (n === 0) return undefined;
    const recordsAt = HEAD + n * 12;
    // Every byte is written below: no zero-filling (a buffer of its own, not a slice of Node's pool).
    const buf = Buffer.allocUnsafeSlow(recordsAt + this.at);
    const ab = buf.buffer;
    const view = new DataView(ab);
    view.setInt32(0, n, true);
    view.setInt32(4, 0, true);
    new Float64Array(ab, HEAD, n).set(this.offsets.subarray(0, n));
    for (let i = 0; i < n; i++) view.setInt32(HEAD + n * 8 + i * 4, recordsAt + this.starts[i]!, true);
    buf.set(this.scratch.subarray(0, this.at), recordsAt);
    this.n = 0;
    this.at = 0;
    return new KafkaBatch(topic, partition, buf);
  }
}
