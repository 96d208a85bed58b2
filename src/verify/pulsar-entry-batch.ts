// A batch of one Pulsar partition's messages as raw entries (consumer option rawEntries: no Message object,
// properties record or MessageId per message), compared with Kafka's packed records in place. A cursor
// (BatchCursor) says where each message's key, properties and payload lie; the quick comparison follows
// samePair's rules (same-pair.ts) on those bytes: it says "same" only when fromPulsarMessage would give
// exactly the Kafka record, and anything unusual answers false — the comparison then takes the slow way
// through the message the entry decodes to (entryMessages), built only for such a pair. An entry the cursor
// does not read plainly (not batched, an odd encoding, an offset of more than 15 digits) is decoded the usual
// way, whole, into PulsarSides.
import { INDEXED_PREFIX, RESERVED_PREFIX } from '../mirror/headers.js';
import { PROVENANCE, TIMESTAMP_PROPERTY } from '../mirror/record-mapping.js';
import { BatchCursor, MessageId, entryMessages, isDelivered, type Message, type RawEntry } from '../pulsar/client/index.js';
import type { PulsarBatch } from './pulsar-batch.js';
import { PulsarSide, type KafkaBatch } from './records.js';
import { samePair } from './same-pair.js';
import type { PulsarCoordinates } from './types.js';

const ascii = (s: string) => Buffer.from(s, 'latin1');
const RESERVED = ascii(RESERVED_PREFIX);
const INDEXED = ascii(INDEXED_PREFIX);
const TOPIC = ascii(PROVENANCE.topic);
const PARTITION = ascii(PROVENANCE.partition);
const OFFSET = ascii(PROVENANCE.offset);
const TIMESTAMP = ascii(TIMESTAMP_PROPERTY);
const PROTO = ascii('__proto__');

// Flags per message.
/** Decoded the usual way: sides[i] holds it. */
const SIDE = 1;
/** The quick comparison cannot answer (a stored timestamp, unreadable provenance, headers a record reorders). */
const SLOW = 2;
const MISPLACED = 4;
const KEY_B64 = 8;

