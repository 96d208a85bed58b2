// Compares the content of one pair: key, value (pluggable), headers vs properties, timestamp vs event time.
import type { KafkaHeader, MappedRecord } from '../mirror/record-mapping.js';
import { kafkajsGrouping } from './kafkajs-headers.js';
import type { KafkaSide } from './records.js';
import { bytesComparator, describeBytes, type ValueComparator, type ValueContext } from './values.js';

export interface FieldDifference {
  kind: 'key' | 'value' | 'headers' | 'timestamp';
  detail: string;
}

export interface FieldOptions {
  value: ValueComparator;
  /** Which fields to compare (default all). Dual-write writers may not set event time, for example. */
  key?: boolean;
  headers?: boolean;
  timestamp?: boolean;
  /** Header names left out of the comparison (e.g. the dual-write identity header). */
  ignoreHeaders?: ReadonlySet<string>;
}

function text(v: Buffer | null): string {
  if (v === null) return 'null';
  const s = v.toString('utf8');
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function describeHeaders(a: KafkaHeader[], b: KafkaHeader[]): string | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) {
      const h = (x ?? y)!;
      return `header #${i} "${h.key}" only in ${x ? 'Kafka' : 'Pulsar'} (Kafka ${a.length} headers, Pulsar ${b.length})`;
    }
    if (x.key !== y.key) return `header #${i}: Kafka "${x.key}", Pulsar "${y.key}"`;
    const same = x.value === null || y.value === null ? x.value === y.value : x.value.equals(y.value);
    if (!same) return `header #${i} "${x.key}": Kafka ${text(x.value)}, Pulsar ${text(y.value)}`;
  }
  return undefined;
}

function contextOf(k: KafkaSide, pulsarTopic: string, schemaVersion: Buffer | undefined): ValueContext {
  return { topic: k.topic, partition: k.partition, offset: BigInt(k.offset), pulsarTopic, schemaVersion };
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function sameHeaders(a: KafkaHeader[], b: KafkaHeader[], ignore: ReadonlySet<string> | undefined): boolean {
  if (ignore && ignore.size > 0) return false; // the slow path filters them
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.key !== y.key || !sameBytes(x.value, y.value)) return false;
  }
  return true;
}

function withoutIgnored(list: KafkaHeader[], ignore: ReadonlySet<string> | undefined): KafkaHeader[] {
  return ignore && ignore.size > 0 ? list.filter((h) => !ignore.has(h.key)) : list;
}

/** The differences of one pair (empty when identical). Async only when the value comparator is. */
export function compareFields(
  k: KafkaSide,
  p: MappedRecord,
  pulsarTopic: string,
  schemaVersion: Buffer | undefined,
  options: FieldOptions,
): FieldDifference[] | Promise<FieldDifference[]> {
  const out: FieldDifference[] = [];
  if (options.key !== false && options.headers !== false && options.timestamp !== false) {
    // The common case, identical pairs: plain comparisons, nothing built.
    if (
      sameBytes(k.key, p.key) &&
      k.timestamp === p.timestamp &&
      sameHeaders(k.headers, p.headers, options.ignoreHeaders) &&
      options.value === bytesComparator &&
      sameBytes(k.value, p.value)
    )
      return out;
  }
  if (options.key !== false) {
    const d = describeBytes('key', k.key, p.key);
    if (d) out.push({ kind: 'key', detail: d });
  }
  if (options.headers !== false) {
    // kafkajs could not give this record's order: both sides as kafkajs groups them (kafkajs-headers.ts).
    const grouped = k.headerOrderUnknown === true;
    const d = describeHeaders(
      withoutIgnored(grouped ? kafkajsGrouping(k.headers) : k.headers, options.ignoreHeaders),
      withoutIgnored(grouped ? kafkajsGrouping(p.headers) : p.headers, options.ignoreHeaders),
    );
    if (d) out.push({ kind: 'headers', detail: grouped ? `${d} (grouped by name: kafkajs cannot give the order)` : d });
  }
  if (options.timestamp !== false && k.timestamp !== p.timestamp) {
    out.push({ kind: 'timestamp', detail: `timestamp: Kafka ${k.timestamp}, Pulsar ${p.timestamp}` });
  }
  const v =
    options.value === bytesComparator
      ? describeBytes('value', k.value, p.value)
      : options.value(k.value, p.value, contextOf(k, pulsarTopic, schemaVersion));
  if (v === undefined) return out;
  if (typeof v === 'string') {
    out.push({ kind: 'value', detail: v });
    return out;
  }
  return v.then((d) => {
    if (d) out.push({ kind: 'value', detail: d });
    return out;
  });
}
