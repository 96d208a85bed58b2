// Route kafka: a plain proxy to the Kafka cluster. Records are written by our own idempotent producer
// (src/kafka/wire/producer.ts, through wire-writer.ts) or, if asked, kafkajs's; metadata and offsets are read
// through kafkajs's admin client. Partitions are written through producer lanes (src/facade/lanes.ts);
// concurrent produce requests of a topic's lane are coalesced into one producer send (src/facade/batcher.ts).
// Ours is the default: a single-record send costs about a third of kafkajs's CPU and half its round trip here
// (docs/facade.md).
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { K2pError } from '../../errors.js';
import { kafkaErrorType, causeChain } from '../../kafka/errors.js';
import type { PartitionInfo, PartitionOffsets, PlacedRecord, RecordResult } from '../records.js';
import { CODES, RestError } from '../rest-error.js';
import { SendBatcher } from '../batcher.js';
import { LaneBatchers, PRODUCER_LANES, submitByLane } from '../lanes.js';
import { WireWriter, type WireSettings } from './wire-writer.js';

const TOPICS_TTL_MS = 5_000;

/** The Kafka producer routes kafka and dual write through: kafkajs's, or ours (src/kafka/wire/producer.ts). */
export type KafkaProducerKind = 'kafkajs' | 'wire';
/** The facade's default. */
export const KAFKA_PRODUCER: KafkaProducerKind = 'wire';

/** A kafkajs failure as the REST Proxy reports it: retriable (50003) or not (50002). */
export function kafkaFailure(err: unknown): RestError {
  const chain = causeChain(err);
  const why = chain[chain.length - 1]?.message ?? String(err);
  const type = kafkaErrorType(err);
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return new RestError(CODES.TOPIC_NOT_FOUND, why);
  const retriable = chain.some((e) => e.retriable === true) || chain.some((e) => e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSNumberOfRetriesExceeded');
  return new RestError(retriable ? CODES.KAFKA_RETRIABLE : CODES.KAFKA_ERROR, why);
}

/** How long a topic's partition count is served from memory before it is read again (in the background). */
const COUNT_TTL_MS = 5_000;
/**
 * A merged send stays well under Kafka's default max.message.bytes (1 MiB) per partition batch, and carries at
 * most MAX_SEND_RECORDS records: kafkajs groups a send's messages per partition by copying the partition's list
 * for every message (quadratic: 8,000 small records of one partition are 32 M copies and ~256 MB of garbage per
 * send; that grouping was 7-13 % of the facade's CPU in v3-stream profiles with sends of 1,000-8,000 records).
 */
export const MAX_SEND_RECORDS = 500;
const SEND_LIMITS = { maxWeight: 512 * 1024, maxRequests: 4096, maxRecords: MAX_SEND_RECORDS };
/** Times a send re-reads metadata for a partition the producer does not know before it gives up. */
const UNKNOWN_PARTITION_RETRIES = 5;

/** Bytes a record adds to a send (for the batcher's limit). */
export function recordWeight(records: readonly PlacedRecord[]): number {
  let n = 0;
  for (const r of records) {
    n += 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const h of r.headers) n += 8 + h.key.length + (h.value?.length ?? 0);
  }
  return n;
}

/**
 * kafkajs groups a send's records by partition and silently leaves out partitions its metadata does not list
 * (a partition added after the producer loaded the topic): the send "succeeds" without them. This
 * partitioner takes the partition the facade chose and, when the producer's metadata lacks it, fails the
 * attempt with a metadata error — kafkajs then reloads the metadata and tries again; after a few reloads
 * without it, the send fails (non-retriable) instead of dropping records.
 */
