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
import { K2pError } from '../errors.js';
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { PartitionQueue } from './queue.js';
import type { OffsetRange } from './ranges.js';
import { KafkaBatch } from './records.js';

export interface KafkaReadPlan {
  partition: number;
  /** Sorted, disjoint, within the partition's stored offsets. */
  ranges: OffsetRange[];
}

interface PartitionState {
  partition: number;
  /** The planned ranges as numbers (Kafka offsets stay far below 2^53). */
  ranges: { from: number; to: number }[];
  index: number;
  /** The next offset wanted: every offset before it was read (or is a transaction marker / aborted). */
  next: number;
  /** Where the planned ranges end: the partition is complete only once `next` reaches it. */
  end: number;
  queue: PartitionQueue<KafkaBatch>;
  paused: boolean;
  done: boolean;
  /** Batches in a row that did not start at `next` (records skipped by the broker or the client). */
  gaps: number;
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

export function incomplete(message: string, details: Record<string, unknown>): K2pError {
  return new K2pError('K2P_VERIFY_INCOMPLETE', message, details);
}

export class KafkaTopicReader implements KafkaSource {
  private readonly parts = new Map<number, PartitionState>();
  private consumer: Consumer | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastProgress = Date.now();
  readonly groupId: string;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly partitionCount: number,
    plans: KafkaReadPlan[],
    private readonly options: KafkaTopicReaderOptions = {},
  ) {
    this.groupId = `${options.groupPrefix ?? 'k2p-verify'}-${randomUUID()}`;
    for (const plan of plans) {
      const ranges = plan.ranges
        .filter((r) => r.to > r.from)
        .map((r) => ({ from: Number(r.from), to: Number(r.to) }));
      const state: PartitionState = {
        partition: plan.partition,
        ranges,
        index: 0,
        next: ranges[0]?.from ?? 0,
        end: ranges[ranges.length - 1]?.to ?? 0,
        queue: new PartitionQueue(options.queueBatches ?? 4),
        done: false,
        paused: false,
        gaps: 0,
      };
      state.queue.onRoom = () => {
        state.paused = false;
        if (!state.done) this.consumer?.resume([{ topic: this.topic, partitions: [plan.partition] }]);
      };
      this.parts.set(plan.partition, state);
      if (ranges.length === 0) this.finish(state);
    }
  }

  /**
   * The records of one planned partition, in offset order, in batches. It ends only once every offset of
   * its ranges was read; a read that cannot get there fails it with K2P_VERIFY_INCOMPLETE.
   */
  stream(partition: number): AsyncIterator<KafkaBatch> {
    const state = this.parts.get(partition);
    if (!state) throw new Error(`partition ${partition} of ${this.topic} is not planned`);
    return state.queue;
  }

  /** True once the partition was read up to the end of its ranges. */
  complete(partition: number): boolean {
    const state = this.parts.get(partition);
    return state !== undefined && state.next >= state.end;
  }

  /** The next offset the partition's stream would deliver (its end once complete). */
  position(partition: number): number | undefined {
    return this.parts.get(partition)?.next;
  }

  async start(): Promise<void> {
    if ([...this.parts.values()].every((s) => s.done)) return;
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
      const state = this.parts.get(e.payload.partition);
      const first = e.payload.firstOffset;
      if (!state || state.done || first === null || Number(first) > state.next) return;
      this.advance(state, Number(e.payload.lastOffset) + 1);
    });
    consumer.on(consumer.events.CRASH, (e) => this.failAll(e.payload.error));
    const timeout = this.options.readTimeoutMs ?? 120_000;
    this.lastProgress = Date.now();
    this.watchdog = setInterval(
      () => {
        if (Date.now() - this.lastProgress < timeout) return;
        const behind = [...this.parts.values()].filter((s) => !s.done);
        this.failAll(
          incomplete(
            `Kafka ${this.topic}: no progress for ${timeout} ms before the end of ${behind.length} partition(s) (${behind
              .map((s) => `[${s.partition}] at ${s.next} of ${s.end}`)
              .join(', ')})`,
            { topic: this.topic, readTimeoutMs: timeout },
          ),
        );
      },
      Math.min(1000, Math.max(10, timeout / 4)),
    );
    this.watchdog.unref();
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.parts.size, 64)),
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private failAll(err: Error): void {
    for (const s of this.parts.values()) {
      if (s.done) continue;
      s.done = true;
      s.queue.fail(err);
    }
    this.stopWatchdog();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /** On every (re)join: each partition read from where it stands; partitions not wanted paused. */
  private placeAll(): void {
    const consumer = this.consumer!;
    const paused: number[] = [];
    for (let p = 0; p < this.partitionCount; p++) {
      const state = this.parts.get(p);
      if (!state || state.done || state.paused) paused.push(p);
      if (state && !state.done)
        consumer.seek({ topic: this.topic, partition: p, offset: String(state.next) });
    }
    if (paused.length > 0) consumer.pause([{ topic: this.topic, partitions: paused }]);
  }

  private finish(state: PartitionState): void {
    state.done = true;
    state.queue.end();
    if ([...this.parts.values()].every((s) => s.done)) this.stopWatchdog();
  }

  /** Everything before `next` was seen: move to the range holding it, or to the next range (seek), or end. */
  private advance(state: PartitionState, next: number): void {
    if (next > state.next) {
      state.next = next;
      this.lastProgress = Date.now();
    }
    while (state.index < state.ranges.length && state.next >= state.ranges[state.index]!.to) state.index++;
    const range = state.ranges[state.index];
    if (!range) {
      this.finish(state);
      this.consumer?.pause([{ topic: this.topic, partitions: [state.partition] }]);
      return;
    }
    if (state.next < range.from) {
      state.next = range.from;
      this.consumer?.seek({ topic: this.topic, partition: state.partition, offset: String(range.from) });
    }
  }

  private onBatch({ batch, isRunning }: EachBatchPayload): Promise<void> {
    const state = this.parts.get(batch.partition);
    if (!state || state.done || !isRunning()) return Promise.resolve();
    // Only a batch fetched from where the partition stands (or before) proves what lies between: one
    // from further on (a fetch reset by the broker, records deleted by retention) would leave a hole.
    // Whether kafkajs marks it stale does not matter: offsets already read are skipped below.
    const from = fetchedOffset(batch);
    if (from > state.next) {
      if (++state.gaps >= 3) {
        this.failAll(
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
    let range = state.ranges[state.index];
    for (let i = 0; i < messages.length && range; i++) {
      const m = messages[i]!;
      const offset = Number(m.offset);
      if (offset < state.next) continue; // read already (a batch from before a seek)
      while (range && offset >= range.to) range = state.ranges[++state.index];
      if (!range) break;
      if (offset < range.from) continue; // between two ranges
      taken.push(m);
      offsets.push(offset);
      state.next = offset + 1;
    }
    this.lastProgress = Date.now();
    if (taken.length > 0 && !state.queue.push(KafkaBatch.pack(this.topic, batch.partition, taken, offsets))) {
      state.paused = true;
      this.consumer?.pause([{ topic: this.topic, partitions: [batch.partition] }]);
    }
    if (!state.done) this.advance(state, Number(batch.lastOffset()) + 1);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.stopWatchdog();
    // A stream closed before its end fails: whoever still reads it must not take it for complete.
    this.failAll(
      incomplete(`Kafka ${this.topic}: the reader was closed before the end`, { topic: this.topic }),
    );
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
