// A batch of Pulsar messages packed in one buffer (made in the Pulsar worker thread, pulsar-worker.ts, from
// the entries as they came — no Message object per message — and transferred whole). Each message is packed
// twice over: first as the Kafka record it maps back to, in exactly KafkaBatch's record layout — so an
// identical pair is one byte comparison of two views — then what rebuilding the message needs (its id,
// properties, schema version) for a pair looked at closely. The mapped form counts (flag QUICK) only when it
// is exactly what fromPulsarMessage gives, by the rules of samePair (same-pair.ts); otherwise the comparison
// takes the slow way.
//
// Layout (little endian): i32 count, i32 0, f64 Kafka offset × count, i32 record start × count, i32 meta
// start × count; per message the mapped record (f64 timestamp, i32 key length (-1: null), key, i32 value
// length (-1: null), value, i32 header count, per header: i32 name length, name, i32 value length (-1:
// null), value), then its meta: i32 flags, f64 event time (NaN: none), i64 ledger, i64 entry, i32 partition,
// i32 batch index, i32 batch size, i64 sequence id, f64 publish time, i32 redelivery count, schema version
// (i32 length, -1: none), i32 source partition, source topic (i32 length, -1: none), i32 property count,
// per property: name, value (UTF-8, each i32 length first).
import { INDEXED_PREFIX as INDEXED, RESERVED_PREFIX as RESERVED } from '../mirror/headers.js';
import { PROVENANCE, TIMESTAMP_PROPERTY as TIMESTAMP } from '../mirror/record-mapping.js';
import { MessageId, type Message } from '../pulsar/client/index.js';
import type { PulsarBatch } from './pulsar-batch.js';
import { PulsarSide, withRoom, type KafkaBatch } from './records.js';
import { indexed, indexedForm, indexedPosition } from './same-pair.js';
import type { PulsarCoordinates } from './types.js';

const HEAD = 8;
const QUICK = 1;
const ELSEWHERE = 2;

/** A property as the Pulsar client's decoders give it. */
export interface Property {
  key: string;
  value: string;
}

/** One message to pack (an object the caller may reuse from message to message). */
export interface PackInput {
  ledgerId: bigint;
  entryId: bigint;
  partition: number;
  batchIndex: number;
  batchSize: number;
  key: Buffer | undefined;
  /** null: a null value. */
  value: Buffer | null;
  eventTime: number | undefined;
  /** In the order they came (a repeated name: the last one counts, as in Message.properties). */
  properties: readonly Property[] | undefined;
  sequenceId: bigint;
  publishTime: number;
  redeliveryCount: number;
  schemaVersion: Buffer | undefined;
}

/** Writes `s` from character `from` as UTF-8 after its i32 length; returns where it ends. */
function putString(buf: Buffer, view: DataView, at: number, s: string, from = 0): number {
  const o = at + 4;
  const n = s.length - from;
  let i = 0;
  // ASCII (nearly every name and value) byte by byte: a native write per short string costs more.
  for (; i < n; i++) {
    const c = s.charCodeAt(from + i);
    if (c >= 0x80) break;
    buf[o + i] = c;
  }
  const len = i === n ? n : buf.write(from === 0 ? s : s.slice(from), o, 'utf8');
  view.setInt32(at, len, true);
  return o + len;
}

/** Bytes after their i32 length (-1: none). */
function putBytes(buf: Buffer, view: DataView, at: number, b: Buffer | undefined): number {
  if (b === undefined) {
    view.setInt32(at, -1, true);
    return at + 4;
  }
  const len = b.length;
  view.setInt32(at, len, true);
  // Short pieces (keys) byte by byte: TypedArray#set costs more than it saves under ~32 bytes.
  if (len <= 32) for (let i = 0; i < len; i++) buf[at + 4 + i] = b[i]!;
  else buf.set(b, at + 4);
  return at + 4 + len;
}

