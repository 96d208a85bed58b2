// Writes facade records to one Pulsar topic, partition for partition, as the record mapping shapes them
// (docs/record-mapping.md), with sequence id = the record's offset:
// - route dual: the offset Kafka gave the record (the caller passes it);
// - route pulsar: the next offset of the partition, continuing after the highest sequence id stored (so the
//   numbering Kafka started goes on after a route flip). The producer is exclusive with fencing under one
//   fixed name: a second gateway writing the topic takes it over (and the first reopens on its next
//   request), so two processes never hand out the same offset.
// Records are coalesced per partition: at the end of the current turn of the event loop a partition sends what
// it gathered, unless FLUSHES_IN_FLIGHT of its sends still wait for their receipts; then records gather in the
// client's batch and go together as soon as the oldest is acknowledged (the client's batch timer is only a
// backstop). Two sends in flight: requests arriving while one waits for the broker do not wait for it too.
import { isK2pError } from '../../errors.js';
import { atOffset, numericToPulsarMessage, type RecordMappingOptions } from '../../mirror/record-mapping.js';
import type { PulsarAdmin } from '../../pulsar/admin/index.js';
import { partitionTopic, type OutgoingMessage, type Producer, type PulsarClient } from '../../pulsar/client/index.js';
import type { PlacedRecord, RecordResult } from '../records.js';
import { CODES, RestError } from '../rest-error.js';
import { lastSequenceId } from './positions.js';

export type WriterMode = 'pulsar' | 'dual';

/** The fixed producer name of route pulsar (per partition `-N` is added by the client). */
export const FACADE_PRODUCER = 'k2p-facade';

export function pulsarFailure(err: unknown): RestError {
  const message = err instanceof Error ? err.message : String(err);
  const retriable = isK2pError(err) ? err.canRetry || err.code === 'K2P_PLS_CLOSED' : true;
  return new RestError(retriable ? CODES.KAFKA_RETRIABLE : CODES.KAFKA_ERROR, message);
}

/** The client's batch timer: only a backstop, the writer flushes each partition itself (see above). */
const BACKSTOP_DELAY_MS = 10;
/**
 * Messages a partition may have unacknowledged. The requests bound what is in flight (v3 streams by their own
 * budget, stream-produce.ts); the client's default of 1,000 made sends beyond it wait one by one for a permit,
 * a promise per record.
 */
const MAX_PENDING_PER_PARTITION = 10_000;
/** Sends of one partition waiting for their receipts before records gather for the next one. */
const FLUSHES_IN_FLIGHT = 2;

export class PulsarWriter {
  /** Route pulsar: the next sequence id per partition. */
  private readonly next: bigint[];
  failed = false;
  /** Per partition index: records added since the last flush; flushes waiting for their receipts; the outcome of the last record added. */
  private readonly dirty: boolean[] = [];
  private readonly flushing: number[] = [];
  private readonly last: Promise<unknown>[] = [];
  private flushScheduled = false;
  /** Partition sends (batches) the writer started (for benchmarks). */
  flushes = 0;

  private constructor(
    readonly topic: string,
    readonly mode: WriterMode,
    private readonly producer: Producer,
    next: bigint[],
  ) {
    this.next = next;
  }

  /**
   * Opens the producer. Route pulsar: `atLeast` (per partition) is a floor for the next offset, e.g. Kafka's
   * end offsets at a route flip.
   */
  static async open(client: PulsarClient, admin: PulsarAdmin, topic: string, mode: WriterMode, atLeast?: ReadonlyMap<number, bigint>): Promise<PulsarWriter> {
    const common = { topic, sendTimeoutMs: 30_000, batchingMaxDelayMs: BACKSTOP_DELAY_MS, maxPendingMessages: MAX_PENDING_PER_PARTITION };
    const producer = await client.createProducer(mode === 'pulsar' ? { ...common, producerName: FACADE_PRODUCER, accessMode: 'ExclusiveWithFencing' } : common);
    const next: bigint[] = [];
    if (mode === 'pulsar') {
      const count = Math.max(1, producer.partitions);
      for (let p = 0; p < count; p++) {
        const physical = producer.partitions > 0 ? partitionTopic(topic, p) : topic;
        let last = await lastSequenceId(client, admin, physical);
        const known = producer.partition(p).lastSequenceId;
        if (known > last) last = known;
        const floor = atLeast?.get(p);
        if (floor !== undefined && floor - 1n > last) last = floor - 1n;
        next.push(last + 1n);
      }
    }
    return new PulsarWriter(topic, mode, producer, next);
  }

