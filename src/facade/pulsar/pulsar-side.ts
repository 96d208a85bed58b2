// Route pulsar (and the Pulsar half of dual): the mapped Pulsar topic behind the Kafka topic's name.
import type { RecordMappingOptions } from '../../mirror/record-mapping.js';
import type { PulsarAdmin } from '../../pulsar/admin/index.js';
import { partitionTopic, type PulsarClient } from '../../pulsar/client/index.js';
import type { PartitionInfo, PartitionOffsets, PlacedRecord, RecordResult } from '../records.js';
import { firstSequenceId, lastSequenceId } from './positions.js';
import { PulsarWriter, pulsarFailure, type WriterMode } from './pulsar-writer.js';

const COUNT_TTL_MS = 10_000;

export class PulsarSide {
  private readonly writers = new Map<string, Promise<PulsarWriter>>();
  private readonly counts = new Map<string, { at: number; count: number | undefined }>();
  private readonly countLoads = new Map<string, Promise<number | undefined>>();

  constructor(
    readonly client: PulsarClient,
    readonly admin: PulsarAdmin,
  ) {}

  /**
   * Partitions as Kafka would count them: a partitioned topic's count, 1 for a non-partitioned topic,
   * undefined when the topic does not exist.
   */
  async partitions(topic: string): Promise<number | undefined> {
    const cached = this.counts.get(topic);
    if (cached && cached.count !== undefined) {
      // Served from memory; once stale, read again in the background (no request waits for the admin API).
      if (Date.now() - cached.at >= COUNT_TTL_MS) this.loadCount(topic).catch(() => undefined);
      return cached.count;
    }
    return this.loadCount(topic);
  }

  private loadCount(topic: string): Promise<number | undefined> {
    let load = this.countLoads.get(topic);
    if (!load) {
      load = (async () => {
        try {
          const n = await this.admin.topics.partitions(topic);
          const count = n > 0 ? n : (await this.admin.topics.exists(topic)) ? 1 : undefined;
          this.counts.set(topic, { at: Date.now(), count });
          return count;
        } catch (err) {
          throw pulsarFailure(err);
        } finally {
          this.countLoads.delete(topic);
        }
      })();
      this.countLoads.set(topic, load);
    }
    return load;
  }

  /** The physical topic of a partition index (the topic itself when not partitioned). */
  async physical(topic: string, partition: number): Promise<string> {
    const n = await this.admin.topics.partitions(topic);
    return n > 0 ? partitionTopic(topic, partition) : topic;
  }

  async metadata(topic: string): Promise<PartitionInfo[] | undefined> {
    const count = await this.partitions(topic);
    if (count === undefined) return undefined;
    // Pulsar has no per-partition leader a Kafka client could use: the gateway shows itself as broker 0.
    return Array.from({ length: count }, (_, partition) => ({ partition, leader: 0, replicas: [{ broker: 0, leader: true, in_sync: true }] }));
  }

  /** Offsets are sequence ids (docs/facade.md): first stored, and last stored + 1. */
  async offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    try {
      const physical = await this.physical(topic, partition);
      const last = await lastSequenceId(this.client, this.admin, physical);
      const first = last < 0n ? undefined : await firstSequenceId(this.client, physical);
      const end = last + 1n;
      return { beginning_offset: Number(first ?? end), end_offset: Number(end) };
    } catch (err) {
      throw pulsarFailure(err);
    }
  }

  private writer(topic: string, mode: WriterMode, atLeast?: ReadonlyMap<number, bigint>): Promise<PulsarWriter> {
    let w = this.writers.get(topic);
    if (!w) {
      w = PulsarWriter.open(this.client, this.admin, topic, mode, atLeast);
      this.writers.set(topic, w);
      w.catch(() => this.writers.delete(topic));
    }
    return w;
  }

  /** Opens (or reopens) the writer of a topic now, e.g. at a route flip, so the first request waits less. */
  async prepare(topic: string, mode: WriterMode, atLeast?: ReadonlyMap<number, bigint>): Promise<void> {
    await this.drop(topic);
    await this.writer(topic, mode, atLeast);
  }

  /** Closes a topic's writer (a route change, or a failed producer). */
  async drop(topic: string): Promise<void> {
    const w = this.writers.get(topic);
    this.writers.delete(topic);
    if (w) await w.then((x) => x.close()).catch(() => undefined);
  }

  /**
   * Enqueues the records on the topic's writer (in order, before resolving) and hands back the promise of
   * their outcome: callers that must keep an order between requests chain on the enqueue, not the acks.
   */
  async enqueue(kafkaTopic: string, pulsarTopic: string, mode: WriterMode, records: readonly PlacedRecord[], options: RecordMappingOptions, offsets?: readonly (bigint | null)[]): Promise<{ done: Promise<RecordResult[]> }> {
    const opened = this.writer(pulsarTopic, mode);
    let w = await opened.catch((err: unknown) => Promise.reject(pulsarFailure(err)));
    if (w.failed || w.mode !== mode) {
      // Route dual enqueues from several lanes at once: only the first to see the failed writer replaces it
      // (a second drop would close the new writer under the records the first just queued).
      if (this.writers.get(pulsarTopic) === opened) await this.drop(pulsarTopic);
      w = await this.writer(pulsarTopic, mode).catch((err: unknown) => Promise.reject(pulsarFailure(err)));
    }
    return { done: w.send(kafkaTopic, records, options, offsets) };
  }

  /** Partition sends started by a topic's current writer (0 without one). */
  async flushStats(topic: string): Promise<number> {
    return (await this.writers.get(topic)?.catch(() => undefined))?.flushes ?? 0;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.writers.keys()].map((t) => this.drop(t)));
  }
}
