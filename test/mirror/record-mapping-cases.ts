// Random Kafka records for the record-mapping property tests (seeded: a failure names its seed).
import type { KafkaHeader, KafkaRecord } from '../../src/mirror/record-mapping.js';
import { rng } from '../helpers/random.js';

export { rng };

const NAMES = ['trace-id', 'content-type', 'x', '', '0', '42', '__proto__', 'constructor', 'k2p.topic', 'k2p.offset', 'k2p.h.0.s.x', 'k2p.timestamp', 'k2p.', 'ünïcødé 名前', 'a.b.c', '=:;,', 'toString'];
const TEXTS = ['', 'hello', 'ünïcødé ✓ 😀', '\u0000nul', 'k2p.h.1.b.x', '=', 'AAAA', ' spaced ', '\uFEFFbom'];

export function randomBytesFrom(r: () => number, max: number): Buffer {
  const b = Buffer.alloc(Math.floor(r() * max));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/** A byte string: text (valid UTF-8), random bytes (usually not), or invalid UTF-8 on purpose. */
function bytes(r: () => number): Buffer {
  const x = r();
  if (x < 0.4) return Buffer.from(pick(r, TEXTS), 'utf8');
  if (x < 0.5) return Buffer.from([0xff, 0xfe, 0x00]);
  if (x < 0.55) return Buffer.from([0xed, 0xa0, 0x80]); // an encoded surrogate: not valid UTF-8
  return randomBytesFrom(r, 40);
}

function name(r: () => number): string {
  return r() < 0.8 ? pick(r, NAMES) : `h-${Math.floor(r() * 1000)}-${pick(r, TEXTS)}`;
}

export interface Case {
  record: KafkaRecord;
  /** The header list the record stands for (what must come back). */
  headers: KafkaHeader[];
}

export function randomCase(r: () => number, i: number): Case {
  const headers: KafkaHeader[] = [];
  const n = r() < 0.2 ? 0 : Math.floor(r() * 8);
  for (let h = 0; h < n; h++) {
    const key = h > 0 && r() < 0.3 ? headers[Math.floor(r() * headers.length)]!.key : name(r); // repeats
    headers.push({ key, value: r() < 0.1 ? null : bytes(r) });
  }
  const ts = r();
  const record: KafkaRecord = {
    topic: pick(r, ['orders', 'events.ünï', 'a-b_c.d']),
    partition: Math.floor(r() * 64),
    offset: String(BigInt(i) * 1_000_003n + BigInt(Math.floor(r() * 1000))),
    key: r() < 0.15 ? null : bytes(r),
    value: r() < 0.15 ? null : r() < 0.5 ? bytes(r) : randomBytesFrom(r, 2000),
    timestamp: ts < 0.05 ? '-1' : ts < 0.08 ? '0' : String(1_600_000_000_000 + Math.floor(r() * 1e11)),
    headers: r() < 0.5 ? headers : undefined,
  };
  // Half the cases give the headers as kafkajs does (an object, repeated names as arrays) — only when
  // that shape can hold them in order (a repeated name's values all in one array).
  if (record.headers === undefined) {
    const grouped: Record<string, (Buffer | null)[]> = Object.create(null);
    for (const h of headers) (grouped[h.key] ??= []).push(h.value);
    const obj: Record<string, Buffer | null | (Buffer | null)[]> = Object.create(null);
    for (const [k, v] of Object.entries(grouped)) obj[k] = v.length === 1 ? v[0]! : v;
    record.headers = obj;
    return { record, headers: Object.entries(grouped).flatMap(([key, values]) => values.map((value) => ({ key, value }))) };
  }
  return { record, headers };
}