/** True when bytes [at, at + len) of `buf` are `bytes`. */
function equal(buf: Buffer, at: number, len: number, bytes: Buffer): boolean {
  if (len !== bytes.length) return false;
  for (let i = 0; i < len; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function startsWith(buf: Buffer, at: number, len: number, prefix: Buffer): boolean {
  if (len < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * True when a[aAt, aAt + aLen) and b[bAt, bAt + bLen) are the same ASCII bytes (false for any byte of 0x80
 * or more: text decoded from such bytes may not encode back to them).
 */
function sameAscii(a: Buffer, aAt: number, aLen: number, b: Buffer, bAt: number, bLen: number): boolean {
  if (aLen !== bLen) return false;
  for (let i = 0; i < aLen; i++) {
    const c = a[aAt + i]!;
    if (c >= 0x80 || b[bAt + i] !== c) return false;
  }
  return true;
}

const DIGITS = ascii('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/** True when text[tAt, tAt + tLen) is the base64 Buffer#toString gives for bytes[at, at + len). */
function sameBase64(bytes: Buffer, at: number, len: number, text: Buffer, tAt: number, tLen: number): boolean {
  if (tLen !== Math.ceil(len / 3) * 4) return false;
  let t = tAt;
  let i = 0;
  for (; i + 3 <= len; i += 3) {
    const v = (bytes[at + i]! << 16) | (bytes[at + i + 1]! << 8) | bytes[at + i + 2]!;
    if (
      text[t] !== DIGITS[v >>> 18] ||
      text[t + 1] !== DIGITS[(v >>> 12) & 63] ||
      text[t + 2] !== DIGITS[(v >>> 6) & 63] ||
      text[t + 3] !== DIGITS[v & 63]
    )
      return false;
    t += 4;
  }
  const rest = len - i;
  if (rest === 0) return true;
  const v = (bytes[at + i]! << 16) | (rest === 2 ? bytes[at + i + 1]! << 8 : 0);
  return (
    text[t] === DIGITS[v >>> 18] &&
    text[t + 1] === DIGITS[(v >>> 12) & 63] &&
    text[t + 2] === (rest === 2 ? DIGITS[(v >>> 6) & 63] : 61) &&
    text[t + 3] === 61
  );
}

/** /^-?[0-9]+$/ read as Number() reads it; NaN when not such; undefined past 15 digits (not read here). */
function decimal(buf: Buffer, at: number, len: number): number | undefined {
  const neg = len > 0 && buf[at] === 45;
  const from = neg ? 1 : 0;
  if (len === from) return NaN;
  let v = 0;
  for (let i = from; i < len; i++) {
    const c = buf[at + i]! - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  if (len - from > 15) return undefined;
  return neg ? -v : v;
}

/** A name made of digits only: a record lists array-index names first, out of the wire's order. */
function digitsOnly(buf: Buffer, at: number, len: number): boolean {
  if (len === 0) return false;
  for (let i = 0; i < len; i++) if (buf[at + i]! < 48 || buf[at + i]! > 57) return false;
  return true;
}

const cursor = new BatchCursor();
// Plain (unreserved) property names of the message walked, to find a repeat.
const plainAt = new Int32Array(16);
const plainLen = new Int32Array(16);

export class EntryBatch implements PulsarBatch {
  private n = 0;
  private readonly entryOf: Int32Array;
  private readonly ordinal: Int32Array;
  private readonly batchIndex: Int32Array;
  /** Where the message's header properties start in `props`, and how many. */
  private readonly propStart: Int32Array;
  private readonly propCount: Int32Array;
  /** Header properties (indexed or under their own name), 4 numbers each: name start, length, value start, length. */
  private props: Int32Array;
  private propsUsed = 0;
  private readonly payloadStart: Int32Array;
  /** -1: a null value. */
  private readonly payloadEnd: Int32Array;
  /** -1: no key. */
  private readonly keyStart: Int32Array;
  private readonly keyLength: Int32Array;
  private readonly flags: Uint8Array;
  private readonly offsets: Float64Array;
  private readonly eventTimes: Float64Array;
  private readonly sides: (PulsarSide | undefined)[] = [];
  private readonly decoded = new Map<number, Message[]>();
  private readonly topicBytes: Buffer;
  /** The highest Kafka offset of the batch (-1 when none). */
  highest = -1;

  /** The messages of `entries` (read from one partition) compared with Kafka `topic`[`partition`]. */
  constructor(
    private readonly entries: readonly RawEntry[],
    private readonly topic: string,
    private readonly partition: number,
  ) {
    let size = 0;
    for (const e of entries) size += e.count;
    this.entryOf = new Int32Array(size);
    this.ordinal = new Int32Array(size);
    this.batchIndex = new Int32Array(size);
    this.propStart = new Int32Array(size);
    this.propCount = new Int32Array(size);
    this.props = new Int32Array(size * 16);
    this.payloadStart = new Int32Array(size);
    this.payloadEnd = new Int32Array(size);
    this.keyStart = new Int32Array(size);
    this.keyLength = new Int32Array(size);
    this.flags = new Uint8Array(size);
    this.offsets = new Float64Array(size);
    this.eventTimes = new Float64Array(size);
    this.topicBytes = Buffer.from(topic, 'utf8');
    for (let e = 0; e < entries.length; e++) if (!this.walk(e)) this.decode(e);
  }

  get count(): number {
    return this.n;
  }

  /** Adds the entry's messages read in place; false (nothing added) when it must be decoded the usual way. */
  private walk(e: number): boolean {
    const entry = this.entries[e]!;
    const size = entry.metadata.numMessagesInBatch;
    if (size === undefined || entry.chunkIds) return false;
    const first = this.n;
    const highest = this.highest;
    const propsUsed = this.propsUsed;
    const buf = entry.payload;
    cursor.reset(buf, size);
    let ordinal = 0;
    // Set when the entry must be decoded the usual way after all: the cursor stopped, or a number is too long.
    let whole = false;
    while (cursor.next()) {
      if (cursor.compactedOut || !isDelivered(entry, cursor.index)) continue;
      let topicAt = -1;
      let topicLen = 0;
      let partitionAt = -1;
      let partitionLen = 0;
      let offsetAt = -1;
      let offsetLen = 0;
      let flags = 0;
      let plain = 0;
      const propStart = this.propsUsed;
      cursor.firstProperty();
      while (cursor.nextProperty()) {
        const at = cursor.nameStart;
        const len = cursor.nameLength;
        if (startsWith(buf, at, len, RESERVED)) {
          // Provenance as PulsarSide reads it from the record: the last value of each name.
          if (equal(buf, at, len, OFFSET)) {
            offsetAt = cursor.valueStart;
            offsetLen = cursor.valueLength;
          } else if (equal(buf, at, len, PARTITION)) {
            partitionAt = cursor.valueStart;
            partitionLen = cursor.valueLength;
          } else if (equal(buf, at, len, TOPIC)) {
            topicAt = cursor.valueStart;
            topicLen = cursor.valueLength;
          } else if (equal(buf, at, len, TIMESTAMP)) {
            flags |= SLOW;
          } else if (startsWith(buf, at, len, INDEXED)) {
            this.header(at, len);
          }
          continue;
        }
        // A header under its own name: one a record would move (an array index), merge (a repeat) or drop
        // (__proto__) leaves the wire's order — the slow way compares it as the record has it.
        if (plain === plainAt.length || digitsOnly(buf, at, len) || equal(buf, at, len, PROTO)) {
          flags |= SLOW;
          continue;
        }
        for (let j = 0; j < plain; j++) if (sameAscii(buf, plainAt[j]!, plainLen[j]!, buf, at, len)) flags |= SLOW;
        plainAt[plain] = at;
        plainLen[plain++] = len;
        this.header(at, len);
      }
      if (cursor.odd) break;
      const p = partitionAt < 0 ? NaN : decimal(buf, partitionAt, partitionLen);
      const o = offsetAt < 0 ? NaN : decimal(buf, offsetAt, offsetLen);
      if (p === undefined || o === undefined) {
        whole = true; // a number Number() would round
        break;
      }
      const provenance = topicAt >= 0 && !Number.isNaN(p) && !Number.isNaN(o);
      let offset: number;
      if (provenance) {
        offset = o;
        if (p !== this.partition || !equal(buf, topicAt, topicLen, this.topicBytes)) flags |= MISPLACED;
      } else {
        if (offsetAt >= 0) flags |= SLOW; // an offset property that does not parse: the slow way says so
        offset = cursor.hasSequenceId ? cursor.sequenceId : Number(entry.metadata.sequenceId + BigInt(cursor.index));
      }
      if (cursor.keyStart >= 0 && !cursor.nullKey) {
        this.keyStart[this.n] = cursor.keyStart;
        this.keyLength[this.n] = cursor.keyLength;
        if (cursor.keyB64) flags |= KEY_B64;
      } else {
        this.keyStart[this.n] = -1;
      }
      const i = this.n++;
      this.entryOf[i] = e;
      this.ordinal[i] = ordinal++;
      this.batchIndex[i] = cursor.index;
      this.propStart[i] = propStart;
      this.propCount[i] = (this.propsUsed - propStart) >> 2;
      this.payloadStart[i] = cursor.payloadStart;
      this.payloadEnd[i] = cursor.nullValue ? -1 : cursor.payloadEnd;
      this.flags[i] = flags;
      this.offsets[i] = offset;
      this.eventTimes[i] = cursor.eventTime;
      if (offset > this.highest) this.highest = offset;
    }
    if (!cursor.odd && !whole) return true;
    this.n = first;
    this.highest = highest;
    this.propsUsed = propsUsed;
    return false;
  }

  /** Keeps the cursor's current property (a header) for same(): its name at `at` (`len` bytes) and its value. */
  private header(at: number, len: number): void {
    if (this.propsUsed + 4 > this.props.length) {
      const more = new Int32Array(this.props.length * 2 + 16);
      more.set(this.props);
      this.props = more;
    }
    const props = this.props;
    const k = this.propsUsed;
    props[k] = at;
    props[k + 1] = len;
    props[k + 2] = cursor.valueStart;
    props[k + 3] = cursor.valueLength;
    this.propsUsed = k + 4;
  }

  /** Adds the entry's messages decoded the usual way (throws K2P_PLS_DECODE as the consumer would). */
  private decode(e: number): void {
    for (const m of entryMessages(this.entries[e]!)) {
      const side = new PulsarSide(m);
      const i = this.n++;
      this.entryOf[i] = e;
      this.flags[i] = SIDE;
      this.offsets[i] = side.offset;
      this.sides[i] = side;
      if (side.offset > this.highest) this.highest = side.offset;
    }
  }

  /** The id of the last message (the read's progress), undefined when the batch is empty. */
  lastId(): MessageId | undefined {
    if (this.n === 0) return undefined;
    return this.id(this.n - 1);
  }

  private id(i: number): MessageId {
    if (this.flags[i]! & SIDE) return this.sides[i]!.message.id;
    const entry = this.entries[this.entryOf[i]!]!;
    return new MessageId(entry.ledgerId, entry.entryId, entry.partition, this.batchIndex[i]!, entry.metadata.numMessagesInBatch ?? 0);
  }

  offset(i: number): number {
    return this.offsets[i]!;
  }

  misplaced(i: number): boolean {
    const f = this.flags[i]!;
    if (f & SIDE) {
      const p = this.sides[i]!;
      return p.sourceTopic !== undefined && (p.sourceTopic !== this.topic || p.sourcePartition !== this.partition);
    }
    return (f & MISPLACED) !== 0;
  }

  source(i: number): { topic: string; partition: number } {
    const p = this.side(i);
    return { topic: p.sourceTopic ?? '', partition: p.sourcePartition };
  }

  coordinates(i: number): PulsarCoordinates {
    return { topic: this.entries[this.entryOf[i]!]!.topic, messageId: this.id(i).toString() };
  }

  side(i: number): PulsarSide {
    const f = this.flags[i]!;
    if (f & SIDE) return this.sides[i]!;
    const e = this.entryOf[i]!;
    let messages = this.decoded.get(e);
    if (messages === undefined) this.decoded.set(e, (messages = entryMessages(this.entries[e]!)));
    return new PulsarSide(messages[this.ordinal[i]!]!);
  }

  same(kafka: KafkaBatch, k: number, i: number): boolean {
    const f = this.flags[i]!;
    if (f & SIDE) return samePair(kafka, k, this.sides[i]!);
    if (f & SLOW) return false;
    const buf = kafka.buf;
    const p = this.entries[this.entryOf[i]!]!.payload;
    let at = kafka.start(k);
    // Timestamp: the event time (0: none, and then the record has none either).
    const timestamp = buf.readDoubleLE(at);
    at += 8;
    const eventTime = this.eventTimes[i]!;
    if (eventTime !== 0 ? timestamp !== eventTime : timestamp !== -1) return false;
    // Key: its text bytes, or the base64 of the record's key.
    let len = buf.readInt32LE(at);
    at += 4;
    const ks = this.keyStart[i]!;
    if (len < 0) {
      if (ks >= 0) return false;
    } else {
      if (ks < 0) return false;
      const kl = this.keyLength[i]!;
      if (f & KEY_B64 ? !sameBase64(buf, at, len, p, ks, kl) : !sameAscii(buf, at, len, p, ks, kl)) return false;
      at += len;
    }
    // Value: bytes compared in place.
    len = buf.readInt32LE(at);
    at += 4;
    const pe = this.payloadEnd[i]!;
    if (len < 0) {
      if (pe >= 0) return false;
    } else {
      if (pe < 0 || p.compare(buf, at, at + len, this.payloadStart[i]!, pe) !== 0) return false;
      at += len;
    }
    // Headers: the properties that encode them, in order, against the record's headers in order.
    const count = buf.readInt32LE(at);
    at += 4;
    let h = 0;
    const props = this.props;
    const last = this.propStart[i]! + this.propCount[i]! * 4;
    for (let q = this.propStart[i]!; q < last; q += 4) {
      const nameAt = props[q]!;
      const nameEnd = nameAt + props[q + 1]!;
      let from = nameAt;
      let form = 115; // 's': text
      if (p[nameAt] === 107 && startsWith(p, nameAt, nameEnd - nameAt, INDEXED)) {
        // k2p.h.<position>.<form>.<name>: position without leading zeros, at most 9 digits, form s, b or n.
        let j = nameAt + INDEXED.length;
        let position = 0;
        for (; j < nameEnd; j++) {
          const c = p[j]!;
          if (c < 48 || c > 57) break;
          position = position * 10 + (c - 48);
        }
        const digits = j - nameAt - INDEXED.length;
        if (digits === 0 || digits > 9 || (digits > 1 && p[nameAt + INDEXED.length] === 48)) return false;
        if (j + 2 >= nameEnd || p[j] !== 46 || p[j + 2] !== 46) return false;
        form = p[j + 1]!;
        if ((form !== 115 && form !== 98 && form !== 110) || position !== h) return false;
        from = j + 3;
      }
      if (h >= count) return false;
      const nameLen = buf.readInt32LE(at);
      if (!sameAscii(buf, at + 4, nameLen, p, from, nameEnd - from)) return false;
      at += 4 + nameLen;
      const valueLen = buf.readInt32LE(at);
      at += 4;
      if (form === 110) {
        if (valueLen >= 0) return false; // 'n': a null value
      } else if (valueLen < 0) {
        return false;
      } else if (form === 98) {
        if (!sameBase64(buf, at, valueLen, p, props[q + 2]!, props[q + 3]!)) return false;
      } else if (!sameAscii(buf, at, valueLen, p, props[q + 2]!, props[q + 3]!)) {
        return false;
      }
      if (valueLen > 0) at += valueLen;
      h++;
    }
    return h === count;
  }
}
