// Dual-write mode for one topic: every Kafka partition and every Pulsar partition read at once, merged by
// time, paired by identity (dual-matcher.ts).
import { partitionTopic } from '../pulsar/client/index.js';
import type { PartitionExtent } from './bounds.js';
import { matchDual } from './dual-matcher.js';
import type { FieldOptions } from './fields.js';
import type { Findings } from './findings.js';
import { kafkaReader } from './kafka-reader.js';
import type { DualWriteOptions, TopicPair } from './options.js';
import { pulsarMessages } from './pulsar-source.js';
import type { KafkaBatch, KafkaSide, PulsarSide } from './records.js';
import { partitionSummary, topicSummary } from './summary.js';
import type { ClusterPair } from './targets.js';
import { flatten, mergeByTime } from './time-merge.js';
import { emptyCounts, type Counts, type TopicSummary } from './types.js';

export interface DualTopicRun {
  cluster: ClusterPair;
  pair: TopicPair;
  extents: PartitionExtent[];
  fields: FieldOptions;
  findings: Findings;
  dualWrite: DualWriteOptions;
  startedAt: number;
  track?: (counts: Counts) => void;
  readTimeoutMs?: number;
  kafkaThread?: boolean;
}

/** Kafka batches as records (pairing by identity looks at every record's fields). */
function unpacked(batches: AsyncIterator<KafkaBatch>): AsyncIterator<KafkaSide[]> {
  return {
    next: async () => {
      const r = await batches.next();
      return r.done ? r : { done: false, value: r.value.records() };
    },
  };
}

export async function verifyDualTopic(run: DualTopicRun): Promise<TopicSummary> {
  const { cluster, pair, extents } = run;
  const partitions = await cluster.pulsar.partitions(pair.pulsarTopic);
  const pulsarTopics =
    partitions > 0
      ? Array.from({ length: partitions }, (_, p) => partitionTopic(pair.pulsarTopic, p))
      : [pair.pulsarTopic];
  const reader = kafkaReader(
    cluster,
    pair.kafkaTopic,
    extents.length,
    extents.map((e) => ({ partition: e.partition, ranges: [e.range] })),
    { readTimeoutMs: run.readTimeoutMs, thread: run.kafkaThread },
  );
  const counts = emptyCounts();
  run.track?.(counts);
  const pulsarIts = pulsarTopics.map((t) =>
    pulsarMessages(cluster.pulsar, t, { readTimeoutMs: run.readTimeoutMs }),
  );
  try {
    await reader.start();
    type Item = KafkaSide | PulsarSide;
    const streams = [
      ...extents.map((e) => ({
        side: 0,
        next: flatten(unpacked(reader.stream(e.partition))) as () => Promise<Item | undefined>,
        time: (k: Item) => Number((k as KafkaSide).timestamp),
      })),
      ...pulsarIts.map((it) => ({
        side: 1,
        // Messages published after the run started are outside the snapshot Kafka was read at.
        next: async (): Promise<Item | undefined> => {
          const r = await it.next();
          return r.done || r.value.message.publishTime > run.startedAt ? undefined : r.value;
        },
        time: (m: Item) => (m as PulsarSide).message.publishTime,
      })),
    ];
    await matchDual({
      topic: pair.kafkaTopic,
      pulsarTopic: pair.pulsarTopic,
      items: mergeByTime(streams),
      dualWrite: run.dualWrite,
      fields: run.fields,
      findings: run.findings,
      counts,
      startedAt: run.startedAt,
    });
  } finally {
    await Promise.allSettled(pulsarIts.map((it) => it.return()));
    await reader.close();
  }
  return topicSummary(pair.kafkaTopic, pair.pulsarTopic, [
    partitionSummary(
      pair.kafkaTopic,
      -1,
      pair.pulsarTopic,
      extents.map((e) => e.range),
      counts,
    ),
  ]);
}
