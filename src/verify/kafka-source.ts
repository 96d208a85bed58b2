// Reads chosen offset ranges of a Kafka topic's partitions, one bounded stream per partition, committed data
// only (read_committed, as the mirror reads). kafkajs has no manual assignment, so a throwaway consumer group
// of one member takes every partition; it never commits, is told where to read (seek) on every join, and is
// deleted at the end. A partition's stream ends only once every offset of its ranges was read: a batch counts
// only when it was fetched from where the partition stands (kafkajs can hand over a batch fetched before a
// seek, or from where the broker reset a fetch), and a stream closed, crashed or stalled before its end fails
// with K2P_VERIFY_INCOMPLETE instead of ending. Back-pressure: a partition whose queue is full is paused and resumed once its
// comparison has taken half (never a waiting batch handler: kafkajs fetches the next batches of every
// partition of a broker only after all handlers of the last fetch returned). Memory stays bounded whatever
// the topic's size.
import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { OffsetRange } from './ranges.js';
import { incomplete, ProgressSource, ReadProgress, Wanted, type PartitionProgress } from './read-progress.js';
import { KafkaBatch } from './records.js';

export interface KafkaReadPlan {
  partition: number;
  /** Sorted, disjoint, within the partition's stored offsets. */
  ranges: OffsetRange[];
}

export interface KafkaTopicReaderOptions {
  /** Kafka batches buffered per partition (each up to maxBytesPerPartition). Default 4. */
  queueBatches?: number;
  maxBytesPerPartition?: number;
  groupPrefix?: string;
  /**
   * A partition that makes no progress for this long before reaching its end fails its stream with
   * K2P_VERIFY_INCOMPLETE (never a silent, short end). Default 120 s.
   */
  readTimeoutMs?: number;
}

/** kafkajs keeps the offset a batch was fetched from; the typings do not show it. */
function fetchedOffset(batch: Batch): number {
  const f = (batch as unknown as { fetchedOffset?: string }).fetchedOffset;
  return f !== undefined ? Number(f) : Number(batch.firstOffset() ?? batch.lastOffset());
}

/** Where the records of a Kafka topic's planned partitions come from: read here, or in a worker thread. */
export interface KafkaSource {
  start(): Promise<void>;
  /**
   * The records of one planned partition, in offset order, in batches. It ends only once every offset of
   * its ranges was read; a read that cannot get there fails it with K2P_VERIFY_INCOMPLETE.
   */
  stream(partition: number): AsyncIterator<KafkaBatch>;
  /** True once the partition was read up to the end of its ranges. */
  complete(partition: number): boolean;
  /** The next offset the partition's stream would deliver (its end once complete). */
  position(partition: number): number | undefined;
  close(): Promise<void>;
}

/** Fetch sizes of verify's Kafka consumer (per partition, per fetch). */
export const KAFKA_FETCH = Object.freeze({ maxBytesPerPartition: 256 * 1024, maxBytes: 4 * 1024 * 1024 });