/** Base64 digit values (-1: not a digit). */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) DIGIT['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * True when `s` is the base64 Buffer#toString gives for the bytes it decodes to (what samePair checks by
 * encoding them again): whole quads, padding only at the end, no bits set past the last byte.
 */
function canonicalBase64(s: string): boolean {
  const n = s.length;
  if (n % 4 !== 0) return false;
  const pad = n === 0 ? 0 : s.charCodeAt(n - 1) !== 61 ? 0 : s.charCodeAt(n - 2) !== 61 ? 1 : 2;
  for (let i = 0; i < n - pad; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || DIGIT[c]! < 0) return false;
  }
  if (pad === 0) return true;
  const last = DIGIT[s.charCodeAt(n - pad - 1)]!;
  return pad === 1 ? (last & 3) === 0 : (last & 15) === 0;
}

/**
 * The headers of `props` as Kafka headers (the mapped record's tail) at `at`: the new end, or -1 when they
 * are not exactly what decodeHeaders gives (samePair's rules: indexed headers in place, canonical base64).
 */
function putHeaders(buf: Buffer, view: DataView, at: number, props: readonly Property[]): number {
  const countAt = at;
  at += 4;
  let h = 0;
  for (let i = 0; i < props.length; i++) {
    const name = props[i]!.key;
    const text = props[i]!.value;
    let from = 0;
    let form = 115; // 's'
    if (name.startsWith(RESERVED)) {
      if (!name.startsWith(INDEXED)) continue; // provenance: not a header
      from = indexed(name);
      if (from < 0 || indexedPosition !== h) return -1;
      form = indexedForm;
    }
    at = putString(buf, view, at, name, from);
    if (form === 110) {
      view.setInt32(at, -1, true); // 'n': a null value
      at += 4;
    } else if (form === 98) {
      if (!canonicalBase64(text)) return -1;
      const len = buf.write(text, at + 4, 'base64');
      view.setInt32(at, len, true);
      at += 4 + len;
    } else {
      at = putString(buf, view, at, text);
    }
    h++;
  }
  view.setInt32(countAt, h, true);
  return at;
}