export function guardedPartitioner(): () => (args: { topic: string; partitionMetadata: { partitionId: number }[]; message: { partition?: number } }) => number {
  return () => {
    const known = new WeakMap<object, Set<number>>();
    const misses = new Map<string, number>();
    return ({ topic, partitionMetadata, message }) => {
      const p = message.partition ?? -1;
      let ids = known.get(partitionMetadata);
      if (!ids) {
        ids = new Set(partitionMetadata.map((m) => m.partitionId));
        known.set(partitionMetadata, ids);
      }
      if (ids.has(p)) {
        if (misses.size > 0) misses.delete(`${topic}/${p}`);
        return p;
      }
      const key = `${topic}/${p}`;
      const n = (misses.get(key) ?? 0) + 1;
      misses.set(key, n);
      const err = new Error(`partition ${p} of topic ${topic} is not in the producer's metadata`) as Error & { retriable: boolean };
      if (n > UNKNOWN_PARTITION_RETRIES) {
        misses.delete(key);
        err.name = 'KafkaJSNonRetriableError';
        err.retriable = false;
      } else {
        err.name = 'KafkaJSMetadataNotLoaded'; // kafkajs reloads the metadata and tries again
        err.retriable = true;
      }
      throw err;
    };
  };
}

export class KafkaSide {
  /** One producer per lane: partition p is written by lane p % lanes only. */
  private readonly producers: (Promise<Producer> | undefined)[] = [];
  private admin: Promise<Admin> | undefined;
  private topics: { at: number; names: Set<string> } | undefined;
  private topicsLoading: Promise<Set<string>> | undefined;
  private readonly counts = new Map<string, { at: number; count: number }>();
  private readonly countLoads = new Map<string, Promise<number | undefined>>();
  /** Per topic, one batcher per lane. */
  private readonly batchers = new LaneBatchers<readonly PlacedRecord[], RecordResult[]>(
    (topic) => new SendBatcher(async (requests) => ({ results: splitResults(requests, await this.write(topic, requests.length === 1 ? requests[0]! : requests.flat())) }), SEND_LIMITS),
  );
  private offsetReads: Promise<unknown> = Promise.resolve();
  /** Our own producer (one per lane) when the facade writes through it instead of kafkajs. */
  private readonly wire: WireWriter | undefined;

  constructor(
    readonly kafka: Kafka,
    readonly lanes = PRODUCER_LANES,
    wire?: WireSettings,
  ) {
    if (!Number.isInteger(lanes) || lanes < 1) throw new K2pError('K2P_CFG_INVALID', `producer lanes must be a whole number >= 1, not ${lanes}`, { lanes });
    this.wire = wire ? new WireWriter(wire) : undefined;
  }

  /** Which Kafka producer writes: kafkajs's or ours (src/kafka/wire/producer.ts). */
  get producer(): KafkaProducerKind {
    return this.wire ? 'wire' : 'kafkajs';
  }

