// Lag of a run's mirror, cluster-wide: Kafka end offsets (read_committed) against the offsets the run's
// mirror group committed, whichever gateway process mirrored them. What `k2p status`, the dashboard and
// the backfill step read.
import { mapLimit } from '../offsets/limit.js';
import { LoadedRun, mirrorGroupOf } from './resources.js';
import type { LagSnapshot, PartitionLag, RunTopic, TopicLag } from './types.js';

export async function sampleLag(loaded: LoadedRun, topics: readonly RunTopic[]): Promise<LagSnapshot> {
  const out: TopicLag[] = [];
  for (const pair of loaded.pairs) {
    const mine = topics.filter((t) => t.pair === LoadedRun.pairName(pair));
    if (mine.length === 0) continue;
    const admin = await loaded.kafkaAdmin(pair);
    const names = mine.map((t) => t.source);
    const committed = new Map((await admin.committedOffsets(mirrorGroupOf(loaded.runId, pair), names)).map((c) => [`${c.topic}/${c.partition}`, Number(c.offset)]));
    const rows = await mapLimit(names, 16, async (topic): Promise<TopicLag> => {
      const partitions: PartitionLag[] = (await admin.offsets(topic)).map((o) => {
        const start = Number(o.start);
        const end = Number(o.end);
        const c = committed.get(`${topic}/${o.partition}`) ?? -1;
        const next = c >= 0 ? c : start;
        return { partition: o.partition, start, end, committed: c, lag: Math.max(0, end - next) };
      });
      return topicLag(topic, partitions);
    });
    out.push(...rows);
  }
  out.sort((a, b) => a.topic.localeCompare(b.topic));
  return {
    at: Date.now(),
    topics: out,
    lag: out.reduce((n, t) => n + t.lag, 0),
    mirrored: out.reduce((n, t) => n + t.mirrored, 0),
    total: out.reduce((n, t) => n + t.total, 0),
  };
}

export function topicLag(topic: string, partitions: PartitionLag[]): TopicLag {
  let lag = 0;
  let mirrored = 0;
  let total = 0;
  for (const p of partitions) {
    lag += p.lag;
    total += Math.max(0, p.end - p.start);
    mirrored += Math.max(0, Math.min(p.end, p.committed) - p.start);
  }
  const backfillPercent = total === 0 ? 100 : Math.min(100, Math.floor((mirrored / total) * 1000) / 10);
  return { topic, partitions, lag, mirrored, total, backfillPercent };
}
