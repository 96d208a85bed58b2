// The route-kafka half of a consumer instance: a kafkajs consumer held by this gateway process (as the
// Confluent proxy holds its KafkaConsumer). Fetched records wait in per-partition buffers until a records
// request takes them; a partition whose buffer is full is paused. Subscription: a member of the instance's
// consumer group. Manual assignment: kafkajs cannot assign, so a private group with an assigner that hands
// this member exactly the assigned partitions; its start positions are set by the instance (committed
// offsets of the real group, else the reset policy) and its commits go to the real group.
import { AssignerProtocol, type Consumer, type EachBatchPayload, type Kafka, type PartitionAssigner } from 'kafkajs';
import type { KafkaHeader } from '../../mirror/record-mapping.js';
import type { ConsumedRecord, TopicPartition } from './types.js';
import { parseTpKey, tpKey } from './types.js';

const BUFFER_PAUSE = 2_000;

export interface KafkaPartOptions {
  kafka: Kafka;
  group: string;
  instance: string;
  topics: string[];
  /** Manual assignment (a private group); else a member of `group` subscribed to `topics`. */
  assignment?: TopicPartition[];
  fromBeginning: boolean;
  /** After each join: where each newly assigned partition starts (undefined = where kafkajs starts). */
  startAt: (assigned: TopicPartition[]) => Promise<Map<string, bigint>>;
}

function manualAssigner(assignment: TopicPartition[]): PartitionAssigner {
  const byTopic: Record<string, number[]> = {};
  for (const tp of assignment) (byTopic[tp.topic] ??= []).push(tp.partition);
  return () => ({
    name: 'K2pManualAssignment',
    version: 0,
    async assign({ members }) {
      return members.map((m, i) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: i === 0 ? byTopic : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'K2pManualAssignment', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

function headersOf(h: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): KafkaHeader[] {
  const out: KafkaHeader[] = [];
  for (const [key, v] of Object.entries(h ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) out.push({ key, value: one === undefined ? null : Buffer.isBuffer(one) ? one : Buffer.from(one) });
  }
  return out;
}

export class KafkaPart {
  private readonly buffers = new Map<string, ConsumedRecord[]>();
  private readonly paused = new Set<string>();
  private assigned: TopicPartition[] = [];
  private wake: (() => void)[] = [];
  private joins = 0;
  private joinWaiters: (() => void)[] = [];
  private closed = false;
  private crashed: Error | undefined;

  private constructor(
    readonly options: KafkaPartOptions,
    private readonly consumer: Consumer,
  ) {}

  get topics(): string[] {
    return this.options.topics;
  }

  get manual(): boolean {
    return this.options.assignment !== undefined;
  }

  static async start(options: KafkaPartOptions): Promise<KafkaPart> {
    const groupId = options.assignment ? `k2p-facade-assign.${options.group}.${options.instance}` : options.group;
    const consumer = options.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 200,
      sessionTimeout: 30_000,
      rebalanceTimeout: 30_000,
      ...(options.assignment ? { partitionAssigners: [manualAssigner(options.assignment)] } : {}),
    });
    const part = new KafkaPart(options, consumer);
    consumer.on(consumer.events.GROUP_JOIN, (e) => void part.onJoin(e.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (e) => {
      part.crashed = e.payload.error;
      part.notify();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: (p) => part.onBatch(p) });
    return part;
  }

  private async onJoin(assignment: Record<string, number[]>): Promise<void> {
    this.assigned = Object.entries(assignment).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
    // kafkajs restarts every partition at the committed offset after a join: what was buffered is stale.
    this.buffers.clear();
    this.paused.clear();
    try {
      const starts = await this.options.startAt(this.assigned);
      for (const [k, offset] of starts) {
        const tp = this.assigned.find((a) => tpKey(a.topic, a.partition) === k);
        if (tp) this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: offset.toString() });
      }
    } catch (err) {
      this.crashed = err as Error;
    }
    this.joins++;
    for (const w of this.joinWaiters.splice(0)) w();
    this.notify();
  }

  private async onBatch({ batch, isStale, pause }: EachBatchPayload): Promise<void> {
    // A batch fetched before a seek is stale: the seek's position is fetched next.
    if (this.closed || isStale() || batch.messages.length === 0) return;
    const k = tpKey(batch.topic, batch.partition);
    const buf = this.buffers.get(k) ?? [];
    this.buffers.set(k, buf);
    for (const m of batch.messages) {
      buf.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: BigInt(m.offset),
        key: m.key ?? null,
        value: m.value ?? null,
        headers: headersOf(m.headers as Record<string, Buffer | string | (Buffer | string)[] | undefined>),
        timestamp: Number(m.timestamp),
      });
    }
    if (buf.length >= BUFFER_PAUSE) {
      pause();
      this.paused.add(k);
    }
    this.notify();
  }

  private notify(): void {
    for (const w of this.wake.splice(0)) w();
  }

  /** Resolves after the first join (or `ms`). */
  async joined(ms: number): Promise<boolean> {
    if (this.joins > 0) return true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.joinWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
    return this.joins > 0;
  }

  assignment(): TopicPartition[] {
    return [...this.assigned];
  }

  isAssigned(topic: string, partition: number): boolean {
    return this.assigned.some((a) => a.topic === topic && a.partition === partition);
  }

  failure(): Error | undefined {
    return this.crashed;
  }

  buffered(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.length;
    return n;
  }

  /** Waits until something is buffered or `ms` passed. */
  wait(ms: number): Promise<void> {
    if (this.buffered() > 0 || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Takes buffered records up to `maxBytes` (`size` measures one), in offset order per partition. */
  take(maxBytes: number, size: (r: ConsumedRecord) => number, already: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    let bytes = already;
    for (const [k, buf] of this.buffers) {
      while (buf.length > 0) {
        const s = size(buf[0]!);
        if (bytes + s > maxBytes && (out.length > 0 || already > 0)) break;
        bytes += s;
        out.push(buf.shift()!);
      }
      if (buf.length < BUFFER_PAUSE / 2 && this.paused.delete(k)) {
        const tp = parseTpKey(k);
        this.consumer.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
      }
      if (bytes >= maxBytes) break;
    }
    return out;
  }

  /** Moves a partition's fetch position; what was buffered for it is dropped. */
  seek(topic: string, partition: number, offset: bigint): void {
    this.buffers.delete(tpKey(topic, partition));
    this.consumer.seek({ topic, partition, offset: offset.toString() });
  }

  /** Commits next offsets to the instance's group (subscription mode; manual mode commits through admin). */
  async commit(offsets: { topic: string; partition: number; offset: bigint }[]): Promise<void> {
    await this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    await this.consumer.disconnect().catch(() => undefined);
  }
}
