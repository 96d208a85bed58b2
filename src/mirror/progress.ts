// Progress per topic from the mirror's per-partition status: backfill %, rate, lag. Pure: the CLI keeps the
// previous snapshot and prints what this computes.
import type { PartitionProgress } from './mirror.js';

export interface TopicProgress {
  topic: string;
  partitions: number;
  /** Records stored since this process started on the topic. */
  records: number;
  deadLetters: number;
  /** Records per second since the previous snapshot. */
  rate: number;
  /** Kafka end offsets minus the next offsets to mirror, summed over the partitions. */
  lag: number;
  /** Of what was in Kafka when each partition started here, the part mirrored (0–100; 100 when caught up). */
  backfillPercent: number;
  paused: number;
}

export function topicProgress(rows: readonly PartitionProgress[], previous: ReadonlyMap<string, number>, elapsedMs: number): TopicProgress[] {
  const byTopic = new Map<string, PartitionProgress[]>();
  for (const r of rows) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
  return [...byTopic].map(([topic, parts]) => {
    const records = parts.reduce((n, p) => n + p.records, 0);
    let lag = 0n;
    let total = 0n;
    let done = 0n;
    for (const p of parts) {
      const next = p.committedOffset + 1n;
      if (p.highWatermark > next) lag += p.highWatermark - next;
      total += p.highWatermark > p.startOffset ? p.highWatermark - p.startOffset : 0n;
      done += next > p.startOffset ? next - p.startOffset : 0n;
    }
    const backfillPercent = total === 0n ? 100 : Math.min(100, Number((done * 1000n) / total) / 10);
    const rate = elapsedMs > 0 ? ((records - (previous.get(topic) ?? records)) * 1000) / elapsedMs : 0;
    return {
      topic,
      partitions: parts.length,
      records,
      deadLetters: parts.reduce((n, p) => n + p.deadLetters, 0),
      rate: Math.round(rate),
      lag: Number(lag),
      backfillPercent,
      paused: parts.filter((p) => p.paused).length,
    };
  });
}

/** One human line per topic. */
export function formatProgress(p: TopicProgress): string {
  const extra = [p.deadLetters > 0 ? `${p.deadLetters} dead letters` : '', p.paused > 0 ? `${p.paused} partition(s) PAUSED` : ''].filter(Boolean).join(', ');
  return `${p.topic} [${p.partitions}p] ${p.backfillPercent.toFixed(1)}% backfilled, ${p.records} records, ${p.rate}/s, lag ${p.lag}${extra ? `, ${extra}` : ''}`;
}
