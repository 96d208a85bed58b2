// Route kafka: a plain proxy to the Kafka cluster through kafkajs (producer, admin metadata and offsets).
import type { Admin, Kafka, Producer } from 'kafkajs';
import { kafkaErrorType, causeChain } from '../../kafka/errors.js';
import type { PartitionInfo, PartitionOffsets, PlacedRecord, RecordResult } from '../records.js';
import { CODES, RestError } from '../rest-error.js';

const TOPICS_TTL_MS = 5_000;

/** A kafkajs failure as the REST Proxy reports it: retriable (50003) or not (50002). */
export function kafkaFailure(err: unknown): RestError {
  const chain = causeChain(err);
  const why = chain[chain.length - 1]?.message ?? String(err);
  const type = kafkaErrorType(err);
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return new RestError(CODES.TOPIC_NOT_FOUND, why);
  const retriable = chain.some((e) => e.retriable === true) || chain.some((e) => e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSNumberOfRetriesExceeded');
  return new RestError(retriable ? CODES.KAFKA_RETRIABLE : CODES.KAFKA_ERROR, why);
}

export class KafkaSide {
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private topics: { at: number; names: Set<string> } | undefined;
  private readonly counts = new Map<string, number>();

  constructor(readonly kafka: Kafka) {}

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const p = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      this.producer = undefined;
      throw kafkaFailure(err);
    });
    return this.producer;
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

  /** Topic names (internal ones included; callers filter). Cached briefly; a miss re-reads once. */
  async topicNames(fresh = false): Promise<Set<string>> {
    if (!fresh && this.topics && Date.now() - this.topics.at < TOPICS_TTL_MS) return this.topics.names;
    const admin = await this.getAdmin();
    const names = new Set(await admin.listTopics().catch((err: unknown) => Promise.reject(kafkaFailure(err))));
    this.topics = { at: Date.now(), names };
    return names;
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
    this.counts.set(topic, parts.length);
    return parts;
  }

  /** Partition count, undefined for a topic Kafka does not have. */
  async partitions(topic: string): Promise<number | undefined> {
    if (!(await this.exists(topic))) return undefined;
    const known = this.counts.get(topic);
    if (known !== undefined) return known;
    return (await this.metadata(topic))?.length;
  }

  async offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    const admin = await this.getAdmin();
    const all = await admin.fetchTopicOffsets(topic).catch((err: unknown) => Promise.reject(kafkaFailure(err)));
    const p = all.find((o) => o.partition === partition);
    if (!p) throw new RestError(CODES.PARTITION_NOT_FOUND, `Partition ${partition} of topic ${topic} not found.`);
    return { beginning_offset: Number(p.low), end_offset: Number(p.high) };
  }

  /** End offset (next offset to be written) of every partition. */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const admin = await this.getAdmin();
    const all = await admin.fetchTopicOffsets(topic).catch((err: unknown) => Promise.reject(kafkaFailure(err)));
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
   * Writes records (partition already chosen) in one request per call; records of one partition get
   * consecutive offsets in the order given. A failure fails every record of the call.
   */
  async produce(topic: string, records: readonly PlacedRecord[]): Promise<RecordResult[]> {
    const producer = await this.getProducer();
    try {
      const meta = await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({
          partition: r.partition,
          key: r.key,
          value: r.value,
          timestamp: String(r.timestamp),
          headers: kafkajsHeaders(r.headers),
        })),
      });
      const base = new Map(meta.map((m) => [m.partition, BigInt(m.baseOffset ?? '-1')]));
      const seen = new Map<number, bigint>();
      return records.map((r) => {
        const n = seen.get(r.partition) ?? 0n;
        seen.set(r.partition, n + 1n);
        const b = base.get(r.partition);
        return { partition: r.partition, offset: b === undefined || b < 0n ? null : b + n, timestamp: r.timestamp };
      });
    } catch (err) {
      const error = kafkaFailure(err);
      return records.map((r) => ({ partition: r.partition, offset: null, timestamp: r.timestamp, error }));
    }
  }

  async close(): Promise<void> {
    const p = this.producer;
    const a = this.admin;
    this.producer = undefined;
    this.admin = undefined;
    await Promise.allSettled([p?.then((x) => x.disconnect()), a?.then((x) => x.disconnect())]);
  }
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
