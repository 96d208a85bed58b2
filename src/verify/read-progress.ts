// Where each planned partition of a Kafka read stands, for both Kafka readers (kafkajs's KafkaTopicReader
// and our KafkaFetchReader): its ranges, the next offset wanted, its bounded queue, and the rules that make
// a stream end only once every offset of its ranges was read — or fail with K2P_VERIFY_INCOMPLETE when the
// read stalls for the read timeout or the reader is closed first.
import { K2pError } from '../errors.js';
import type { KafkaReadPlan } from './kafka-source.js';
import { PartitionQueue } from './queue.js';
import type { KafkaBatch } from './records.js';

/** A Kafka side that could not be read to the end of its ranges. */
export function incomplete(message: string, details: Record<string, unknown>): K2pError {
  return new K2pError('K2P_VERIFY_INCOMPLETE', message, details);
}

export interface PartitionProgress {
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
  /** Reads in a row that could not start at `next` (records gone: retention). */
  gaps: number;
}

/** What a record's offset means for its partition: take it, skip it, or stop (beyond the last range). */
export enum Wanted {
  take,
  skip,
  stop,
}

export class ReadProgress {
  readonly parts = new Map<number, PartitionProgress>();
  private watchdog: NodeJS.Timeout | undefined;
  private lastProgress = Date.now();

  constructor(
    readonly topic: string,
    plans: readonly KafkaReadPlan[],
    queueBatches: number,
    /** A paused partition's queue has room again. */
    onRoom: (state: PartitionProgress) => void,
  ) {
    for (const plan of plans) {
      const ranges = plan.ranges
        .filter((r) => r.to > r.from)
        .map((r) => ({ from: Number(r.from), to: Number(r.to) }));
      const state: PartitionProgress = {
        partition: plan.partition,
        ranges,
        index: 0,
        next: ranges[0]?.from ?? 0,
        end: ranges[ranges.length - 1]?.to ?? 0,
        queue: new PartitionQueue(queueBatches),
        paused: false,
        done: false,
        gaps: 0,
      };
      state.queue.onRoom = () => {
        state.paused = false;
        if (!state.done) onRoom(state);
      };
      this.parts.set(plan.partition, state);
      if (ranges.length === 0) this.finish(state);
    }
  }

  get allDone(): boolean {
    return [...this.parts.values()].every((s) => s.done);
  }

  stream(partition: number): AsyncIterator<KafkaBatch> {
    const state = this.parts.get(partition);
    if (!state) throw new Error(`partition ${partition} of ${this.topic} is not planned`);
    return state.queue;
  }

  complete(partition: number): boolean {
    const state = this.parts.get(partition);
    return state !== undefined && state.next >= state.end;
  }

  position(partition: number): number | undefined {
    return this.parts.get(partition)?.next;
  }

  /** Fails every unfinished partition once none made progress for `timeoutMs`. */
  startWatchdog(timeoutMs: number): void {
    this.progressed();
    this.watchdog = setInterval(
      () => {
        if (Date.now() - this.lastProgress < timeoutMs) return;
        const behind = [...this.parts.values()].filter((s) => !s.done);
        this.failAll(
          incomplete(
            `Kafka ${this.topic}: no progress for ${timeoutMs} ms before the end of ${behind.length} partition(s) (${behind
              .map((s) => `[${s.partition}] at ${s.next} of ${s.end}`)
              .join(', ')})`,
            { topic: this.topic, readTimeoutMs: timeoutMs },
          ),
        );
      },
      Math.min(1000, Math.max(10, timeoutMs / 4)),
    );
    this.watchdog.unref();
  }

  progressed(): void {
    this.lastProgress = Date.now();
  }

  stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  failAll(err: Error): void {
    for (const s of this.parts.values()) {
      if (s.done) continue;
      s.done = true;
      s.queue.fail(err);
    }
    this.stopWatchdog();
  }

  finish(state: PartitionProgress): void {
    state.done = true;
    state.queue.end();
    if (this.allDone) this.stopWatchdog();
  }

  /** Fails every stream still open: whoever still reads one must not take it for complete. */
  closed(): void {
    this.failAll(incomplete(`Kafka ${this.topic}: the reader was closed before the end`, { topic: this.topic }));
  }

  /** Whether a record at `offset` (read in offset order) is wanted; moves to the range holding it. */
  want(state: PartitionProgress, offset: number): Wanted {
    if (offset < state.next) return Wanted.skip; // read already
    let range = state.ranges[state.index];
    while (range && offset >= range.to) range = state.ranges[++state.index];
    if (!range) return Wanted.stop;
    return offset < range.from ? Wanted.skip : Wanted.take; // before the range: between two ranges
  }

  /**
   * Everything before `next` was seen: moves to the range holding it, or to the next range's start (returned,
   * for a reader that must seek there). Returns undefined when nothing is left to read: the caller finishes
   * the partition once it queued what it read.
   */
  advance(state: PartitionProgress, next: number): { seek?: number } | undefined {
    if (next > state.next) {
      state.next = next;
      this.progressed();
    }
    while (state.index < state.ranges.length && state.next >= state.ranges[state.index]!.to) state.index++;
    const range = state.ranges[state.index];
    if (!range) {
      state.next = Math.min(state.next, state.end); // past the end: the position is the end
      return undefined;
    }
    if (state.next >= range.from) return {};
    state.next = range.from;
    return { seek: range.from };
  }
}

/** A KafkaSource's stream, complete and position, answered from its ReadProgress. */
export abstract class ProgressSource {
  protected abstract readonly progress: ReadProgress;

  /**
   * The records of one planned partition, in offset order, in batches. It ends only once every offset of
   * its ranges was read; a read that cannot get there fails it with K2P_VERIFY_INCOMPLETE.
   */
  stream(partition: number): AsyncIterator<KafkaBatch> {
    return this.progress.stream(partition);
  }

  /** True once the partition was read up to the end of its ranges. */
  complete(partition: number): boolean {
    return this.progress.complete(partition);
  }

  /** The next offset the partition's stream would deliver (its end once complete). */
  position(partition: number): number | undefined {
    return this.progress.position(partition);
  }
}
