// The Kafka side read in a worker thread: fetching and packing Kafka's records runs on another core while
// this thread reads Pulsar and compares. The worker (kafka-worker.ts) runs a KafkaFetchReader built from
// the connector (plain data: a client and its sockets cannot cross threads), and
// hands each packed batch over whole (its buffer is transferred, not copied). Back-pressure: a partition has
// `credits` batches in flight at most; a credit comes back as the comparison takes a batch, so a partition
// the comparison does not take from fills the worker's queue, which pauses its fetching.
import type { Worker } from 'node:worker_threads';
import type { KafkaConnector } from '../kafka/index.js';
import type { KafkaReadPlan, KafkaSource, KafkaTopicReaderOptions } from './kafka-source.js';
import { PartitionQueue } from './queue.js';
import { incomplete } from './read-progress.js';
import { KafkaBatch } from './records.js';
import { revived, startWorker, stopWorker, type SentError } from './worker-thread.js';

export interface KafkaWorkerData {
  connector: KafkaConnector;
  topic: string;
  partitionCount: number;
  plans: KafkaReadPlan[];
  options: KafkaTopicReaderOptions;
  credits: number;
}

export type ToWorker = { type: 'credit'; partition: number } | { type: 'close' };
export type FromWorker =
  | { type: 'started' }
  | { type: 'start-failed'; error: SentError }
  | { type: 'batch'; partition: number; buffer: ArrayBuffer }
  | { type: 'end'; partition: number; position: number | undefined; complete: boolean }
  | { type: 'fail'; partition: number; error: SentError }
  | { type: 'closed' };

/** Batches a partition may have on their way over or waiting here (each up to 256 KiB of records). */
const CREDITS = 4;

interface PartitionState {
  queue: PartitionQueue<KafkaBatch>;
  position: number | undefined;
  complete: boolean;
}

export class KafkaThreadReader implements KafkaSource {
  private readonly parts = new Map<number, PartitionState>();
  private worker: Worker | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly connector: KafkaConnector,
    readonly topic: string,
    private readonly partitionCount: number,
    private readonly plans: KafkaReadPlan[],
    private readonly options: KafkaTopicReaderOptions = {},
  ) {
    for (const plan of plans) {
      const ranges = plan.ranges.filter((r) => r.to > r.from);
      this.parts.set(plan.partition, {
        queue: new PartitionQueue(Number.MAX_SAFE_INTEGER),
        position: ranges[0] ? Number(ranges[0].from) : undefined,
        complete: false,
      });
    }
  }

  start(): Promise<void> {
    const workerData: KafkaWorkerData = {
      connector: this.connector,
      topic: this.topic,
      partitionCount: this.partitionCount,
      plans: this.plans,
      options: this.options,
      credits: CREDITS,
    };
    const worker = startWorker('kafka-worker', workerData);
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'started':
            started = true;
            resolve();
            break;
          case 'start-failed':
            reject(revived(m.error));
            break;
          case 'batch': {
            const state = this.parts.get(m.partition)!;
            const batch = new KafkaBatch(this.topic, m.partition, Buffer.from(m.buffer));
            state.position = batch.offsets[batch.count - 1]! + 1;
            state.queue.push(batch);
            break;
          }
          case 'end': {
            const state = this.parts.get(m.partition)!;
            state.position = m.position;
            state.complete = m.complete;
            state.queue.end();
            break;
          }
          case 'fail':
            this.parts.get(m.partition)?.queue.fail(revived(m.error));
            break;
          case 'closed':
            break;
        }
      });
      const lost = (err: Error) => {
        if (!started) reject(err);
        this.failAll(err);
      };
      worker.on('error', (err) => lost(err));
      worker.on('exit', (code) => {
        if (!this.closed)
          lost(
            incomplete(`the Kafka reader's worker thread stopped (exit code ${code})`, { topic: this.topic }),
          );
      });
    });
  }

  private failAll(err: Error): void {
    for (const s of this.parts.values()) if (!s.queue.done) s.queue.fail(err);
  }

  stream(partition: number): AsyncIterator<KafkaBatch> {
    const state = this.parts.get(partition);
    if (!state) throw new Error(`partition ${partition} of ${this.topic} is not planned`);
    return {
      next: async () => {
        const r = await state.queue.next();
        if (!r.done) this.worker?.postMessage({ type: 'credit', partition } satisfies ToWorker);
        return r;
      },
    };
  }

  complete(partition: number): boolean {
    return this.parts.get(partition)?.complete ?? false;
  }

  position(partition: number): number | undefined {
    return this.parts.get(partition)?.position;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      // A stream closed before its end fails: whoever still reads it must not take it for complete.
      this.failAll(
        incomplete(`Kafka ${this.topic}: the reader was closed before the end`, { topic: this.topic }),
      );
      if (this.worker) await stopWorker(this.worker);
    })();
    return this.closed;
  }
}
