// Reads chosen offset ranges of a Kafka topic's partitions, one bounded stream per partition, committed data
// only (read_committed, as the mirror reads). kafkajs has no manual assignment, so a throwaway consumer group
// of one member takes every partition; it never commits, is told where to read (seek) on every join, and is
// deleted at the end. Back-pressure: a partition whose queue is full is paused and resumed once its
// comparison has taken half (never a waiting batch handler: kafkajs fetches the next batches of every
// partition of a broker only after all handlers of the last fetch returned). Memory stays bounded whatever
// the topic's size.
import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { PartitionQueue } from './queue.js';
import type { OffsetRange } from './ranges.js';
import { kafkaSide, type KafkaSide } from './records.js';

export interface KafkaReadPlan {
  partition: number;
  /** Sorted, disjoint, within the partition's stored offsets. */
  ranges: OffsetRange[];
}

interface PartitionState {
  ranges: OffsetRange[];
  index: number;
  /** The next offset wanted. */
  next: bigint;
  queue: PartitionQueue<KafkaSide[]>;
  paused: boolean;
  done: boolean;
}

export interface KafkaTopicReaderOptions {
  /** Kafka batches buffered per partition (each up to maxBytesPerPartition). Default 4. */
  queueBatches?: number;
  maxBytesPerPartition?: number;
  groupPrefix?: string;
}

export class KafkaTopicReader {
  private readonly parts = new Map<number, PartitionState>();
  private consumer: Consumer | undefined;
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
      const ranges = plan.ranges.filter((r) => r.to > r.from);
      const state: PartitionState = {
        ranges,
        index: 0,
        next: ranges[0]?.from ?? 0n,
        queue: new PartitionQueue(options.queueBatches ?? 4),
        done: false,
        paused: false,
      };
      state.queue.onRoom = () => {
        state.paused = false;
        if (!state.done) this.consumer?.resume([{ topic: this.topic, partitions: [plan.partition] }]);
      };
      this.parts.set(plan.partition, state);
      if (ranges.length === 0) this.finish(state);
    }
  }

  /** The records of one planned partition, in offset order, in batches; ends after its last range. */
  stream(partition: number): AsyncIterator<KafkaSide[]> {
    const state = this.parts.get(partition);
    if (!state) throw new Error(`partition ${partition} of ${this.topic} is not planned`);
    return state.queue;
  }

  async start(): Promise<void> {
    if ([...this.parts.values()].every((s) => s.done)) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1024 * 1024,
      // A fetch waits at most this long for data; disconnect() waits for the fetch in progress, so the long
      // default (5 s) would be added to every run's end.
      maxWaitTimeInMs: 200,
      sessionTimeout: 30_000,
      heartbeatInterval: 1000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => this.placeAll());
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      // Also emitted for batches of only control records or aborted data, which eachBatch never sees.
      if (e.payload.topic !== this.topic) return;
      const state = this.parts.get(e.payload.partition);
      if (state && !state.done) this.advance(e.payload.partition, state, BigInt(e.payload.lastOffset) + 1n);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      for (const s of this.parts.values()) if (!s.done) s.queue.fail(e.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.parts.size, 64)),
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** On every (re)join: each partition read from where it stands; partitions not wanted paused. */
  private placeAll(): void {
    const consumer = this.consumer!;
    const paused: number[] = [];
    for (let p = 0; p < this.partitionCount; p++) {
      const state = this.parts.get(p);
      if (!state || state.done || state.paused) paused.push(p);
      if (state && !state.done)
        consumer.seek({ topic: this.topic, partition: p, offset: state.next.toString() });
    }
    if (paused.length > 0) consumer.pause([{ topic: this.topic, partitions: paused }]);
  }

  private finish(state: PartitionState): void {
    state.done = true;
    state.queue.end();
  }

  /** Everything before `next` was seen: move to the range holding it, or to the next range (seek), or end. */
  private advance(partition: number, state: PartitionState, next: bigint): void {
    if (next > state.next) state.next = next;
    while (state.index < state.ranges.length && state.next >= state.ranges[state.index]!.to) state.index++;
    const range = state.ranges[state.index];
    if (!range) {
      this.finish(state);
      this.consumer?.pause([{ topic: this.topic, partitions: [partition] }]);
      return;
    }
    if (state.next < range.from) {
      state.next = range.from;
      this.consumer?.seek({ topic: this.topic, partition, offset: range.from.toString() });
    }
  }

  private onBatch({ batch, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const state = this.parts.get(batch.partition);
    if (!state || state.done || !isRunning() || isStale()) return Promise.resolve();
    const out: KafkaSide[] = [];
    for (const m of batch.messages) {
      const offset = BigInt(m.offset);
      if (offset < state.next) continue; // from before a seek
      while (state.index < state.ranges.length && offset >= state.ranges[state.index]!.to) state.index++;
      const range = state.ranges[state.index];
      if (!range) break;
      if (offset < range.from) continue; // between two ranges
      out.push(kafkaSide(this.topic, batch.partition, m));
      state.next = offset + 1n;
    }
    if (out.length > 0 && !state.queue.push(out)) {
      state.paused = true;
      this.consumer?.pause([{ topic: this.topic, partitions: [batch.partition] }]);
    }
    if (!state.done) this.advance(batch.partition, state, lastOffset(batch) + 1n);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    for (const s of this.parts.values()) if (!s.done) this.finish(s);
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

function lastOffset(batch: Batch): bigint {
  return BigInt(batch.lastOffset());
}
