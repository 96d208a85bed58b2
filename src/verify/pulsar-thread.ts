// The Pulsar side of mirror mode read in a worker thread: subscribing, seeking, flow control and turning
// messages into packed batches (pulsar-worker.ts, pulsar-pack.ts) run on another core while this thread
// only compares. The worker builds its own client from the connector (plain data: a client and its sockets
// cannot cross threads) and hands each packed batch over whole (transferred, not copied). Back-pressure as
// for Kafka (kafka-thread.ts): a partition has `credits` batches in flight at most; a credit comes back as
// the comparison takes a batch.
import type { Worker } from 'node:worker_threads';
import type { PulsarConnector } from '../config/index.js';
import type { PulsarBatch } from './pulsar-batch.js';
import { PackedPulsarBatch } from './pulsar-pack.js';
import type { PulsarReadOptions } from './pulsar-source.js';
import { PartitionQueue } from './queue.js';
import type { OffsetRange } from './ranges.js';
import { incomplete } from './read-progress.js';
import { revived, startWorker, stopWorker, type SentError } from './worker-thread.js';

/** One Pulsar partition to read: the Kafka partition it is compared with, its topic and Kafka ranges. */
export interface PulsarReadJob {
  partition: number;
  pulsarTopic: string;
  ranges: OffsetRange[];
  options: Omit<PulsarReadOptions, 'startMessageId'>;
}

export interface PulsarWorkerData {
  connector: PulsarConnector;
  /** The Kafka topic compared (a message whose provenance names another is misplaced). */
  kafkaTopic: string;
  jobs: PulsarReadJob[];
  credits: number;
}

export type ToPulsarWorker =
  | { type: 'credit'; partition: number; buffer?: ArrayBuffer }
  | { type: 'stop'; partition: number }
  | { type: 'close' };
export type FromPulsarWorker =
  | { type: 'batch'; partition: number; buffer: ArrayBuffer }
  | { type: 'end'; partition: number }
  | { type: 'fail'; partition: number; error: SentError }
  | { type: 'closed' };

/** Batches a partition may have on their way over or waiting here (each up to 1,000 messages). */
const CREDITS = 4;

export class PulsarThreadReader {
  private readonly queues = new Map<number, { topic: string; queue: PartitionQueue<PulsarBatch> }>();
  private worker: Worker | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly connector: PulsarConnector,
    private readonly kafkaTopic: string,
    private readonly jobs: PulsarReadJob[],
  ) {
    for (const job of jobs)
      this.queues.set(job.partition, { topic: job.pulsarTopic, queue: new PartitionQueue(Number.MAX_SAFE_INTEGER) });
  }

  /** Starts the worker; every partition's reader subscribes at once (a failure fails its stream). */
  start(): void {
    const data: PulsarWorkerData = { connector: this.connector, kafkaTopic: this.kafkaTopic, jobs: this.jobs, credits: CREDITS };
    const worker = startWorker('pulsar-worker', data);
    this.worker = worker;
    worker.on('message', (m: FromPulsarWorker) => {
      if (m.type === 'closed') return;
      const state = this.queues.get(m.partition);
      if (!state) return;
      if (m.type === 'batch') state.queue.push(new PackedPulsarBatch(state.topic, Buffer.from(m.buffer)));
      else if (m.type === 'end') state.queue.end();
      else state.queue.fail(revived(m.error));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (!this.closed)
        this.failAll(incomplete(`the Pulsar reader's worker thread stopped (exit code ${code})`, { topic: this.kafkaTopic }));
    });
  }

  private failAll(err: Error): void {
    for (const s of this.queues.values()) if (!s.queue.done) s.queue.fail(err);
  }

  private post(m: ToPulsarWorker, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(m, transfer);
  }

  /** The packed batches of the partition compared with Kafka `partition`; return() stops its reading. */
  stream(partition: number): AsyncIterator<PulsarBatch> & { return(): Promise<IteratorResult<PulsarBatch>> } {
    const state = this.queues.get(partition);
    if (!state) throw new Error(`partition ${partition} of ${this.kafkaTopic} is not planned`);
    // The batch the comparison had: it asks for the next only once done with every message of it (a pair
    // looked at closely keeps strings, not views), so its buffer goes back with the credit, to be packed into again.
    let previous: ArrayBuffer | undefined;
    return {
      next: async () => {
        const r = await state.queue.next();
        if (!r.done) {
          const buffer = previous;
          previous = (r.value as PackedPulsarBatch).buf.buffer as ArrayBuffer;
          this.post({ type: 'credit', partition, buffer }, buffer ? [buffer] : undefined);
        }
        return r;
      },
      return: () => {
        if (!state.queue.done) {
          state.queue.end();
          this.post({ type: 'stop', partition });
        }
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.failAll(incomplete(`Pulsar ${this.kafkaTopic}: the reader was closed before the end`, { topic: this.kafkaTopic }));
      if (this.worker) await stopWorker(this.worker);
    })();
    return this.closed;
  }
}
