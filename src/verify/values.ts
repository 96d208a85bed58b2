// Value comparison is pluggable: bytes by default; a schema-aware comparator decodes both sides first (for
// schema topics the Kafka value is registry-framed while Pulsar holds the schema's own encoding). This module
// knows no schema format: callers bring the decoders.
import { isDeepStrictEqual } from 'node:util';

export interface ValueContext {
  /** Kafka topic, partition, offset of the record. */
  topic: string;
  partition: number;
  offset: bigint;
  /** The Pulsar partition topic and the message's schema version (when it has one). */
  pulsarTopic: string;
  schemaVersion?: Buffer;
}

/**
 * Compares a Kafka record's value with the Pulsar message's value: undefined when they are equal, else one
 * sentence saying how they differ. May be async (a decoder fetching a schema); keep the sync path sync, it
 * runs once per record.
 */
export type ValueComparator = (
  kafka: Buffer | null,
  pulsar: Buffer | null,
  context: ValueContext,
) => string | undefined | Promise<string | undefined>;

function hex(b: Buffer, at: number): string {
  const from = Math.max(0, at - 4);
  return b.subarray(from, Math.min(b.length, at + 8)).toString('hex');
}

/** Where two byte strings differ, in one sentence; undefined when equal. */
export function describeBytes(what: string, a: Buffer | null, b: Buffer | null): string | undefined {
  if (a === null || b === null) {
    if (a === b) return undefined;
    return `${what}: Kafka ${a === null ? 'null' : `${a.length} bytes`}, Pulsar ${b === null ? 'null' : `${b.length} bytes`}`;
  }
  if (a.equals(b)) return undefined;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return `${what} differs at byte ${i} (Kafka ${a.length} bytes, Pulsar ${b.length} bytes): Kafka …${hex(a, i)}…, Pulsar …${hex(b, i)}…`;
}

/** The default: byte for byte. */
export const bytesComparator: ValueComparator = (kafka, pulsar) => describeBytes('value', kafka, pulsar);

export interface DecodedComparatorOptions<T> {
  /** The Kafka value decoded (e.g. a registry-framed Avro record → an object). */
  decodeKafka(value: Buffer, context: ValueContext): T | Promise<T>;
  /** The Pulsar value decoded (e.g. with the schema of `context.schemaVersion`). */
  decodePulsar(value: Buffer, context: ValueContext): T | Promise<T>;
  /** Default: deep strict equality. */
  equals?(a: T, b: T): boolean;
}

/** A comparator on decoded values: what a schema topic needs. Null values (tombstones) compare as null. */
export function decodedComparator<T>(options: DecodedComparatorOptions<T>): ValueComparator {
  const equals = options.equals ?? ((a: T, b: T) => isDeepStrictEqual(a, b));
  return async (kafka, pulsar, context) => {
    if (kafka === null || pulsar === null) return describeBytes('value', kafka, pulsar);
    let a: T;
    let b: T;
    try {
      a = await options.decodeKafka(kafka, context);
    } catch (err) {
      return `the Kafka value cannot be decoded: ${(err as Error).message}`;
    }
    try {
      b = await options.decodePulsar(pulsar, context);
    } catch (err) {
      return `the Pulsar value cannot be decoded: ${(err as Error).message}`;
    }
    return equals(a, b) ? undefined : `decoded values differ: Kafka ${preview(a)}, Pulsar ${preview(b)}`;
  };
}

function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
