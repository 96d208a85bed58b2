// When is backfill over: every partition's mirror position reached the Kafka end offset seen at the first
// look (a producer that keeps writing does not keep backfill open). A transaction's commit marker (or an
// aborted tail) sits after the last record and is never committed by the mirror, which only commits after
// records: a gap that stays the same over several looks while the mirror runs is such a tail, not records.
import type { LagSnapshot } from './types.js';

export interface BackfillMemo {
  /** Kafka end offset per `topic/partition` at the first look. */
  targets?: Record<string, number>;
  /** Gap seen at the previous look and for how many looks it has not moved. */
  gaps?: Record<string, { gap: number; looks: number }>;
}

/** Looks a gap must stay unchanged before it counts as markers only. */
export const STILL_LOOKS = 3;
/** A larger standing gap is never taken for markers (a stuck partition, not a transaction tail). */
export const MAX_MARKER_GAP = 1000;

export function backfillCheck(snapshot: LagSnapshot, memo: BackfillMemo): { done: boolean; behind: number; partitions: number } {
  const first = memo.targets === undefined;
  memo.targets ??= {};
  const gaps: Record<string, { gap: number; looks: number }> = {};
  let behind = 0;
  let partitions = 0;
  for (const t of snapshot.topics) {
    for (const p of t.partitions) {
      const key = `${t.topic}/${p.partition}`;
      if (first || memo.targets[key] === undefined) memo.targets[key] = p.end;
      const target = memo.targets[key]!;
      const next = p.committed >= 0 ? p.committed : p.start;
      const gap = target - next;
      if (gap <= 0) continue;
      const before = memo.gaps?.[key];
      const looks = before && before.gap === gap ? before.looks + 1 : 0;
      gaps[key] = { gap, looks };
      // Nothing committed yet may also be a mirror still joining its group: wait longer before believing it.
      if (gap <= MAX_MARKER_GAP && looks >= (p.committed >= 0 ? STILL_LOOKS : STILL_LOOKS * 4)) continue;
      behind += gap;
      partitions++;
    }
  }
  memo.gaps = gaps;
  return { done: partitions === 0, behind, partitions };
}
