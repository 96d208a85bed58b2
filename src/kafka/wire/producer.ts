// An idempotent Kafka producer over our own connections (TCP or TLS + SASL through KafkaCluster): one
// InitProducerId, then per partition a sequence number that each batch carries. acks=all. A batch that fails
// with an error a metadata refresh can cure (leader moved, not enough replicas, timeout, broken connection) is
// sent again as the same bytes (same sequence), so the broker writes it once whatever happened to the first
// attempt. Callers keep at most one send in flight per partition (the broker accepts up to five; one keeps
// the sequence arithmetic trivial and is what the facade's lanes do anyway).
// When a batch's fate stays unknown (retries used up) or the broker rejects the producer's sequence state, the
// producer id is dropped and a new one asked for on the next send: sequences restart at 0 under it, so a
// later batch can neither be taken for a duplicate of a lost one (silently dropped) nor be refused forever.
import { K2pError } from '../../errors.js';
import { KafkaErrorCode, kafkaErrorName as errorName, REFRESH_AND_RETRY } from '../protocol/error-codes.js';
import { parseInitProducerId, writeInitProducerId } from '../protocol/init-producer-id.js';
import { parseProduce, writeProduceRequest, type ProducePartitionResponse } from '../protocol/produce.js';
import { writeRecordBatch, type OutgoingRecord } from '../protocol/record-batch-writer.js';
import type { KafkaCluster } from './cluster.js';

export interface PartitionBatch {
  partition: number;
  /** In order: the broker gives them consecutive offsets from the batch's base offset. */
  records: readonly OutgoingRecord[];
}

export type PartitionOutcome = { partition: number; baseOffset: number; error?: undefined } | { partition: number; baseOffset?: undefined; error: K2pError };

export interface WireProducerOptions {
  /** Attempts after the first for a retriable failure (default 6). */
  retries?: number;
  /** Wait before the n-th retry: n × this (default 200 ms). */
  retryBackoffMs?: number;
  /** The broker's wait for the in-sync replicas (default 30,000 ms). */
  ackTimeoutMs?: number;
}

/** A producer id, its epoch and the next sequence number of each partition written under it. */
interface Identity {
  producerId: number;
  producerEpoch: number;
  sequences: Map<string, number>;
}

/** Partition errors the same batch (same sequence) may get past on another attempt. */
const RETRIABLE: ReadonlySet<number> = new Set([...REFRESH_AND_RETRY, KafkaErrorCode.NOT_ENOUGH_REPLICAS, KafkaErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND]);
/** InitProducerId errors that go away (coordinator loading or moving, broker busy). */
const INIT_RETRIABLE: ReadonlySet<number> = new Set([
  KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  KafkaErrorCode.COORDINATOR_NOT_AVAILABLE,
  KafkaErrorCode.NOT_COORDINATOR,
  KafkaErrorCode.REQUEST_TIMED_OUT,
]);
const SEQUENCE_LIMIT = 0x7fffffff;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pending {
  partition: number;
  bytes: Buffer;
  count: number;
  sequence: number;
  /** The last failure (retriable ones are kept for the report if the attempts run out). */
  error?: K2pError;
}

export class KafkaWireProducer {
  private identity: Promise<Identity> | undefined;
  /** Per topic, the send in flight (the next one waits for it). */
  private readonly sending = new Map<string, Promise<PartitionOutcome[]>>();
  private readonly leaders = new Map<string, Map<number, number>>();
  private readonly retries: number;
  private readonly backoff: number;
  private readonly ackTimeout: number;

  constructor(
    private readonly cluster: KafkaCluster,
    options: WireProducerOptions = {},
  ) {
    this.retries = options.retries ?? 6;
    this.backoff = options.retryBackoffMs ?? 200;
    this.ackTimeout = options.ackTimeoutMs ?? 30_000;
  }

  /** The producer id in use (asked for on first use and after a reset). */
  private getIdentity(): Promise<Identity> {
    this.identity ??= (async () => {
      for (let attempt = 0; ; attempt++) {
        const { brokers } = await this.cluster.metadata([]); // any broker hands out producer ids
        const conn = await this.cluster.node(brokers[0]!.nodeId);
        const id = await conn.call('initProducerId', writeInitProducerId, parseInitProducerId);
        if (id.errorCode === 0) return { producerId: id.producerId, producerEpoch: id.producerEpoch, sequences: new Map<string, number>() };
        // A broker just started loads its producer-id state first: ask again a little later.
        const retriable = INIT_RETRIABLE.has(id.errorCode);
        if (!retriable || attempt >= this.retries) throw produceError(id.errorCode, `InitProducerId failed: ${errorName(id.errorCode)}`, {}, retriable);
        await sleep(this.backoff * (attempt + 1));
      }
    })();
    const p = this.identity;
    p.catch(() => this.identity === p && (this.identity = undefined));
    return p;
  }

  /** Drops the producer id a send ran under (not a newer one another send already replaced it with). */
  private reset(under: Promise<Identity>): void {
    if (this.identity === under) this.identity = undefined;
  }

  /** Each partition's leader (node id) as the latest metadata says; refreshed on request. */
  private async leadersOf(topic: string, refresh: boolean): Promise<Map<number, number> | K2pError> {
    const known = this.leaders.get(topic);
    if (known && !refresh) return known;
    const m = await this.cluster.metadata([topic]);
    const t = m.topics.find((x) => x.name === topic);
    if (!t || t.errorCode !== 0) {
      this.leaders.delete(topic);
      const code = t?.errorCode ?? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return produceError(code, `topic ${topic}: ${errorName(code)}`, { topic });
    }
    const leaders = new Map<number, number>();
    for (const p of t.partitions) if (p.leader >= 0) leaders.set(p.partition, p.leader);
    this.leaders.set(topic, leaders);
    return leaders;
  }

