// Kafka headers ⇄ Pulsar properties, losslessly (docs/record-mapping.md, "Headers"). Pure, no I/O.
//
// A header is *plain* — property `name` = its value as text — when its name is an ordinary name (not
// starting with the reserved prefix `k2p.`, not empty, not an array index like "7", not "__proto__"), its
// value is valid UTF-8 (or headerEncoding is 'utf8'), and no later header has the same name (so the
// property holds the last value, like Kafka's `Headers.lastHeader`). Every other header becomes an
// *indexed* property `k2p.h.<position>.<form>.<name>` with form `s` (UTF-8 text), `b` (base64) or `n`
// (null value, empty property). Decoding puts indexed headers at their positions and fills the remaining
// positions, in order, with the plain properties (Pulsar keeps properties in order; JavaScript keeps
// insertion order for every plain name, which is why array-index names are indexed).
import { isUtf8 } from 'node:buffer';
import { K2pError } from '../errors.js';

export const RESERVED_PREFIX = 'k2p.';
export const INDEXED_PREFIX = 'k2p.h.';
const INDEXED = /^k2p\.h\.(0|[1-9][0-9]{0,8})\.([sbn])\.([\s\S]*)$/;
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

export type HeaderEncoding = 'lossless' | 'utf8';

/** One Kafka header as Kafka keeps it: a name and bytes (or null). Order matters. */
export interface KafkaHeader {
  key: string;
  value: Buffer | null;
}

type InputValue = Buffer | Uint8Array | string | null;
/** Headers as kafkajs hands them over (repeated names as arrays), or as an ordered list. */
export type HeadersInput = Record<string, InputValue | InputValue[] | undefined> | KafkaHeader[];

function toBytes(v: InputValue): Buffer | null {
  if (v === null) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** The ordered header list of a record (kafkajs objects: key order, arrays expanded in place). */
export function headerList(headers: HeadersInput | undefined): KafkaHeader[] {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers.map((h) => ({ key: h.key, value: toBytes(h.value) }));
  const out: KafkaHeader[] = [];
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) out.push({ key, value: toBytes(item) });
    else out.push({ key, value: toBytes(v) });
  }
  return out;
}

/** The kafkajs shape of a header list (a repeated name becomes an array, in order). */
export function headersObject(list: KafkaHeader[]): Record<string, Buffer | null | (Buffer | null)[]> {
  const out: Record<string, Buffer | null | (Buffer | null)[]> = Object.create(null);
  for (const { key, value } of list) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

function plainName(name: string): boolean {
  return name !== '' && !name.startsWith(RESERVED_PREFIX) && !ARRAY_INDEX.test(name) && name !== '__proto__';
}

/** Adds the headers to `properties` (which must not hold plain names yet). */
export function encodeHeaders(list: KafkaHeader[], encoding: HeaderEncoding, properties: Record<string, string>): void {
  // Plain loops, and nothing built for a record without headers: this runs for every record mirrored.
  if (list.length === 0) return;
  const lastIndex = new Map<string, number>();
  for (let i = 0; i < list.length; i++) lastIndex.set(list[i]!.key, i);
  for (let i = 0; i < list.length; i++) {
    const { key, value } = list[i]!;
    const text = value !== null && (encoding === 'utf8' || isUtf8(value)) ? value.toString('utf8') : undefined;
    if (text !== undefined && lastIndex.get(key) === i && plainName(key)) {
      properties[key] = text;
    } else if (text !== undefined) {
      properties[`${INDEXED_PREFIX}${i}.s.${key}`] = text;
    } else if (value === null && encoding === 'utf8') {
      properties[`${INDEXED_PREFIX}${i}.s.${key}`] = '';
    } else if (value === null) {
      properties[`${INDEXED_PREFIX}${i}.n.${key}`] = '';
    } else {
      properties[`${INDEXED_PREFIX}${i}.b.${key}`] = value.toString('base64');
    }
  }
}

function malformed(message: string, property: string): K2pError {
  return new K2pError('K2P_MIRROR_MAPPING', `${message}: property "${property}"`, { property });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The header list encoded in `properties`; other `k2p.` properties (provenance) are ignored. */
export function decodeHeaders(properties: Record<string, string>): KafkaHeader[] {
  const indexed = new Map<number, KafkaHeader>();
  const plain: KafkaHeader[] = [];
  for (const [name, text] of Object.entries(properties)) {
    if (name.startsWith(INDEXED_PREFIX)) {
      const m = INDEXED.exec(name);
      if (!m) throw malformed('not a valid indexed header', name);
      const position = Number(m[1]);
      if (indexed.has(position)) throw malformed(`header position ${position} appears twice`, name);
      let value: Buffer | null;
      if (m[2] === 's') value = Buffer.from(text, 'utf8');
      else if (m[2] === 'n') value = null;
      else if (text.length % 4 === 0 && BASE64.test(text)) value = Buffer.from(text, 'base64');
      else throw malformed('invalid base64 value', name);
      indexed.set(position, { key: m[3]!, value });
    } else if (!name.startsWith(RESERVED_PREFIX)) {
      plain.push({ key: name, value: Buffer.from(text, 'utf8') });
    }
  }
  const total = indexed.size + plain.length;
  const out: KafkaHeader[] = [];
  let next = 0;
  for (let i = 0; i < total; i++) {
    const h = indexed.get(i) ?? plain[next++];
    if (!h) throw new K2pError('K2P_MIRROR_MAPPING', `header positions do not fit ${total} headers`, { positions: [...indexed.keys()] });
    out.push(h);
  }
  if (next !== plain.length) {
    throw new K2pError('K2P_MIRROR_MAPPING', `header positions do not fit ${total} headers`, { positions: [...indexed.keys()] });
  }
  return out;
}
