// Status per group: its phase, when sync last ran, why it stopped, and the translated lag — records the
// group has committed on Kafka that its subscription position does not cover yet.
import type { GroupTarget, OffsetsDeps } from './deps.js';
import type { GroupPhase } from './group-state.js';

export interface GroupStatus {
  group: string;
  subscription: string;
  phase: GroupPhase | 'not synced';
  lastSyncAt?: number;
  note?: string;
  /** Σ over partitions of (committed offset − offset the subscription was placed for), when positive. */
  translatedLag: bigint;
  partitions: number;
}

export async function groupStatus(deps: OffsetsDeps, g: GroupTarget): Promise<GroupStatus> {
  const state = await deps.store.get(g.group);
  const committed = await deps.kafka.committed(g.group);
  const placed = new Map((state?.partitions ?? []).map((p) => [`${p.topic}/${p.partition}`, BigInt(p.kafkaOffset)]));
  let lag = 0n;
  for (const c of committed) {
    if (deps.targetOf(c.topic) === undefined) continue;
    const n = BigInt(c.offset);
    const at = placed.get(`${c.topic}/${c.partition}`);
    if (n >= 0n && (at === undefined || n > at)) lag += n - (at ?? 0n);
  }
  const out: GroupStatus = { group: g.group, subscription: state?.subscription ?? g.subscription, phase: state?.phase ?? 'not synced', translatedLag: lag, partitions: state?.partitions.length ?? 0 };
  if (state?.lastSyncAt !== undefined) out.lastSyncAt = state.lastSyncAt;
  if (state?.note !== undefined) out.note = state.note;
  return out;
}
