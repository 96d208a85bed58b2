// Positions: each mapped consumer group's committed Kafka offsets against its Pulsar subscription (the next
// message the subscription delivers must be the record at the committed offset; at the end of the topic,
// the committed offset must be the end).
import { resolveGroup, subscriptionName } from '../config/index.js';
import { K2pError } from '../errors.js';
import { KafkajsAdmin } from '../kafka/index.js';
import { partitionTopic } from '../pulsar/client/index.js';
import { subscriptionPosition } from './subscription-position.js';
import type { ClusterPair } from './targets.js';
import type { PositionCheck } from './types.js';

export async function checkPositions(
  cluster: ClusterPair,
  onlyGroups?: readonly string[],
): Promise<PositionCheck[]> {
  if (!cluster.config || !cluster.source || cluster.groups.length === 0) return [];
  if (!cluster.admin)
    throw new K2pError('K2P_VERIFY_INPUT', 'checking positions needs the Pulsar admin URL', {
      cluster: cluster.name,
    });
  const admin = cluster.admin;
  const kafkaAdmin = new KafkajsAdmin(cluster.kafka, cluster.source);
  await kafkaAdmin.connect();
  const out: PositionCheck[] = [];
  try {
    const targets = new Map(cluster.pairs.map((p) => [p.kafkaTopic, p.pulsarTopic]));
    const groups = (await kafkaAdmin.listGroups())
      .map((g) => g.groupId)
      .filter((g) => !onlyGroups || onlyGroups.includes(g));
    for (const group of groups) {
      const mapping = resolveGroup(cluster.config, cluster.source, group);
      if (!mapping) continue;
      const subscription = subscriptionName(mapping, group);
      const committed = await kafkaAdmin.committedOffsets(group);
      const starts = new Map<string, Map<number, bigint>>();
      for (const c of committed) {
        const target = targets.get(c.topic);
        if (!target || c.offset === '-1') continue;
        if (!starts.has(c.topic))
          starts.set(
            c.topic,
            new Map((await kafkaAdmin.offsets(c.topic)).map((o) => [o.partition, BigInt(o.start)])),
          );
        const partitioned = (await cluster.pulsar.partitions(target)) > 0;
        const pulsarTopic = partitioned ? partitionTopic(target, c.partition) : target;
        const check: PositionCheck = {
          group,
          subscription,
          topic: c.topic,
          partition: c.partition,
          pulsarTopic,
          kafkaCommitted: c.offset,
          pulsarNext: null,
          ok: false,
          detail: '',
        };
        const subscriptions = await admin.subscriptions.list(pulsarTopic).catch(() => [] as string[]);
        if (!subscriptions.includes(subscription)) {
          check.detail = `subscription "${subscription}" does not exist on ${pulsarTopic}`;
          out.push(check);
          continue;
        }
        const pos = await subscriptionPosition(
          cluster.pulsar,
          pulsarTopic,
          subscription,
          mapping.type,
          starts.get(c.topic)?.get(c.partition) ?? 0n,
        );
        if (pos.markDelete !== undefined) check.markDelete = pos.markDelete;
        if (pos.nextMessageId !== undefined) check.pulsarMessageId = pos.nextMessageId;
        check.pulsarNext = pos.nextOffset === null ? null : pos.nextOffset.toString();
        check.ok = pos.nextOffset !== null && pos.nextOffset === BigInt(c.offset);
        const where = pos.atEnd
          ? `is at the end of the topic (Kafka offset ${check.pulsarNext})`
          : `delivers Kafka offset ${check.pulsarNext} next (message ${pos.nextMessageId})`;
        check.detail =
          pos.nextOffset === null
            ? (pos.detail ?? 'subscription position unknown')
            : `group ${group} committed ${c.offset}; subscription ${subscription} ${where}`;
        out.push(check);
      }
    }
  } finally {
    await kafkaAdmin.close();
  }
  return out;
}
