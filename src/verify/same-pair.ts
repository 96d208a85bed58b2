// The common case of a comparison — a pair identical field for field — answered straight from the packed
// Kafka record and the Pulsar message, without building the Kafka record the message maps back to
// (fromPulsarMessage) nor anything else per record. It says true only when fromPulsarMessage would give
// exactly the Kafka record's key, value, timestamp and headers (docs/record-mapping.md); anything unusual
// (a property timestamp, a non-ASCII header, an indexed header out of place...) answers false, and the
// caller compares the pair the slow way, which finds and describes the difference, if there is one.
import { INDEXED_PREFIX as INDEXED, RESERVED_PREFIX as RESERVED } from '../mirror/headers.js';
import { PROVENANCE, TIMESTAMP_PROPERTY as TIMESTAMP } from '../mirror/record-mapping.js';
import type { KafkaBatch, PulsarSide } from './records.js';

const OFFSET = PROVENANCE.offset;

/** True when bytes [at, at + len) of `buf` are the ASCII string `s` (false for any non-ASCII character). */
function asciiEquals(buf: Buffer, at: number, len: number, s: string): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || buf[at + i] !== c) return false;
  }
  return true;
}

/** Set by `indexed` (no object per header). */
export let indexedPosition = 0;
export let indexedForm = 0;

/**
 * Parses `k2p.h.<position>.<form>.<name>` as decodeHeaders does (position without leading zeros, at most 9
 * digits; form s, b or n): sets indexedPosition and indexedForm (a char code), returns where the name
 * starts, or -1 when it does not parse.
 */
export function indexed(name: string): number {
  const first = INDEXED.length;
  let i = first;
  let position = 0;
  for (; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) break;
    position = position * 10 + (c - 48);
  }
  const digits = i - first;
  if (digits === 0 || digits > 9 || (digits > 1 && name.charCodeAt(first) === 48)) return -1;
  if (name.charCodeAt(i) !== 46 || name.charCodeAt(i + 2) !== 46) return -1;
  const form = name.charCodeAt(i + 1);
  if (form !== 115 && form !== 98 && form !== 110) return -1;
  indexedPosition = position;
  indexedForm = form;
  return i + 3;
}

/** True when the name at `at` (length `len`) in `buf` is `s` from character `from` on. */
function nameEquals(buf: Buffer, at: number, len: number, s: string, from: number): boolean {
  if (s.length - from !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(from + i);
    if (c >= 0x80 || buf[at + i] !== c) return false;
  }
  return true;
}

/**
 * True when Kafka record `i` of `batch` and the Pulsar message are the same record (key, value bytes,
 * headers, timestamp); false when they differ or when it cannot tell cheaply.
 */
export function samePair(batch: KafkaBatch, i: number, p: PulsarSide): boolean {
  const buf = batch.buf;
  const msg = p.message;
  const props = msg.properties;
  // Provenance properties that are there but do not parse make the message unreadable: the slow way says so.
  if (p.sourceTopic === undefined && props[OFFSET] !== undefined) return false;
  let at = batch.start(i);
  // Timestamp: the event time, unless a property carries it (a Kafka timestamp of 0 or less).
  const timestamp = buf.readDoubleLE(at);
  at += 8;
  if (props[TIMESTAMP] !== undefined) return false;
  if (msg.eventTime !== undefined ? timestamp !== msg.eventTime : timestamp !== -1) return false;
  // Key and value: bytes compared in place.
  let len = buf.readInt32LE(at);
  at += 4;
  const key = msg.keyBytes;
  if (len < 0 ? key !== undefined : key === undefined || key.compare(buf, at, at + len) !== 0) return false;
  if (len > 0) at += len;
  len = buf.readInt32LE(at);
  at += 4;
  if (len < 0 ? !msg.nullValue : msg.nullValue || msg.payload.compare(buf, at, at + len) !== 0) return false;
  if (len > 0) at += len;
  // Headers: the properties that encode them, in order, against the record's headers in order.
  const count = buf.readInt32LE(at);
  at += 4;
  let h = 0;
  for (const name in props) {
    const text = props[name]!;
    let from = 0;
    let form = 115; // 's': UTF-8 text
    if (name.startsWith(RESERVED)) {
      if (!name.startsWith(INDEXED)) continue; // provenance: not a header
      from = indexed(name);
      if (from < 0 || indexedPosition !== h) return false;
      form = indexedForm;
    }
    if (h >= count) return false;
    const nameLen = buf.readInt32LE(at);
    if (!nameEquals(buf, at + 4, nameLen, name, from)) return false;
    at += 4 + nameLen;
    const valueLen = buf.readInt32LE(at);
    at += 4;
    if (form === 110) {
      if (valueLen >= 0) return false; // 'n': a null value
    } else if (valueLen < 0) {
      return false;
    } else if (form === 98) {
      if (buf.toString('base64', at, at + valueLen) !== text) return false; // 'b': base64
    } else if (!asciiEquals(buf, at, valueLen, text)) {
      return false;
    }
    if (valueLen > 0) at += valueLen;
    h++;
  }
  return h === count;
}
