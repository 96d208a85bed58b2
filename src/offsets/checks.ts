// The conditions cutover and rollback check before they change anything: the Kafka group has no members,
// the mirror has stored what the group could have consumed, and no Pulsar consumer holds the subscription.
import { K2pError } from '../errors.js';
import type { PulsarAdmin, TopicStats } from '../pulsar/admin/index.js';
import { parseTopicName } from '../pulsar/client/index.js';
import type { OffsetsDeps } from './deps.js';
import { mapLimit } from './limit.js';
import type { PartitionRequest } from './plan.js';
import { PartitionScanner } from './scan.js';

export async function assertGroupInactive(deps: OffsetsDeps, group: string, operation: string): Promise<void> {
  const d = await deps.kafka.describe(group);
  if (d.members.length > 0) {
    throw new K2pError(
      'K2P_OFF_GROUP_ACTIVE',
      `${operation} refused: Kafka group ${group} has ${d.members.length} active member(s) (${d.members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ')}); stop its consumers first. Nothing was changed.`,
      { group, state: d.state, members: d.members.map((m) => m.memberId) },
    );
  }
}

export interface Behind {
  topic: string;
  partition: number;
  /** Pulsar must hold every record below this offset… */
  need: bigint;
  /** …and holds them below this one (the mirror's committed offset, or the last stored offset + 1). */
  have: bigint;
}

/** Partitions whose records below the requested offset are not all in Pulsar yet. */
export async function mirrorBehind(deps: OffsetsDeps, requests: readonly PartitionRequest[]): Promise<Behind[]> {
  const mirrored = new Map<string, bigint>();
  if (deps.mirrorGroup) {
    const topics = [...new Set(requests.map((r) => r.topic))];
    for (const c of await deps.kafka.committed(deps.mirrorGroup, topics)) mirrored.set(`${c.topic}/${c.partition}`, BigInt(c.offset));
  }
  const scanner = new PartitionScanner(deps.pulsar, deps.admin);
  const out = await mapLimit(requests, deps.concurrency ?? 16, async (r): Promise<Behind | undefined> => {
    if (r.kafkaOffset <= 0n) return undefined;
    const byMirror = mirrored.get(`${r.topic}/${r.partition}`) ?? -1n;
    if (byMirror >= r.kafkaOffset) return undefined;
    const last = await scanner.lastStored(r.target);
    const have = last ? last.offset + 1n : 0n;
    if (have >= r.kafkaOffset) return undefined;
    return { topic: r.topic, partition: r.partition, need: r.kafkaOffset, have: byMirror > have ? byMirror : have };
  });
  return out.filter((b): b is Behind => b !== undefined);
}

/** Per-partition stats of partitioned topics, read once and shared by the groups checked together. */
export class PartitionStats {
  private readonly cache = new Map<string, Promise<Record<string, TopicStats>>>();

  constructor(private readonly admin: PulsarAdmin) {}

  of(base: string): Promise<Record<string, TopicStats>> {
    let s = this.cache.get(base);
    if (!s) {
      s = this.admin.topics.partitionedStats(base, true).then((all) => all.partitions ?? {});
      this.cache.set(base, s);
    }
    return s;
  }
}

/** The partition topics (of those given) on which `subscription` exists, with its attached consumers. */
export async function subscriptionOn(deps: OffsetsDeps, subscription: string, targets: readonly string[], stats = new PartitionStats(deps.admin)): Promise<Map<string, number>> {
  const bases = [...new Set(targets.map((t) => parseTopicName(t).base))];
  const wanted = new Set(targets);
  const out = new Map<string, number>();
  await mapLimit(bases, deps.concurrency ?? 16, async (base) => {
    for (const [name, s] of Object.entries(await stats.of(base))) {
      const sub = s.subscriptions[subscription];
      if (sub && wanted.has(name)) out.set(name, sub.consumers.length);
    }
  });
  return out;
}

/** Of a subscriptionOn() map, the partition topics with consumers attached. */
export function withConsumers(on: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...on].filter(([, consumers]) => consumers > 0));
}

/** Consumers attached to `subscription` on the given partition topics, by partition topic (only non-zero). */
export async function attachedConsumers(deps: OffsetsDeps, subscription: string, targets: readonly string[], stats = new PartitionStats(deps.admin)): Promise<Map<string, number>> {
  return withConsumers(await subscriptionOn(deps, subscription, targets, stats));
}

/** Partition topics (of those given) on which `subscription` does not exist. */
export async function missingSubscriptions(deps: OffsetsDeps, subscription: string, targets: readonly string[]): Promise<string[]> {
  const missing = await mapLimit(targets, deps.concurrency ?? 16, async (t) => ((await deps.admin.subscriptions.list(t)).includes(subscription) ? undefined : t));
  return missing.filter((t): t is string => t !== undefined);
}
