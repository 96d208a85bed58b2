// From planned partitions to translations (one scan per Pulsar partition, however many groups ask about it)
// and from translations to subscription positions on the broker.
import type { OffsetsDeps } from './deps.js';
import type { PartitionState } from './group-state.js';
import { mapLimit } from './limit.js';
import { placeSubscription, type PlacementBroker } from './place.js';
import type { PartitionRequest } from './plan.js';
import { PartitionScanner } from './scan.js';
import { describePosition, type PartitionTranslation } from './types.js';

/** Translates many partition requests (of one or many groups); results in request order. */
export async function translate(deps: OffsetsDeps, requests: readonly PartitionRequest[]): Promise<PartitionTranslation[]> {
  const scanner = new PartitionScanner(deps.pulsar, deps.admin, deps.index);
  const byTarget = new Map<string, bigint[]>();
  for (const r of requests) {
    const list = byTarget.get(r.target) ?? [];
    list.push(r.kafkaOffset);
    byTarget.set(r.target, list);
  }
  const targets = [...byTarget.keys()];
  const results = await mapLimit(targets, deps.concurrency ?? 16, async (target) => {
    const { located, stats } = await scanner.locate(target, byTarget.get(target)!);
    deps.log?.('scanned', { target, offsets: byTarget.get(target)!.length, read: stats.read, fromCheckpoint: stats.fromCheckpoint });
    return located;
  });
  const located = new Map(targets.map((t, i) => [t, results[i]!]));
  return requests.map((r) => ({ ...r, located: located.get(r.target)!.get(r.kafkaOffset)! }));
}

/** Subscription placements in flight at once: the broker's create is latency-bound (a cursor and its ledger
 * are written to the metadata store and a bookie), so throughput grows with concurrency well past 64. */
export const PLACE_CONCURRENCY = 256;

/** One subscription to place on one partition; `exists`: the broker has it (see placeSubscription). */
export interface Placement {
  subscription: string;
  translation: PartitionTranslation;
  exists?: boolean;
}

/** Places every subscription (of one or many groups) at its translated position; `onPlaced` after each. */
export async function applyPlacements(broker: PlacementBroker, placements: readonly Placement[], concurrency = PLACE_CONCURRENCY, onPlaced?: (p: Placement) => void): Promise<void> {
  await mapLimit(placements, concurrency, async (p) => {
    await placeSubscription(broker, p.translation.target, p.subscription, p.translation.located, p.exists);
    onPlaced?.(p);
  });
}

/**
 * Places `subscription` on every translated partition (create or reset); calls `onPlaced` after each.
 * `existing`: the partition topics on which the subscription exists (see placeSubscription).
 */
export async function applyTranslations(
  broker: PlacementBroker,
  subscription: string,
  translations: readonly PartitionTranslation[],
  concurrency = PLACE_CONCURRENCY,
  onPlaced?: (t: PartitionTranslation) => void,
  existing: ReadonlySet<string> = new Set(),
): Promise<void> {
  const placements = translations.map((t) => ({ subscription, translation: t, exists: existing.has(t.target) }));
  await applyPlacements(broker, placements, concurrency, onPlaced && ((p) => onPlaced(p.translation)));
}

export function partitionState(t: PartitionTranslation): PartitionState {
  const s: PartitionState = { topic: t.topic, partition: t.partition, target: t.target, kafkaOffset: String(t.kafkaOffset), position: describePosition(t.located) };
  if (t.located.next) {
    s.nextId = t.located.next.id.toString();
    s.nextOffset = String(t.located.next.offset);
  }
  return s;
}
