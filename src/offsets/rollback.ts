// Rollback of a cut-over group: the position of its Pulsar subscription becomes the group's committed Kafka
// offset on every partition — the Kafka offset of the first message not consumed on Pulsar, or one past the
// last stored message when all were — so nothing consumed on Pulsar is consumed again on Kafka and nothing
// is skipped. Refuses (changing nothing) while the Kafka group has members or a Pulsar consumer is attached.
import { K2pError } from '../errors.js';
import { assertGroupInactive, attachedConsumers, missingSubscriptions } from './checks.js';
import type { GroupTarget, OffsetsDeps } from './deps.js';
import type { PartitionState } from './group-state.js';
import { mapLimit } from './limit.js';
import { subscriptionPosition } from './subscription-position.js';

export interface RollbackResult {
  group: string;
  subscription: string;
  already: boolean;
  /** Per partition: the Kafka offset committed (kafkaOffset) and the Pulsar message it stands for. */
  partitions: PartitionState[];
}

export async function rollback(deps: OffsetsDeps, g: GroupTarget): Promise<RollbackResult> {
  const state = await deps.store.get(g.group);
  if (state?.phase === 'rolled-back') return { group: g.group, subscription: state.subscription, already: true, partitions: state.partitions };
  if (!state || (state.phase !== 'cut-over' && state.phase !== 'rolling-back')) {
    throw new K2pError('K2P_OFF_STATE', `rollback of ${g.group} refused: the group is ${state ? state.phase : 'unknown to the gateway'}, not cut over. Nothing was changed.`, {
      group: g.group,
      phase: state?.phase,
    });
  }
  await assertGroupInactive(deps, g.group, 'rollback');
  const subscription = state.subscription;
  const targets = state.partitions.map((p) => p.target);
  const missing = await missingSubscriptions(deps, subscription, targets);
  if (missing.length > 0) {
    throw new K2pError('K2P_OFF_UNKNOWN_SUBSCRIPTION', `rollback of ${g.group} refused: subscription ${subscription} does not exist on ${missing.join(', ')}. Nothing was changed.`, { group: g.group, subscription, missing });
  }
  const attached = await attachedConsumers(deps, subscription, targets);
  if (attached.size > 0) {
    throw new K2pError('K2P_OFF_SUBSCRIPTION_ACTIVE', `rollback of ${g.group} refused: Pulsar consumers are still attached to ${subscription} on ${[...attached.keys()].join(', ')}; stop them first. Nothing was changed.`, {
      group: g.group,
      subscription,
    });
  }

  const partitions = await mapLimit(state.partitions, deps.concurrency ?? 16, async (p): Promise<PartitionState | undefined> => {
    const pos = await subscriptionPosition(deps.pulsar, deps.admin, p.target, subscription, `rollback of ${g.group} refused on ${p.topic}[${p.partition}] (${p.target})`);
    if (pos.first) return { ...p, kafkaOffset: String(pos.first.offset), position: `at ${pos.first.id.toString()}`, nextId: pos.first.id.toString(), nextOffset: String(pos.first.offset) };
    if (pos.afterLast) return { topic: p.topic, partition: p.partition, target: p.target, kafkaOffset: String(pos.afterLast.offset + 1n), position: `after ${pos.afterLast.id.toString()}` };
    return undefined; // nothing stored on Pulsar: the group's Kafka offset stays as it is
  });
  const changes = partitions.filter((p): p is PartitionState => p !== undefined);
  await deps.store.put({ ...state, phase: 'rolling-back', partitions: changes, updatedAt: Date.now() });
  const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
  for (const p of changes) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), { partition: p.partition, offset: BigInt(p.kafkaOffset) }]);
  for (const [topic, list] of byTopic) await deps.kafka.commit(g.group, topic, list);
  await deps.store.put({ ...state, phase: 'rolled-back', note: undefined, partitions: changes, updatedAt: Date.now() });
  deps.log?.('rolled-back', { group: g.group, subscription, partitions: changes.length });
  return { group: g.group, subscription, already: false, partitions: changes };
}
