// The content divergences of one pair: an unreadable message, or the fields that differ.
import { compareFields, type FieldDifference, type FieldOptions } from './fields.js';
import type { KafkaSide, PulsarSide } from './records.js';

export interface PairDifference {
  kind: FieldDifference['kind'] | 'unreadable';
  detail: string;
}

export function fieldDivergences(
  k: KafkaSide,
  p: PulsarSide,
  pulsarTopic: string,
  fields: FieldOptions,
): PairDifference[] | Promise<PairDifference[]> {
  if (p.mapped instanceof Error) return [{ kind: 'unreadable', detail: p.mapped.message }];
  // The context is built only for a comparator of the caller's: the default compares bytes, needs none.
  return compareFields(k, p.mapped, pulsarTopic, p.message.schemaVersion, fields);
}
