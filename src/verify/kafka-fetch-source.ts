// Reads chosen offset ranges of a Kafka topic's partitions with our own fetch client (src/kafka/wire): no
// consumer group, each partition's leader asked directly from where the partition stands, read_committed,
// and each fetched partition packed into one KafkaBatch straight from the record batch bytes — no object
// per record (kafkajs's decoding was most of verify's CPU). Same guarantees as KafkaTopicReader: a
// partition's stream ends only once every offset of its ranges was read; an offset the broker no longer has
// (retention), a read with no progress for the read timeout, or a closed reader fail it with
// K2P_VERIFY_INCOMPLETE. Back-pressure: a partition whose queue is full is left out of the fetches until its
// comparison has taken half. Memory: per partition, its queue plus one fetch (maxBytesPerPartition).
import { K2pError } from '../errors.js';
import type { KafkaConnector } from '../kafka/index.js';
import { KafkaErrorCode, REFRESH_AND_RETRY } from '../kafka/protocol/error-codes.js';
import { parseFetch, READ_COMMITTED, writeFetchRequest, type FetchPartitionResponse } from '../kafka/protocol/fetch.js';
import { EARLIEST, parseListOffsets, writeListOffsets } from '../kafka/protocol/list-offsets.js';
import { ReadCommitted } from '../kafka/protocol/read-committed.js';
import {
  controlTypeOf,
  isControl,
  RecordCursor,
  recordsOf,
  splitBatches,
} from '../kafka/protocol/record-batch.js';
import { KafkaCluster } from '../kafka/wire/cluster.js';
import { connectionSettings } from '../kafka/wire/from-connector.js';
import { KAFKA_FETCH, type KafkaReadPlan, type KafkaSource, type KafkaTopicReaderOptions } from './kafka-source.js';
import { incomplete, ProgressSource, ReadProgress, Wanted, type PartitionProgress } from './read-progress.js';
import { KafkaBatchWriter } from './records.js';

const RETRY_MS = 300;