  /**
   * Writes one batch per partition (each partition at most once per call) and reports each partition's base
   * offset or its failure. Sends of a topic go one after the other (a second caller of the same partition,
   * e.g. both routes of a topic during a flip, must not take the same sequence number). Never throws.
   */
  send(topic: string, batches: readonly PartitionBatch[]): Promise<PartitionOutcome[]> {
    const prev = this.sending.get(topic);
    const run = prev ? prev.then(() => this.sendNow(topic, batches)) : this.sendNow(topic, batches);
    this.sending.set(topic, run);
    void run.then(() => this.sending.get(topic) === run && this.sending.delete(topic));
    return run;
  }

  private async sendNow(topic: string, batches: readonly PartitionBatch[]): Promise<PartitionOutcome[]> {
    try {
      return await this.attempts(topic, batches);
    } catch (err) {
      const error = asProduceError(err);
      return batches.map((b) => ({ partition: b.partition, error }));
    }
  }

  private async attempts(topic: string, batches: readonly PartitionBatch[]): Promise<PartitionOutcome[]> {
    const under = this.getIdentity();
    let identity: Identity;
    try {
      identity = await under;
    } catch (err) {
      const error = asProduceError(err);
      return batches.map((b) => ({ partition: b.partition, error }));
    }
    const pending: Pending[] = batches.map((b) => {
      const sequence = identity.sequences.get(`${topic}\0${b.partition}`) ?? 0;
      const bytes = writeRecordBatch(b.records, { producerId: identity.producerId, producerEpoch: identity.producerEpoch, baseSequence: sequence });
      return { partition: b.partition, bytes, count: b.records.length, sequence };
    });
    const done = new Map<number, PartitionOutcome>();
    let todo = pending;
    for (let attempt = 0; todo.length > 0; attempt++) {
      if (attempt > 0) await sleep(this.backoff * attempt);
      const again = await this.attempt(topic, todo, attempt > 0, done);
      if (again.length === 0 || attempt >= this.retries) {
        for (const p of again) done.set(p.partition, { partition: p.partition, error: p.error! });
        break;
      }
      todo = again;
    }
    let failed = false;
    const out = pending.map((p) => {
      const o = done.get(p.partition)!;
      if (o.error) failed = true;
      else identity.sequences.set(`${topic}\0${p.partition}`, (p.sequence + p.count) % SEQUENCE_LIMIT);
      return o;
    });
    // A failed batch may or may not be in the log: only a new producer id makes the next sequence safe.
    if (failed) this.reset(under);
    return out;
  }

  /** One attempt at every pending batch (grouped by leader); returns those to try again. */
  private async attempt(topic: string, todo: readonly Pending[], refresh: boolean, done: Map<number, PartitionOutcome>): Promise<Pending[]> {
    const again: Pending[] = [];
    let leaders: Map<number, number> | K2pError;
    try {
      leaders = await this.leadersOf(topic, refresh);
    } catch (err) {
      for (const p of todo) again.push({ ...p, error: asProduceError(err) });
      return again;
    }
    if (leaders instanceof K2pError) {
      // A missing topic may be one being created: retried like a moved leader, reported as it is.
      for (const p of todo) again.push({ ...p, error: leaders });
      return again;
    }
    const byLeader = new Map<number, Pending[]>();
    for (const p of todo) {
      const leader = leaders.get(p.partition);
      if (leader === undefined) {
        // A partition added after the last metadata read, or one without a leader: read again, then give up.
        again.push({ ...p, error: new K2pError('K2P_KFK_PRODUCE', `partition ${p.partition} of topic ${topic} has no leader in the cluster's metadata`, { topic, partition: p.partition }) });
        continue;
      }
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(p);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        let answers: ProducePartitionResponse[];
        try {
          const conn = await this.cluster.node(leader);
          answers = await conn.call(
            'produce',
            (w, v) => writeProduceRequest(w, v, { acks: -1, timeoutMs: this.ackTimeout, topics: [{ name: topic, partitions: list.map((p) => ({ partition: p.partition, records: p.bytes })) }] }),
            parseProduce,
          );
        } catch (err) {
          for (const p of list) again.push({ ...p, error: asProduceError(err) });
          return;
        }
        for (const p of list) {
          const a = answers.find((x) => x.topic === topic && x.partition === p.partition);
          if (!a) again.push({ ...p, error: produceError(KafkaErrorCode.NETWORK_EXCEPTION, `Kafka's answer left out partition ${p.partition} of topic ${topic}`, { topic, partition: p.partition }) });
          else if (a.errorCode === 0) done.set(p.partition, { partition: p.partition, baseOffset: a.baseOffset });
          else {
            const error = produceError(a.errorCode, `partition ${p.partition} of topic ${topic}: ${a.errorMessage ?? errorName(a.errorCode)}`, { topic, partition: p.partition }, RETRIABLE.has(a.errorCode));
            if (RETRIABLE.has(a.errorCode)) again.push({ ...p, error });
            else done.set(p.partition, { partition: p.partition, error });
          }
        }
      }),
    );
    return again;
  }

}

/** A partition's (or the producer id's) Kafka error code as a catalog error; retriable as the code says. */
function produceError(code: number, message: string, details: Record<string, unknown>, canRetry = RETRIABLE.has(code)): K2pError {
  return new K2pError('K2P_KFK_PRODUCE', message, { ...details, kafkaError: errorName(code) }, { canRetry });
}

/** A thrown failure (connection, timeout, protocol) as a K2pError; connection trouble stays retriable. */
function asProduceError(err: unknown): K2pError {
  if (err instanceof K2pError) return err;
  return new K2pError('K2P_KFK_CONNECT', err instanceof Error ? err.message : String(err), {}, { cause: err });
}