/** Decimal digits (an optional minus first) as a number, as Number() reads them; NaN when not /^-?[0-9]+$/. */
function decimal(s: string): number {
  const neg = s.charCodeAt(0) === 45;
  const from = neg ? 1 : 0;
  if (s.length === from || s.length - from > 15) return /^-?[0-9]+$/.test(s) ? Number(s) : NaN;
  let v = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** A name a JavaScript object lists first (an array index): the properties record would reorder it. */
function indexLike(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(0|[1-9][0-9]*)$/.test(name);
}

/** True when a name appears twice, or one would be reordered in a record: the list is not the record's order. */
function unlikeRecord(props: readonly Property[]): boolean {
  const n = props.length;
  if (n > 16) return true;
  for (let i = 0; i < n; i++) {
    const name = props[i]!.key;
    if (indexLike(name) || name === '__proto__') return true;
    for (let j = 0; j < i; j++) if (props[j]!.key === name) return true;
  }
  return false;
}

/**
 * Packs messages of the Pulsar partition compared with Kafka `topic`[`partition`], straight from their fields,
 * into batches of their own ArrayBuffer (to be transferred). A window of Kafka offsets may be set: messages
 * before it are left out; the first one at or after its end stops it (`stopped`).
 */
export class PulsarBatchWriter {
  private scratch = Buffer.allocUnsafe(1 << 20);
  private view = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
  private offsets = new Float64Array(1024);
  private starts = new Int32Array(1024);
  private metas = new Int32Array(1024);
  private n = 0;
  private at = 0;
  private from = -Infinity;
  private to = Infinity;
  /** The highest Kafka offset seen (window or not). */
  highest = -1;
  /** A message at or after the window's end came (it and what follows are left out). */
  stopped = false;

  constructor(
    private readonly topic: string,
    private readonly partition: number,
  ) {}

  window(from: number, to: number): void {
    this.from = from;
    this.to = to;
    this.stopped = false;
  }

  private room(bytes: number): void {
    const next = withRoom(this.scratch, this.at, bytes);
    if (next === this.scratch) return;
    this.scratch = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  private grow(): void {
    const more = <T extends Float64Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.offsets = more(this.offsets);
    this.starts = more(this.starts);
    this.metas = more(this.metas);
  }

  /** Adds a message (or leaves it out: before the window, or once stopped). */
  add(m: PackInput): void {
    if (this.stopped) return;
    const props = m.properties ?? [];
    // Provenance as PulsarSide reads it: the last value of each name, both numbers decimal.
    let topic: string | undefined;
    let partition: string | undefined;
    let offset: string | undefined;
    let stamped = false;
    for (let i = 0; i < props.length; i++) {
      const name = props[i]!.key;
      if (!name.startsWith(RESERVED)) continue;
      if (name === PROVENANCE.topic) topic = props[i]!.value;
      else if (name === PROVENANCE.partition) partition = props[i]!.value;
      else if (name === PROVENANCE.offset) offset = props[i]!.value;
      else if (name === TIMESTAMP) stamped = true;
    }
    const p = partition === undefined ? NaN : decimal(partition);
    const o = offset === undefined ? NaN : decimal(offset);
    const provenance = topic !== undefined && !Number.isNaN(p) && !Number.isNaN(o);
    const kafkaOffset = provenance ? o : Number(m.sequenceId);
    if (kafkaOffset > this.highest) this.highest = kafkaOffset;
    if (kafkaOffset < this.from) return;
    if (kafkaOffset >= this.to) {
      this.stopped = true;
      return;
    }
    if (this.n === this.offsets.length) this.grow();
    this.offsets[this.n] = kafkaOffset;
    this.starts[this.n] = this.at;
    let size = 140 + (m.key?.length ?? 0) + (m.value?.length ?? 0) + (m.schemaVersion?.length ?? 0);
    size += 3 * (topic?.length ?? 0);
    for (let i = 0; i < props.length; i++) size += 2 * (8 + 3 * (props[i]!.key.length + props[i]!.value.length));
    this.room(size);
    const buf = this.scratch;
    const view = this.view;
    // Mapped form: quick unless a stored timestamp, unreadable provenance or headers not in record order.
    const quick = !stamped && !(!provenance && offset !== undefined) && !unlikeRecord(props);
    const start = this.at;
    view.setFloat64(start, m.eventTime ?? -1, true);
    let at = putBytes(buf, view, start + 8, m.key);
    at = putBytes(buf, view, at, m.value ?? undefined);
    const end = quick ? putHeaders(buf, view, at, props) : -1;
    let flags = 0;
    if (end >= 0) {
      flags = QUICK;
      at = end;
    } else {
      view.setFloat64(start, NaN, true);
      view.setInt32(at, 0, true);
      at += 4;
    }
    if (provenance && (topic !== this.topic || p !== this.partition)) flags |= ELSEWHERE;
    this.metas[this.n++] = at;
    view.setInt32(at, flags, true);
    view.setFloat64(at + 4, m.eventTime ?? NaN, true);
    view.setBigInt64(at + 12, m.ledgerId, true);
    view.setBigInt64(at + 20, m.entryId, true);
    view.setInt32(at + 28, m.partition, true);
    view.setInt32(at + 32, m.batchIndex, true);
    view.setInt32(at + 36, m.batchSize, true);
    view.setBigUint64(at + 40, m.sequenceId, true); // modulo 2^64, as the wire holds it
    view.setFloat64(at + 48, m.publishTime, true);
    view.setInt32(at + 56, m.redeliveryCount, true);
    at = putBytes(buf, view, at + 60, m.schemaVersion);
    view.setInt32(at, provenance ? p : -1, true);
    at = provenance ? putString(buf, view, at + 4, topic!) : putBytes(buf, view, at + 4, undefined);
    view.setInt32(at, props.length, true);
    at += 4;
    for (let i = 0; i < props.length; i++) at = putString(buf, view, putString(buf, view, at, props[i]!.key), props[i]!.value);
    this.at = at;
  }

  private saved = { n: 0, at: 0, highest: -1, stopped: false };

  /** Remembers where the batch stands, for rollback(). */
  mark(): void {
    this.saved = { n: this.n, at: this.at, highest: this.highest, stopped: this.stopped };
  }

  /** Leaves out what was added since mark() (an entry that could not be walked to its end). */
  rollback(): void {
    ({ n: this.n, at: this.at, highest: this.highest, stopped: this.stopped } = this.saved);
  }

  /**
   * The messages added since the last finish, in a buffer at the start of its own ArrayBuffer, which may be
   * longer (undefined when none).
   */
  private readonly pool: ArrayBuffer[] = [];

  /** A buffer the comparison is done with, to pack into again (fewer new buffers: less for the GC to track). */
  recycle(ab: ArrayBuffer): void {
    if (this.pool.length < 8) this.pool.push(ab);
  }

  /** A buffer of its own ArrayBuffer (byteOffset 0) of at least `size` bytes: a recycled one when one fits. */
  private take(size: number): Buffer {
    for (let i = 0; i < this.pool.length; i++) {
      const ab = this.pool[i]!;
      if (ab.byteLength < size) continue;
      this.pool.splice(i, 1);
      return Buffer.from(ab, 0, size);
    }
    // Room to spare, so the batches that follow (about the same size) fit when it comes back.
    return Buffer.from(new ArrayBuffer(Math.ceil(size * 1.25)), 0, size);
  }

  finish(): Buffer | undefined {
    const n = this.n;
    if (n === 0) return undefined;
    const recordsAt = HEAD + n * 16;
    const buf = this.take(recordsAt + this.at);
    const view = new DataView(buf.buffer, 0, buf.length);
    view.setInt32(0, n, true);
    view.setInt32(4, 0, true);
    new Float64Array(buf.buffer, HEAD, n).set(this.offsets.subarray(0, n));
    for (let i = 0; i < n; i++) {
      view.setInt32(HEAD + n * 8 + i * 4, recordsAt + this.starts[i]!, true);
      view.setInt32(HEAD + n * 12 + i * 4, recordsAt + this.metas[i]!, true);
    }
    buf.set(this.scratch.subarray(0, this.at), recordsAt);
    this.n = 0;
    this.at = 0;
    return buf;
  }
}

/** Client messages packed (what the worker packs from entries; for tests and callers holding messages). */
export function packMessages(messages: readonly Message[], topic: string, partition: number): Buffer {
  const w = new PulsarBatchWriter(topic, partition);
  for (const m of messages) {
    w.add({
      ledgerId: m.id.ledgerId,
      entryId: m.id.entryId,
      partition: m.id.partition,
      batchIndex: m.id.batchIndex,
      batchSize: m.id.batchSize,
      key: m.keyBytes,
      value: m.nullValue ? null : m.payload,
      eventTime: m.eventTime,
      properties: Object.entries(m.properties).map(([key, value]) => ({ key, value })),
      sequenceId: m.sequenceId,
      publishTime: m.publishTime,
      redeliveryCount: m.redeliveryCount,
      schemaVersion: m.schemaVersion,
    });
  }
  return w.finish() ?? Buffer.alloc(HEAD);
}

/** A packed batch of one Pulsar partition (`topic`, the partition topic read). */
export class PackedPulsarBatch implements PulsarBatch {
  readonly count: number;
  private readonly offsets: Float64Array;
  private readonly view: DataView;

  /** `buf` must start its own ArrayBuffer (byteOffset 0), as packPulsarBatch and a transfer give it. */
  constructor(
    readonly topic: string,
    readonly buf: Buffer,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    this.count = this.view.getInt32(0, true);
    this.offsets = new Float64Array(buf.buffer, buf.byteOffset + HEAD, this.count);
  }

  private start(i: number): number {
    return this.view.getInt32(HEAD + this.count * 8 + i * 4, true);
  }

  private meta(i: number): number {
    return this.view.getInt32(HEAD + this.count * 12 + i * 4, true);
  }

  offset(i: number): number {
    return this.offsets[i]!;
  }

  misplaced(i: number): boolean {
    return (this.view.getInt32(this.meta(i), true) & ELSEWHERE) !== 0;
  }

  source(i: number): { topic: string; partition: number } {
    const at = this.meta(i);
    const partition = this.view.getInt32(at + 60 + this.skip(at + 60), true);
    return { topic: this.text(at + 64 + this.skip(at + 60)) ?? '', partition };
  }

  private id(i: number): MessageId {
    const at = this.meta(i);
    const v = this.view;
    return new MessageId(
      v.getBigInt64(at + 12, true),
      v.getBigInt64(at + 20, true),
      v.getInt32(at + 28, true),
      v.getInt32(at + 32, true),
      v.getInt32(at + 36, true),
    );
  }

  coordinates(i: number): PulsarCoordinates {
    return { topic: this.topic, messageId: this.id(i).toString() };
  }

  same(kafka: KafkaBatch, k: number, i: number): boolean {
    const at = this.meta(i);
    if ((this.view.getInt32(at, true) & QUICK) === 0) return false;
    const start = this.start(i);
    const len = at - start;
    const ks = kafka.start(k);
    // The record layout is self-delimiting: equal bytes over the mapped form's length are the same record.
    if (ks + len > kafka.buf.length) return false;
    return this.buf.compare(kafka.buf, ks, ks + len, start, at) === 0;
  }

  /** Bytes of a length-prefixed field (4 + length, or 4 for -1). */
  private skip(at: number): number {
    return 4 + Math.max(0, this.view.getInt32(at, true));
  }

  private bytes(at: number): Buffer | undefined {
    const len = this.view.getInt32(at, true);
    return len < 0 ? undefined : this.buf.subarray(at + 4, at + 4 + len);
  }

  private text(at: number): string | undefined {
    const len = this.view.getInt32(at, true);
    return len < 0 ? undefined : this.buf.toString('utf8', at + 4, at + 4 + len);
  }

  side(i: number): PulsarSide {
    const v = this.view;
    const start = this.start(i);
    let at = this.meta(i);
    // Key and value are the mapped form's when it was written; else the meta holds no copy of them.
    const keyAt = start + 8;
    const keyBytes = this.bytes(keyAt);
    const valueAt = keyAt + this.skip(keyAt);
    const value = this.bytes(valueAt);
    const eventTime = v.getFloat64(at + 4, true);
    const message: Message = {
      topic: this.topic,
      id: this.id(i),
      keyBytes,
      properties: {},
      eventTime: Number.isNaN(eventTime) ? undefined : eventTime,
      publishTime: v.getFloat64(at + 48, true),
      producerName: '',
      sequenceId: v.getBigUint64(at + 40, true),
      payload: value ?? Buffer.alloc(0),
      nullValue: value === undefined,
      schemaVersion: this.bytes(at + 60),
      redeliveryCount: v.getInt32(at + 56, true),
    };
    at += 60 + this.skip(at + 60);
    at += 4 + this.skip(at + 4);
    const count = v.getInt32(at, true);
    at += 4;
    for (let h = 0; h < count; h++) {
      const name = this.text(at)!;
      at += this.skip(at);
      message.properties[name] = this.text(at)!;
      at += this.skip(at);
    }
    return new PulsarSide(message);
  }
}
