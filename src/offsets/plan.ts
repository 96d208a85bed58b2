// Which partitions a group has and the Kafka offset each one's subscription must start at: the committed
// offset, or — with no commit — the policy of the group mapping (earliest: the log start; latest: the end a
// read_committed consumer sees; skip: leave that partition's subscription alone). A group's topics are the
// mirrored ones it committed on or is assigned.
import { partitionTopic } from '../pulsar/client/index.js';
import type { GroupTarget, OffsetsDeps } from './deps.js';

export interface PartitionRequest {
  topic: string;
  partition: number;
  target: string;
  committed: bigint;
  kafkaOffset: bigint;
  from: 'committed' | 'earliest' | 'latest';
}

export interface GroupPlan {
  requests: PartitionRequest[];
  /** Partitions (or whole topics: partition -1) left alone, with why. */
  skipped: { topic: string; partition: number; reason: string }[];
}

/** Partition start/end offsets per Kafka topic, read once and shared by the groups planned together. */
export class TopicBounds {
  private readonly cache = new Map<string, Promise<Map<number, { start: bigint; end: bigint }>>>();

  constructor(private readonly deps: OffsetsDeps) {}

  of(topic: string): Promise<Map<number, { start: bigint; end: bigint }>> {
    let b = this.cache.get(topic);
    if (!b) {
      b = this.deps.kafka.offsets(topic).then((list) => new Map(list.map((o) => [o.partition, { start: BigInt(o.start), end: BigInt(o.end) }])));
      this.cache.set(topic, b);
    }
    return b;
  }
}

export async function planGroup(deps: OffsetsDeps, g: GroupTarget, bounds = new TopicBounds(deps)): Promise<GroupPlan> {
  const [committed, description] = await Promise.all([deps.kafka.committed(g.group), deps.kafka.describe(g.group)]);
  const topics = new Set(committed.map((c) => c.topic));
  for (const m of description.members) for (const a of m.assignment) topics.add(a.topic);
  const plan: GroupPlan = { requests: [], skipped: [] };
  const byPartition = new Map(committed.map((c) => [`${c.topic}/${c.partition}`, BigInt(c.offset)]));
  for (const topic of [...topics].sort()) {
    const base = deps.targetOf(topic);
    if (base === undefined) {
      plan.skipped.push({ topic, partition: -1, reason: 'topic not mirrored by the mappings' });
      continue;
    }
    const b = await bounds.of(topic);
    for (const [partition, { start, end }] of [...b].sort((x, y) => x[0] - y[0])) {
      const target = partitionTopic(base, partition);
      const n = byPartition.get(`${topic}/${partition}`) ?? -1n;
      if (n >= 0n) plan.requests.push({ topic, partition, target, committed: n, kafkaOffset: n, from: 'committed' });
      else if (g.whenNoOffset === 'skip') plan.skipped.push({ topic, partition, reason: 'no committed offset (whenNoOffset: skip)' });
      else plan.requests.push({ topic, partition, target, committed: -1n, kafkaOffset: g.whenNoOffset === 'earliest' ? start : end, from: g.whenNoOffset });
    }
  }
  return plan;
}