export class KafkaTopicReader extends ProgressSource implements KafkaSource {
  protected readonly progress: ReadProgress;
  private consumer: Consumer | undefined;
  readonly groupId: string;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly partitionCount: number,
    plans: KafkaReadPlan[],
    private readonly options: KafkaTopicReaderOptions = {},
  ) {
    super();
    this.groupId = `${options.groupPrefix ?? 'k2p-verify'}-${randomUUID()}`;
    this.progress = new ReadProgress(topic, plans, options.queueBatches ?? 4, (state) =>
      this.consumer?.resume([{ topic: this.topic, partitions: [state.partition] }]),
    );
  }

  async start(): Promise<void> {
    if (this.progress.allDone) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      // Small fetches: kafkajs decodes a whole fetch into objects at once (about 10 times the bytes for small
      // records), and its decoding costs less CPU in smaller pieces too (bench/verify.ts: KAFKA_FETCH).
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? KAFKA_FETCH.maxBytesPerPartition,
      maxBytes: KAFKA_FETCH.maxBytes,
      // A fetch waits at most this long for data; disconnect() waits for the fetch in progress, so the long
      // default (5 s) would be added to every run's end.
      maxWaitTimeInMs: 200,
      sessionTimeout: 30_000,
      heartbeatInterval: 1000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => this.placeAll());
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      // Batches of only transaction markers or aborted records: eachBatch never sees them, but they move
      // the position — only when they start where the partition stands (firstOffset is then the offset
      // they were fetched from; a batch fetched before a seek, from elsewhere, proves nothing).
      if (e.payload.topic !== this.topic || e.payload.batchSize > 0) return;
      const state = this.progress.parts.get(e.payload.partition);
      const first = e.payload.firstOffset;
      if (!state || state.done || first === null || Number(first) > state.next) return;
      this.advance(state, Number(e.payload.lastOffset) + 1);
    });
    consumer.on(consumer.events.CRASH, (e) => this.progress.failAll(e.payload.error));
    this.progress.startWatchdog(this.options.readTimeoutMs ?? 120_000);
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.progress.parts.size, 64)),
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** On every (re)join: each partition read from where it stands; partitions not wanted paused. */
  private placeAll(): void {
    const consumer = this.consumer!;
    const paused: number[] = [];
    for (let p = 0; p < this.partitionCount; p++) {
      const state = this.progress.parts.get(p);
      if (!state || state.done || state.paused) paused.push(p);
      if (state && !state.done)
        consumer.seek({ topic: this.topic, partition: p, offset: String(state.next) });
    }
    if (paused.length > 0) consumer.pause([{ topic: this.topic, partitions: paused }]);
  }

  /** Everything before `next` was seen: seek to the next range, or end the partition. */
  private advance(state: PartitionProgress, next: number): void {
    const moved = this.progress.advance(state, next);
    if (!moved) {
      this.progress.finish(state);
      this.consumer?.pause([{ topic: this.topic, partitions: [state.partition] }]);
    } else if (moved.seek !== undefined) {
      this.consumer?.seek({ topic: this.topic, partition: state.partition, offset: String(moved.seek) });
    }
  }

  private onBatch({ batch, isRunning }: EachBatchPayload): Promise<void> {
    const state = this.progress.parts.get(batch.partition);
    if (!state || state.done || !isRunning()) return Promise.resolve();
    // Only a batch fetched from where the partition stands (or before) proves what lies between: one
    // from further on (a fetch reset by the broker, records deleted by retention) would leave a hole.
    // Whether kafkajs marks it stale does not matter: offsets already read are skipped below.
    const from = fetchedOffset(batch);
    if (from > state.next) {
      if (++state.gaps >= 3) {
        this.progress.failAll(
          incomplete(
            `Kafka ${this.topic}[${batch.partition}]: offsets ${state.next}..${from - 1} cannot be read (the broker answers from ${from}; deleted by retention during the run?)`,
            { topic: this.topic, partition: batch.partition, from: state.next, answeredFrom: from },
          ),
        );
      } else {
        this.consumer?.seek({ topic: this.topic, partition: batch.partition, offset: String(state.next) });
      }
      return Promise.resolve();
    }
    state.gaps = 0;
    const messages = batch.messages;
    const taken: KafkaMessage[] = [];
    const offsets: number[] = [];
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const offset = Number(m.offset);
      const wanted = this.progress.want(state, offset);
      if (wanted === Wanted.stop) break;
      if (wanted === Wanted.skip) continue;
      taken.push(m);
      offsets.push(offset);
      state.next = offset + 1;
    }
    this.progress.progressed();
    if (taken.length > 0 && !state.queue.push(KafkaBatch.pack(this.topic, batch.partition, taken, offsets))) {
      state.paused = true;
      this.consumer?.pause([{ topic: this.topic, partitions: [batch.partition] }]);
    }
    if (!state.done) this.advance(state, Number(batch.lastOffset()) + 1);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.progress.closed();
    if (!this.consumer) return;
    await this.consumer.disconnect().catch(() => undefined);
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch {
      // an empty group without commits expires on its own
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
