// Cutover of one group: refuse while the Kafka group has members, wait until the mirror holds everything
// the group could have consumed, translate, record the plan ("cutting-over"), place the subscription on
// every partition, record "cut-over". Running it again after it finished answers the recorded result and
// changes nothing; after a crash midway it translates again (the group is stopped, so its offsets are the
// same) and places the same positions.
import { setTimeout as sleep } from 'node:timers/promises';
import { K2pError } from '../errors.js';
import { assertGroupInactive, mirrorBehind, subscriptionOn, withConsumers } from './checks.js';
import type { GroupTarget, OffsetsDeps } from './deps.js';
import type { PartitionState } from './group-state.js';
import { planGroup } from './plan.js';
import { applyTranslations, partitionState, translate } from './translate.js';
import type { PartitionTranslation } from './types.js';

export interface CutoverOptions {
  /** How long to wait for the mirror to catch up before refusing. Default 60 s. */
  waitMs?: number;
  pollMs?: number;
  /** Called after each partition's subscription is placed. */
  onPlaced?: (t: PartitionTranslation) => void;
  /** Place the subscription again even if the group is cut over (e.g. after a topic unload, docs/offsets.md). */
  again?: boolean;
}

export interface CutoverResult {
  group: string;
  subscription: string;
  /** True when the group was already cut over: nothing was done. */
  already: boolean;
  partitions: PartitionState[];
  skipped: { topic: string; partition: number; reason: string }[];
}

export async function cutover(deps: OffsetsDeps, g: GroupTarget, options: CutoverOptions = {}): Promise<CutoverResult> {
  const previous = await deps.store.get(g.group);
  if (previous?.phase === 'cut-over' && !options.again) return { group: g.group, subscription: previous.subscription, already: true, partitions: previous.partitions, skipped: [] };
  await assertGroupInactive(deps, g.group, 'cutover');
  const plan = await planGroup(deps, g);

  const deadline = Date.now() + (options.waitMs ?? 60_000);
  for (;;) {
    const behind = await mirrorBehind(deps, plan.requests);
    if (behind.length === 0) break;
    if (Date.now() >= deadline) {
      const list = behind.map((b) => `${b.topic}[${b.partition}] needs < ${b.need}, has < ${b.have}`).join('; ');
      throw new K2pError('K2P_OFF_MIRROR_BEHIND', `cutover of ${g.group} refused: the mirror has not stored everything the group consumed (${list}). Nothing was changed.`, {
        group: g.group,
        behind: behind.map((b) => ({ topic: b.topic, partition: b.partition, need: String(b.need), have: String(b.have) })),
      });
    }
    await sleep(options.pollMs ?? 500);
  }

  const on = await subscriptionOn(deps, g.subscription, plan.requests.map((r) => r.target));
  const attached = withConsumers(on);
  if (attached.size > 0) {
    throw new K2pError('K2P_OFF_SUBSCRIPTION_ACTIVE', `cutover of ${g.group} refused: Pulsar consumers are attached to subscription ${g.subscription} on ${[...attached.keys()].join(', ')}. Nothing was changed.`, {
      group: g.group,
      subscription: g.subscription,
      attached: Object.fromEntries(attached),
    });
  }

  const translations = await translate(deps, plan.requests);
  const partitions = translations.map(partitionState);
  await deps.store.put({ group: g.group, subscription: g.subscription, phase: 'cutting-over', lastSyncAt: previous?.lastSyncAt, updatedAt: Date.now(), partitions });
  await applyTranslations(deps, g.subscription, translations, deps.concurrency ?? 16, options.onPlaced, new Set(on.keys()));

  // A Kafka consumer started meanwhile would make the positions stale: stay "cutting-over" and refuse.
  await assertGroupInactive(deps, g.group, 'cutover');
  const now = new Map((await deps.kafka.committed(g.group)).map((c) => [`${c.topic}/${c.partition}`, BigInt(c.offset)]));
  const moved = plan.requests.filter((r) => r.from === 'committed' && now.get(`${r.topic}/${r.partition}`) !== r.committed);
  if (moved.length > 0) {
    throw new K2pError('K2P_OFF_GROUP_ACTIVE', `cutover of ${g.group}: its committed offsets moved while it ran (${moved.map((r) => `${r.topic}[${r.partition}]`).join(', ')}); stop its consumers and run it again`, {
      group: g.group,
    });
  }
  await deps.store.put({ group: g.group, subscription: g.subscription, phase: 'cut-over', lastSyncAt: previous?.lastSyncAt, updatedAt: Date.now(), partitions });
  deps.log?.('cut-over', { group: g.group, subscription: g.subscription, partitions: partitions.length });
  return { group: g.group, subscription: g.subscription, already: false, partitions, skipped: plan.skipped };
}