interface Packing {
  cursor: RecordCursor;
  writer: KafkaBatchWriter;
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class KafkaFetchReader extends ProgressSource implements KafkaSource {
  protected readonly progress: ReadProgress;
  /** Each planned partition's leader (-1: unknown). */
  private readonly leaders = new Map<number, number>();
  private readonly cluster: KafkaCluster;
  private readonly loops = new Map<number, Promise<void>>();
  private readonly wakers = new Map<number, () => void>();
  private refreshing: Promise<void> | undefined;
  private closed = false;

  constructor(
    connector: KafkaConnector,
    readonly topic: string,
    _partitionCount: number,
    plans: KafkaReadPlan[],
    private readonly options: KafkaTopicReaderOptions = {},
  ) {
    super();
    this.cluster = new KafkaCluster(connector.brokers, connectionSettings(connector));
    this.progress = new ReadProgress(topic, plans, options.queueBatches ?? 4, (state) => this.wake(this.leaderOf(state)));
  }

  private leaderOf(state: PartitionProgress): number {
    return this.leaders.get(state.partition) ?? -1;
  }

  async start(): Promise<void> {
    if (this.progress.allDone) return;
    await this.refresh();
    this.progress.startWatchdog(this.options.readTimeoutMs ?? 120_000);
  }

  /** Each partition's leader from fresh metadata; a fetch loop for every leader that has partitions to read. */
  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const m = await this.cluster.metadata([this.topic]);
        const t = m.topics.find((x) => x.name === this.topic);
        if (t?.errorCode === KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED)
          throw new K2pError('K2P_KFK_AUTH', `Kafka ${this.topic}: not readable with the connector's credentials`, { topic: this.topic });
        // A topic missing from the answer (deleted during the run?) leaves its partitions without a leader:
        // looked up again below until the read timeout says the run is incomplete.
        this.leaders.clear();
        for (const p of t?.partitions ?? []) if (p.errorCode === 0) this.leaders.set(p.partition, p.leader);
      } finally {
        this.refreshing = undefined;
      }
      let leaderless = false;
      for (const s of this.progress.parts.values()) {
        if (s.done) continue;
        const leader = this.leaderOf(s);
        if (leader < 0) leaderless = true;
        else if (!this.loops.has(leader)) this.loops.set(leader, this.loop(leader));
        else this.wake(leader);
      }
      if (leaderless) {
        // no leader right now (an election): look again shortly; the watchdog bounds the wait
        void sleep(RETRY_MS).then(() => {
          if (!this.closed) this.refresh().catch((e: Error) => this.failAll(e));
        });
      }
    })();
    return this.refreshing;
  }

  private wake(leader: number): void {
    const w = this.wakers.get(leader);
    this.wakers.delete(leader);
    w?.();
  }

  /** Fetches from one broker the partitions it leads, until none is left to read there. */
  private async loop(leader: number): Promise<void> {
    const maxBytes = this.options.maxBytesPerPartition ?? KAFKA_FETCH.maxBytesPerPartition;
    // One per loop: a loop takes its partitions one after the other, but loops of other leaders run in
    // between (take awaits decompression), so they must not share the scratch a batch is packed in.
    const packing: Packing = { cursor: new RecordCursor(), writer: new KafkaBatchWriter() };
    try {
      while (!this.closed) {
        const mine = [...this.progress.parts.values()].filter((s) => !s.done && this.leaderOf(s) === leader);
        if (mine.length === 0) break;
        const wanted = mine.filter((s) => !s.paused);
        if (wanted.length === 0) {
          await new Promise<void>((r) => this.wakers.set(leader, r));
          continue;
        }
        let response;
        try {
          const conn = await this.cluster.node(leader);
          response = await conn.call(
            'fetch',
            (w, v) =>
              writeFetchRequest(w, v, {
                maxWaitMs: 200,
                minBytes: 1,
                maxBytes: Math.max(KAFKA_FETCH.maxBytes, maxBytes),
                isolationLevel: READ_COMMITTED,
                topic: this.topic,
                partitions: wanted.map((s) => ({ partition: s.partition, offset: s.next, maxBytes })),
              }),
            parseFetch,
          );
        } catch (err) {
          if (err instanceof K2pError && err.code !== 'K2P_KFK_CONNECT') throw err;
          await sleep(RETRY_MS); // broker gone or restarting: the watchdog decides when it is too long
          await this.refresh().catch(() => undefined);
          continue;
        }
        let stale = false;
        for (const t of response.topics) {
          if (t.topic !== this.topic) continue;
          for (const pr of t.partitions) {
            const state = this.progress.parts.get(pr.partition);
            if (state && !state.done && !this.closed) stale = (await this.take(state, pr, packing)) || stale;
          }
        }
        if (stale) {
          await sleep(RETRY_MS);
          await this.refresh().catch(() => undefined);
        }
      }
    } catch (err) {
      this.failAll(err as Error);
    } finally {
      this.loops.delete(leader);
    }
  }

  /** One partition's part of a fetch response: its records packed and queued. True when the leader must be looked up again. */
  private async take(state: PartitionProgress, pr: FetchPartitionResponse, { cursor, writer }: Packing): Promise<boolean> {
    if (pr.errorCode === KafkaErrorCode.OFFSET_OUT_OF_RANGE) {
      if (++state.gaps >= 3) {
        const first = await this.earliest(state).catch(() => -1);
        this.failAll(
          incomplete(
            first > state.next
              ? `Kafka ${this.topic}[${state.partition}]: offsets ${state.next}..${first - 1} cannot be read (the broker keeps from ${first}; deleted by retention during the run?)`
              : `Kafka ${this.topic}[${state.partition}]: offset ${state.next} cannot be read (out of range)`,
            { topic: this.topic, partition: state.partition, from: state.next, answeredFrom: first },
          ),
        );
      }
      return false;
    }
    if (REFRESH_AND_RETRY.has(pr.errorCode)) return true;
    if (pr.errorCode !== 0)
      throw new K2pError('K2P_VERIFY_INCOMPLETE', `Kafka ${this.topic}[${state.partition}]: the broker answered the fetch with error ${pr.errorCode}`, {
        topic: this.topic,
        partition: state.partition,
        kafkaError: pr.errorCode,
      });
    state.gaps = 0;
    if (!pr.records || pr.records.length === 0) return false;
    const { batches } = splitBatches(pr.records);
    const filter = new ReadCommitted(pr.abortedTransactions);
    for (const b of batches) {
      const control = isControl(b) ? controlTypeOf(b, await recordsOf(b)) : undefined;
      if (!filter.skip(b, control) && b.lastOffset >= state.next) {
        const bytes = recordsOf(b);
        cursor.reset(b, bytes instanceof Promise ? await bytes : bytes);
        while (cursor.next()) {
          const wanted = this.progress.want(state, cursor.offset);
          if (wanted === Wanted.stop) break;
          if (wanted === Wanted.skip) continue;
          writer.add(cursor);
          state.next = cursor.offset + 1;
        }
      }
      // Past the batch, its aborted records and markers included: a partition's end is reached through them.
      if (!this.progress.advance(state, b.lastOffset + 1)) break;
    }
    this.progress.progressed();
    const packed = writer.finish(this.topic, state.partition);
    if (packed && !state.queue.push(packed)) state.paused = true;
    if (state.index >= state.ranges.length) this.progress.finish(state);
    return false;
  }

  /** The first offset the partition still holds (its leader's answer). */
  private async earliest(state: PartitionProgress): Promise<number> {
    const conn = await this.cluster.node(this.leaderOf(state));
    const listed = await conn.call(
      'listOffsets',
      (w, v) => writeListOffsets(w, v, this.topic, [{ partition: state.partition, timestamp: EARLIEST }], READ_COMMITTED),
      parseListOffsets,
    );
    return listed.find((p) => p.partition === state.partition && p.errorCode === 0)?.offset ?? -1;
  }

  private failAll(err: Error): void {
    this.progress.failAll(err);
    for (const leader of [...this.wakers.keys()]) this.wake(leader);
  }

  async close(): Promise<void> {
    this.progress.closed();
    this.closed = true;
    for (const leader of [...this.wakers.keys()]) this.wake(leader);
    await Promise.allSettled([...this.loops.values()]);
    this.cluster.close();
  }
}
