// Per partition counts → partition and topic summaries.
import { printable, type OffsetRange } from './ranges.js';
import {
  addCounts,
  divergencesIn,
  emptyCounts,
  type Counts,
  type PartitionSummary,
  type TopicSummary,
} from './types.js';

export function partitionSummary(
  topic: string,
  partition: number,
  pulsarTopic: string,
  ranges: readonly OffsetRange[],
  counts: Counts,
): PartitionSummary {
  return {
    topic,
    partition,
    pulsarTopic,
    ranges: printable(ranges),
    ...counts,
    identical: divergencesIn(counts) === 0,
  };
}

export function topicSummary(
  topic: string,
  pulsarTopic: string,
  partitions: PartitionSummary[],
): TopicSummary {
  const total = emptyCounts();
  for (const p of partitions) addCounts(total, p);
  const counts: Counts = { ...total };
  return { topic, pulsarTopic, ...counts, partitions, identical: divergencesIn(total) === 0 };
}