  get partitions(): number {
    return this.producer.partitions;
  }

  /** The Pulsar message of a record at an offset (throws K2P_MIRROR_RECORD when the mapping refuses it). */
  static message(kafkaTopic: string, r: PlacedRecord, offset: bigint, options: RecordMappingOptions, partitioned: boolean): OutgoingMessage {
    const msg = r.checked
      ? atOffset(r.checked, offset, options)
      : numericToPulsarMessage({ topic: kafkaTopic, partition: r.partition, offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers }, options);
    if (r.pulsar) Object.assign(msg, r.pulsar); // a schema topic: the mirror converter's fields (facade/schema)
    if (partitioned) msg.partition = r.partition;
    return msg;
  }

  /**
   * Enqueues every record now (in order) and resolves once the broker stored them. `offsets` (route dual)
   * gives each record's Kafka offset; route pulsar assigns them.
   */
  send(kafkaTopic: string, records: readonly PlacedRecord[], options: RecordMappingOptions, offsets?: readonly (bigint | null)[]): Promise<RecordResult[]> {
    const partitioned = this.producer.partitions > 0;
    const sends = new Array<Promise<RecordResult>>(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      let offset: bigint | null;
      if (offsets) offset = offsets[i] ?? null;
      else {
        offset = this.next[r.partition] ?? 0n;
        this.next[r.partition] = offset + 1n;
      }
      if (offset === null) {
        sends[i] = Promise.resolve<RecordResult>({ partition: r.partition, offset: null, timestamp: r.timestamp, error: new RestError(CODES.KAFKA_ERROR, 'not written to Kafka') });
        continue;
      }
      const at = offset;
      const sent = this.producer.send(PulsarWriter.message(kafkaTopic, r, at, options, partitioned)).then(
        (): RecordResult => ({ partition: r.partition, offset: at, timestamp: r.timestamp }),
        (err: unknown): RecordResult => {
          this.failed = true; // a fenced or broken producer is reopened by the next request
          return { partition: r.partition, offset: null, timestamp: r.timestamp, error: pulsarFailure(err) };
        },
      );
      sends[i] = sent;
      const p = partitioned ? r.partition : 0;
      this.dirty[p] = true;
      this.last[p] = sent;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushDirty);
    }
    return Promise.all(sends);
  }

  /** Sends each partition's gathered records unless that partition has FLUSHES_IN_FLIGHT sends waiting. */
  private readonly flushDirty = (): void => {
    this.flushScheduled = false;
    for (let p = 0; p < this.dirty.length; p++) if (this.dirty[p] && (this.flushing[p] ?? 0) < FLUSHES_IN_FLIGHT) this.flushPartition(p);
  };

  private flushPartition(p: number): void {
    this.dirty[p] = false;
    this.flushing[p] = (this.flushing[p] ?? 0) + 1;
    this.flushes++;
    const producer = this.producer.partition(p);
    producer.sendNow();
    // The send is done once its last record has an outcome (the writer's promises never reject). A record
    // still waiting for the client's pending-message permits joins a later batch: its timer sends it.
    void this.last[p]!.then(() => {
      this.flushing[p]!--;
      if (this.dirty[p] && this.flushing[p]! < FLUSHES_IN_FLIGHT) this.flushPartition(p);
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
