// kafkajs hands a record's headers over as an object built header by header (`{ ...obj, [name]: value }`,
// a repeated name's values grouped into an array). Some shapes of that object keep the record's header order,
// others cannot: for those records the mirror reads the headers again, in wire order, with our own fetch
// client (docs/record-mapping.md, "Headers").
import type { KafkaHeaderReader } from '../kafka/wire/header-reader.js';
import type { KafkaRecord } from './record-mapping.js';

/** A name kafkajs finds an inherited value for (Object.prototype has it): kafkajs's value for it is wrong. */
export function inheritedName(name: string): boolean {
  return name in Object.prototype;
}

/** Names JavaScript lists first, in numeric order, whatever order they were added in (array indexes; a superset). */
const INTEGER_LIKE = /^(0|[1-9][0-9]*)$/;

/**
 * Whether a kafkajs header object may not give the record's headers in order (or not give them right):
 * - a name Object.prototype has ("__proto__", "constructor", "toString"...): kafkajs finds the inherited value
 *   and makes the header [that value, the header's value], wrong even alone;
 * - with two or more names: an integer-like name (listed first), or a repeated name (an array) followed by
 *   another name (its later values may have come anywhere after its first).
 * Otherwise names are in the order of their first header, and only the last name may repeat: wire order.
 * One pass over the names, no allocation: this runs for every record.
 */
export function ambiguousHeaderOrder(headers: KafkaRecord['headers']): boolean {
  if (headers === undefined || Array.isArray(headers)) return false;
  let names = 0;
  let integerLike = false;
  let repeated = false;
  for (const name in headers) {
    if (repeated || inheritedName(name)) return true;
    names++;
    const c = name.charCodeAt(0);
    if (!integerLike && c >= 48 && c <= 57) integerLike = INTEGER_LIKE.test(name);
    if (integerLike && names > 1) return true;
    repeated = Array.isArray(headers[name]);
  }
  return false;
}

/** The positions of a batch's records whose header order is ambiguous (undefined: none, the common case). */
export function ambiguousRecords(records: readonly KafkaRecord[]): number[] | undefined {
  let found: number[] | undefined;
  for (let i = 0; i < records.length; i++) if (ambiguousHeaderOrder(records[i]!.headers)) (found ??= []).push(i);
  return found;
}

/**
 * Replaces the headers of the records at `positions` (one partition's batch, ascending offsets) by the list
 * read again from Kafka: one read from the first of them. Throws when the read fails (K2P_KFK_FETCH...): the
 * batch must then fail and be handed over again, never go on in the object's order.
 */
export async function restoreHeaderOrder(reader: KafkaHeaderReader, records: KafkaRecord[], positions: readonly number[]): Promise<void> {
  const first = records[positions[0]!]!;
  const read = await reader.read(
    first.topic,
    first.partition,
    positions.map((i) => Number(records[i]!.offset)),
  );
  for (const i of positions) records[i]!.headers = read.get(Number(records[i]!.offset))!;
}
