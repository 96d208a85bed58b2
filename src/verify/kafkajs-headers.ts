// Verify without a Kafka connector reads Kafka with the caller's kafkajs client, whose header object cannot
// give some records' header order (ambiguousHeaderOrder, src/mirror/header-order.ts). Such a record is
// compared only as far as kafkajs tells the truth: both sides grouped as that object groups them (names,
// values, nulls and multiplicities; not the order between names), and names Object.prototype has left out
// on both sides, since kafkajs gives them a wrong value (docs/verify.md, "Header order").
import { inheritedName } from '../mirror/header-order.js';
import type { KafkaHeader } from '../mirror/record-mapping.js';

/**
 * `list` in the order kafkajs's object gives it: integer-like names first (ascending), then by first
 * appearance, each name's values together in their order; inherited names left out. Idempotent.
 */
export function kafkajsGrouping(list: readonly KafkaHeader[]): KafkaHeader[] {
  // A prototype-free object: its own keys come in the same order as in the object kafkajs builds.
  const groups = Object.create(null) as Record<string, KafkaHeader[]>;
  for (const h of list) if (!inheritedName(h.key)) (groups[h.key] ??= []).push(h);
  return Object.values(groups).flat();
}