  private getProducer(lane: number): Promise<Producer> {
    const made = this.producers[lane];
    if (made) return made;
    const making = (async () => {
      const p = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: guardedPartitioner() as never });
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      this.producers[lane] = undefined;
      throw kafkaFailure(err);
    });
    this.producers[lane] = making;
    return making;
  }

  private getAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const a = this.kafka.admin({ retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 } });
      await a.connect();
      return a;
    })().catch((err: unknown) => {
      this.admin = undefined;
      throw kafkaFailure(err);
    });
    return this.admin;
  }

  /** Topic names (internal ones included; callers filter). Cached briefly; concurrent reads share one. */
  async topicNames(fresh = false): Promise<Set<string>> {
    const cached = this.topics;
    if (!fresh && cached && Date.now() - cached.at < TOPICS_TTL_MS) return cached.names;
    this.topicsLoading ??= (async () => {
      try {
        const admin = await this.getAdmin();
        const names = new Set(await admin.listTopics().catch((err: unknown) => Promise.reject(kafkaFailure(err))));
        this.topics = { at: Date.now(), names };
        return names;
      } finally {
        this.topicsLoading = undefined;
      }
    })();
    return this.topicsLoading;
  }

  async exists(topic: string): Promise<boolean> {
    if ((await this.topicNames()).has(topic)) return true;
    return (await this.topicNames(true)).has(topic);
  }

  async metadata(topic: string): Promise<PartitionInfo[] | undefined> {
    if (!(await this.exists(topic))) return undefined;
    const admin = await this.getAdmin();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] }).catch((err: unknown) => Promise.reject(kafkaFailure(err)));
    const t = meta.topics.find((x) => x.name === topic);
    if (!t) return undefined;
    const parts = t.partitions
      .map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas.map((b) => ({ broker: b, leader: b === p.leader, in_sync: p.isr.includes(b) })),
      }))
      .sort((a, b) => a.partition - b.partition);
    this.counts.set(topic, { at: Date.now(), count: parts.length });
    return parts;
  }

  /** Reads a topic's partition count now (one read per topic at a time). */
  private loadCount(topic: string): Promise<number | undefined> {
    let load = this.countLoads.get(topic);
    if (!load) {
      load = this.metadata(topic)
        .then((parts) => {
          if (!parts) this.counts.delete(topic);
          return parts?.length;
        })
        .finally(() => this.countLoads.delete(topic));
      this.countLoads.set(topic, load);
    }
    return load;
  }

  /**
   * Partition count, undefined for a topic Kafka does not have. Served from memory (read again in the
   * background once older than a few seconds, so no request waits for metadata); read now when unknown, or
   * when `partition` is at or past the known count (a partition added since).
   */
  async partitions(topic: string, partition?: number): Promise<number | undefined> {
    const known = this.counts.get(topic);
    if (!known) return this.loadCount(topic);
    if (partition !== undefined && partition >= known.count) return this.loadCount(topic);
    if (Date.now() - known.at > COUNT_TTL_MS) this.loadCount(topic).catch(() => undefined);
    return known.count;
  }

  /**
   * kafkajs's fetchTopicOffsets reads the topic's partitions from the admin client's shared metadata, which a
   * concurrent call for another topic can replace without it (then it fails with a TypeError): one call at a
   * time, and once more after such a failure.
   */
  private topicOffsets(topic: string): Promise<{ partition: number; high: string; low: string }[]> {
    const run = async () => {
      const admin = await this.getAdmin();
      try {
        return await admin.fetchTopicOffsets(topic);
      } catch (err) {
        if (!causeChain(err).some((e) => e.name === 'TypeError')) throw kafkaFailure(err);
        return admin.fetchTopicOffsets(topic).catch((again: unknown) => Promise.reject(kafkaFailure(again)));
      }
    };
    const next = this.offsetReads.then(run, run);
    this.offsetReads = next.catch(() => undefined);
    return next;
  }

  async offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    const all = await this.topicOffsets(topic);
    const p = all.find((o) => o.partition === partition);
    if (!p) throw new RestError(CODES.PARTITION_NOT_FOUND, `Partition ${partition} of topic ${topic} not found.`);
    return { beginning_offset: Number(p.low), end_offset: Number(p.high) };
  }

  /** End offset (next offset to be written) of every partition. */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const all = await this.topicOffsets(topic);
    return new Map(all.map((o) => [o.partition, BigInt(o.high)]));
  }

  /** A consumer group's committed offsets of a topic (next offset to consume; partitions without one left out). */
  async committed(group: string, topic: string): Promise<Map<number, bigint>> {
    const admin = await this.getAdmin();
    const res = await admin.fetchOffsets({ groupId: group, topics: [topic] }).catch((err: unknown) => Promise.reject(kafkaFailure(err)));
    const out = new Map<number, bigint>();
    for (const t of res) for (const p of t.partitions) if (BigInt(p.offset) >= 0n) out.set(p.partition, BigInt(p.offset));
    return out;
  }

  /** Commits offsets for a group that has no active member (a manually assigned consumer's group). */
  async commitGroup(group: string, topic: string, partitions: { partition: number; offset: bigint }[]): Promise<void> {
    const admin = await this.getAdmin();
    await admin
      .setOffsets({ groupId: group, topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset.toString() })) })
      .catch((err: unknown) => Promise.reject(kafkaFailure(err)));
  }

  async brokers(): Promise<{ clusterId: string; brokers: { nodeId: number; host: string; port: number }[]; controller: number | null }> {
    const admin = await this.getAdmin();
    return admin.describeCluster().catch((err: unknown) => Promise.reject(kafkaFailure(err)));
  }

  /**
   * Writes a request's records (partition already chosen). Concurrent requests of a topic's lane are coalesced:
   * those arriving while the lane's send is in flight go together in its next one (docs/facade.md). Records of
   * one partition get consecutive offsets in the order given, after those of earlier requests; each record's
   * result carries its own offset. A failed send fails every record of the requests it carried.
   */
  produce(topic: string, records: readonly PlacedRecord[]): Promise<RecordResult[]> {
    return submitByLane(records, this.lanes, (lane, part) => this.batchers.get(topic, lane).submit(part, recordWeight(part), part.length));
  }

  /** Sends and requests carried by a topic's batchers so far (all lanes). */
  batchStats(topic: string): { sends: number; requests: number } | undefined {
    return this.batchers.stats(topic);
  }

  /** Resolves once no produce request of the topic is queued or in flight. */
  async idle(topic: string): Promise<void> {
    await this.batchers.idle(topic);
  }

  /**
   * One producer send of records (partition already chosen, all of one lane: the lane of the first record's
   * partition sends them): records of one partition get consecutive offsets in the order given. Callers keep
   * one send per lane and topic in flight. Never throws: a failure fails every record (with the REST Proxy's code), and a
   * partition the broker did not acknowledge fails its records.
   */
  async write(topic: string, records: readonly PlacedRecord[]): Promise<RecordResult[]> {
    if (records.length === 0) return [];
    const lane = records[0]!.partition % this.lanes;
    if (this.wire) return this.wire.write(topic, lane, records);
    try {
      const producer = await this.getProducer(lane);
      const messages = new Array<Message>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        messages[i] = { partition: r.partition, key: r.key, value: r.value, timestamp: String(r.timestamp), headers: r.headers.length === 0 ? undefined : kafkajsHeaders(r.headers) };
      }
      const meta = await producer.send({ topic, acks: -1, messages });
      const base = new Map<number, bigint>();
      for (const m of meta) if (m.topicName === topic && m.errorCode === 0 && m.baseOffset !== undefined) base.set(m.partition, BigInt(m.baseOffset));
      const next = new Map<number, bigint>();
      const out = new Array<RecordResult>(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        let offset = next.get(r.partition);
        if (offset === undefined) offset = base.get(r.partition);
        if (offset === undefined || offset < 0n) {
          out[i] = { partition: r.partition, offset: null, timestamp: r.timestamp, error: new RestError(CODES.KAFKA_ERROR, `Kafka did not acknowledge partition ${r.partition} of topic ${topic}`) };
          continue;
        }
        next.set(r.partition, offset + 1n);
        out[i] = { partition: r.partition, offset, timestamp: r.timestamp };
      }
      return out;
    } catch (err) {
      const error = err instanceof RestError ? err : kafkaFailure(err);
      return records.map((r) => ({ partition: r.partition, offset: null, timestamp: r.timestamp, error }));
    }
  }

  async close(): Promise<void> {
    await this.batchers.idleAll();
    const ps = this.producers.splice(0);
    const a = this.admin;
    this.admin = undefined;
    await Promise.allSettled([...ps.map((p) => p?.then((x) => x.disconnect())), a?.then((x) => x.disconnect())]);
    this.wire?.close();
  }
}

/** Splits the results of a merged send back into one array per request (same order, same lengths). */
export function splitResults(requests: readonly (readonly PlacedRecord[])[], results: readonly RecordResult[]): RecordResult[][] {
  if (requests.length === 1) return [results as RecordResult[]];
  const out: RecordResult[][] = [];
  let at = 0;
  for (const req of requests) {
    out.push(results.slice(at, at + req.length));
    at += req.length;
  }
  return out;
}

/** kafkajs takes headers as an object (repeated names as arrays, in order of first appearance). */
function kafkajsHeaders(headers: PlacedRecord['headers']): Record<string, Buffer | Buffer[]> | undefined {
  if (headers.length === 0) return undefined;
  const out: Record<string, Buffer | Buffer[]> = {};
  for (const h of headers) {
    const v = h.value ?? Buffer.alloc(0);
    const prev = out[h.key];
    if (prev === undefined) out[h.key] = v;
    else out[h.key] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
