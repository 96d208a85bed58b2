// Mirror mode for one topic: every planned partition compared at once (Kafka partition p ↔ Pulsar partition p).
import { partitionTopic } from '../pulsar/client/index.js';
import type { FieldOptions } from './fields.js';
import type { Findings } from './findings.js';
import { incomplete } from './read-progress.js';
import { kafkaReader } from './kafka-reader.js';
import { matchOrdered } from './ordered-matcher.js';
import { sideBatches, type PulsarBatch } from './pulsar-batch.js';
import { entryBatches, rangedMessages } from './pulsar-source.js';
import { PulsarThreadReader, type PulsarReadJob } from './pulsar-thread.js';
import type { OffsetRange } from './ranges.js';
import { partitionSummary, topicSummary } from './summary.js';
import type { ClusterPair } from './targets.js';
import { emptyCounts, type Counts, type TopicSummary } from './types.js';
import type { TopicPair } from './options.js';

export interface TopicRun {
  cluster: ClusterPair;
  pair: TopicPair;
  partitionCount: number;
  /** Ranges per Kafka partition compared (partitions absent are not compared). */
  plans: Map<number, OffsetRange[]>;
  fields: FieldOptions;
  findings: Findings;
  window?: number;
  settleMs?: number;
  readTimeoutMs?: number;
  /** Read Kafka in a worker thread when possible (default true). */
  kafkaThread?: boolean;
  /** Read Pulsar in a worker thread when possible (default false: slower on 2 cores, docs/verify.md). */
  pulsarThread?: boolean;
  /** Receives each partition's live counts (progress). */
  track?: (counts: Counts) => void;
}

const nothing = (): AsyncIterator<PulsarBatch> & { return(): Promise<IteratorResult<PulsarBatch>> } => ({
  next: () => Promise.resolve({ done: true, value: undefined }),
  return: () => Promise.resolve({ done: true, value: undefined }),
});

/** Pulsar partitions of the target (0 = not partitioned); -1 when the topic does not exist. */
async function pulsarLayout(run: TopicRun): Promise<number> {
  const { cluster, pair } = run;
  const partitions = await cluster.pulsar.partitions(pair.pulsarTopic);
  if (partitions > 0 || !cluster.admin) return partitions;
  return (await cluster.admin.topics.exists(pair.pulsarTopic)) ? 0 : -1;
}

export async function verifyMirrorTopic(run: TopicRun): Promise<TopicSummary> {
  const { cluster, pair, findings } = run;
  const layout = await pulsarLayout(run);
  const pulsarTopicOf = (p: number): string | undefined => {
    if (layout > 0) return p < layout ? partitionTopic(pair.pulsarTopic, p) : undefined;
    return layout === 0 && run.partitionCount === 1 && p === 0 ? pair.pulsarTopic : undefined;
  };
  const plans = [...run.plans]
    .sort((a, b) => a[0] - b[0])
    .map(([partition, ranges]) => ({ partition, ranges }));
  const reader = kafkaReader(cluster, pair.kafkaTopic, run.partitionCount, plans, {
    readTimeoutMs: run.readTimeoutMs,
    thread: run.kafkaThread,
  });
  const counts = new Map(plans.map((p) => [p.partition, emptyCounts()]));
  for (const c of counts.values()) run.track?.(c);
  const readOptions = (ranges: OffsetRange[]) => {
    const last = ranges[ranges.length - 1];
    return {
      expectOffset: last && last.to > last.from ? last.to - 1n : undefined,
      settleMs: run.settleMs,
      readTimeoutMs: run.readTimeoutMs,
    };
  };
  const jobs: PulsarReadJob[] = [];
  for (const { partition, ranges } of plans) {
    const topic = pulsarTopicOf(partition);
    if (topic) jobs.push({ partition, pulsarTopic: topic, ranges, options: readOptions(ranges) });
  }
  // Packed batches from a worker thread, when asked for and verify built the Pulsar client (it knows the
  // connector). Off by default: on the 2-core machine a third busy thread made verify slower, not faster.
  const pulsarThread =
    cluster.pulsarConnector && run.pulsarThread === true && jobs.length > 0
      ? new PulsarThreadReader(cluster.pulsarConnector, pair.kafkaTopic, jobs)
      : undefined;
  try {
    pulsarThread?.start();
    // The Pulsar readers subscribe while the Kafka reader starts (its worker thread takes a while to boot):
    // a comparison waits for its Kafka records in any case. A reader that cannot start fails the run.
    const starting = reader.start();
    await Promise.all([
      starting,
      ...plans.map(async ({ partition, ranges }) => {
        const topic = pulsarTopicOf(partition);
        const pulsar = !topic
          ? nothing()
          : pulsarThread
            ? pulsarThread.stream(partition)
            : ranges.length === 1
              ? entryBatches(cluster.pulsar, topic, ranges[0]!, readOptions(ranges), pair.kafkaTopic, partition)
              : sideBatches(rangedMessages(cluster.pulsar, topic, ranges, readOptions(ranges)), pair.kafkaTopic, partition);
        try {
          await matchOrdered({
            topic: pair.kafkaTopic,
            partition,
            pulsarTopic: topic ?? `${pair.pulsarTopic} (no partition ${partition})`,
            ranges,
            kafka: reader.stream(partition),
            pulsar,
            fields: run.fields,
            findings,
            counts: counts.get(partition)!,
            window: run.window,
          });
        } finally {
          await pulsar.return();
        }
        // By construction the Kafka stream ends only at the end of the ranges (else it fails); checked again
        // here, because a comparison that did not read Kafka to its end must never count as identical.
        if (!reader.complete(partition)) {
          throw incomplete(
            `Kafka ${pair.kafkaTopic}[${partition}] was read to offset ${reader.position(partition)} only, not to its end ${ranges[ranges.length - 1]?.to}`,
            { topic: pair.kafkaTopic, partition },
          );
        }
      }),
    ]);
  } finally {
    await Promise.all([reader.close(), pulsarThread?.close()]);
  }
  return topicSummary(
    pair.kafkaTopic,
    pair.pulsarTopic,
    plans.map(({ partition, ranges }) =>
      partitionSummary(
        pair.kafkaTopic,
        partition,
        pulsarTopicOf(partition) ?? pair.pulsarTopic,
        ranges,
        counts.get(partition)!,
      ),
    ),
  );
}
