// Continuous sync: while groups still consume from Kafka, their subscriptions follow the committed offsets,
// forward only, and only as far as the mirror has stored. A group whose subscription has a Pulsar consumer
// attached is left alone from then on (the state says so): its position belongs to that consumer now.
// Groups are synced together: one Pulsar scan per partition however many groups read it.
import { mirrorBehind, PartitionStats, subscriptionOn, withConsumers } from './checks.js';
import type { GroupTarget, OffsetsDeps } from './deps.js';
import type { GroupState, PartitionState } from './group-state.js';
import { mapLimit } from './limit.js';
import { cursorFor } from './place.js';
import { planGroup, TopicBounds, type PartitionRequest } from './plan.js';
import { applyPlacements, partitionState, translate } from './translate.js';
import type { PartitionTranslation } from './types.js';

export interface SyncOutcome {
  group: string;
  /** What happened: moved n partitions, nothing new, or why the group was left alone. */
  result: 'synced' | 'unchanged' | 'stopped' | 'not-syncing';
  moved: number;
  /** Partitions whose move waits for the mirror. */
  waiting: number;
  note?: string;
}

interface Moving {
  g: GroupTarget;
  state: GroupState | undefined;
  /** Partitions whose committed offset moved forward… */
  forward: PartitionRequest[];
  /** …and of those, the ones the mirror has stored far enough. */
  ready: PartitionRequest[];
  /** The partition topics on which the broker has the subscription (stats read this round). */
  existing: Set<string>;
}

type Prepared = Moving | { g: GroupTarget; state: GroupState | undefined; outcome: SyncOutcome };

function key(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** One sync round for these groups. */
export async function syncGroups(deps: OffsetsDeps, groups: readonly GroupTarget[]): Promise<SyncOutcome[]> {
  const t0 = performance.now();
  const bounds = new TopicBounds(deps);
  const stats = new PartitionStats(deps.admin);
  const concurrency = deps.concurrency ?? 16;
  // 1. Per group: is it syncing, what moved forward since the last round.
  const prepared = await mapLimit(groups, Math.max(concurrency, 32), async (g): Promise<Prepared> => {
    const state = await deps.store.get(g.group);
    if (state && state.phase !== 'syncing' && state.phase !== 'rolled-back') return { g, state, outcome: { group: g.group, result: 'not-syncing', moved: 0, waiting: 0, note: state.phase } };
    if (state?.note?.startsWith('sync stopped')) return { g, state, outcome: { group: g.group, result: 'stopped', moved: 0, waiting: 0, note: state.note } };
    const plan = await planGroup(deps, g, bounds);
    const placed = new Map((state?.partitions ?? []).map((p) => [key(p.topic, p.partition), BigInt(p.kafkaOffset)]));
    const forward = plan.requests.filter((r) => {
      const before = placed.get(key(r.topic, r.partition));
      // No commit: placed once by the policy, then left until the group commits.
      if (r.from !== 'committed') return before === undefined;
      return before === undefined || r.kafkaOffset > before;
    });
    const on = await subscriptionOn(deps, g.subscription, plan.requests.map((r) => r.target), stats);
    const attached = withConsumers(on);
    if (attached.size > 0) {
      const note = `sync stopped: a Pulsar consumer is attached to ${g.subscription} on ${[...attached.keys()].join(', ')}`;
      const stopped: GroupState = { group: g.group, subscription: g.subscription, phase: 'syncing', note, lastSyncAt: state?.lastSyncAt, updatedAt: Date.now(), partitions: state?.partitions ?? [] };
      await deps.store.put(stopped);
      deps.log?.('sync-stopped', { group: g.group, subscription: g.subscription, reason: note });
      return { g, state, outcome: { group: g.group, result: 'stopped', moved: 0, waiting: 0, note } };
    }
    return { g, state, forward, ready: [], existing: new Set(on.keys()) };
  });
  const t1 = performance.now();

  // 2. Only what the mirror has stored moves.
  const moving = prepared.filter((p): p is Moving => 'forward' in p);
  const behind = new Set((await mirrorBehind(deps, moving.flatMap((p) => p.forward))).map((b) => key(b.topic, b.partition)));
  for (const p of moving) p.ready = p.forward.filter((r) => !behind.has(key(r.topic, r.partition)));

  // 3. Translate everything at once (one scan per Pulsar partition), place every subscription, record.
  const translations = await translate(deps, moving.flatMap((p) => p.ready));
  const t2 = performance.now();
  const mine = new Map<Moving, PartitionTranslation[]>();
  let at = 0;
  for (const p of moving) {
    mine.set(p, translations.slice(at, at + p.ready.length));
    at += p.ready.length;
  }
  const placements = moving.flatMap((p) => mine.get(p)!.map((t) => ({ subscription: p.g.subscription, translation: t, exists: p.existing.has(t.target) })));
  await applyPlacements(deps, placements, deps.placeConcurrency);
  const t3 = performance.now();
  const outcomes = await mapLimit(prepared, Math.max(concurrency, 32), async (p): Promise<SyncOutcome> => {
    if ('outcome' in p) return p.outcome;
    const ts = mine.get(p)!;
    const merged = new Map<string, PartitionState>((p.state?.partitions ?? []).map((s) => [key(s.topic, s.partition), s]));
    for (const t of ts) merged.set(key(t.topic, t.partition), partitionState(t));
    const waiting = p.forward.length - p.ready.length;
    const note = waiting > 0 ? `waiting for the mirror on ${waiting} partition(s)` : undefined;
    await deps.store.put({ group: p.g.group, subscription: p.g.subscription, phase: 'syncing', note, lastSyncAt: Date.now(), updatedAt: Date.now(), partitions: [...merged.values()] });
    return { group: p.g.group, result: ts.length > 0 ? 'synced' : 'unchanged', moved: ts.length, waiting, note };
  });
  const ms = (a: number, b: number) => Math.round(b - a);
  const inBatch = placements.filter((p) => {
    const c = cursorFor(p.translation.located);
    return typeof c === 'object' && c.batchIndex !== undefined;
  }).length;
  deps.log?.('sync-round', { groups: groups.length, placed: placements.length, inBatch, planMs: ms(t0, t1), translateMs: ms(t1, t2), applyMs: ms(t2, t3), recordMs: ms(t3, performance.now()) });
  return outcomes.sort((a, b) => a.group.localeCompare(b.group));
}

/** Runs sync rounds every `intervalMs` until stopped. */
export class OffsetSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: OffsetsDeps,
    private readonly groups: () => Promise<GroupTarget[]>,
    private readonly intervalMs = 5000,
    private readonly onRound?: (outcomes: SyncOutcome[]) => void,
  ) {}

  start(): void {
    const round = async () => {
      try {
        const outcomes = await syncGroups(this.deps, await this.groups());
        this.onRound?.(outcomes); // (not onRound?.(await …): an absent onRound would skip the round itself)
      } catch (err) {
        this.deps.log?.('sync-failed', { error: (err as Error).message });
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.running = round()), this.intervalMs);
    };
    this.running = round();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
