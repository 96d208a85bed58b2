// v2 consumer instances on every route (docs/facade.md, "Consumers"). An instance's state — format, reset
// policy, subscription or assignment, fetch positions — is in the instance store, shared by every gateway
// process. A topic on route kafka (or dual: Kafka is the truth) is read through a kafkajs consumer held by
// the process that created the instance; a topic on route pulsar is read by whichever process gets the
// request, from the position in the store. Offsets are Kafka-numbered on both routes (Pulsar sequence id =
// offset), so positions and committed offsets carry over a route flip unchanged.
import { randomUUID } from 'node:crypto';
import { isK2pError } from '../../errors.js';
import { placeSubscription } from '../../offsets/place.js';
import { subscriptionPosition } from '../../offsets/subscription-position.js';
import type { FacadeCore } from '../facade.js';
import type { EmbeddedFormat } from '../http/media-types.js';
import { kafkaFailure } from '../kafka/kafka-side.js';
import { pulsarFailure } from '../pulsar/pulsar-writer.js';
import { CODES, RestError, instanceNotFound } from '../rest-error.js';
import type { CreateRequest } from './create-request.js';
import type { InstanceStore } from './instance-store.js';
import { KafkaPart } from './kafka-part.js';
import { PulsarFeeds, type FeedRequest } from './pulsar-feeds.js';
import { parseTpKey, recordBytes, tpKey, type ConsumedRecord, type InstanceState, type TopicPartition } from './types.js';

export interface ConsumerInstancesOptions {
  /** Idle instances expire after this long (Confluent's consumer.instance.timeout.ms). Default 300,000. */
  instanceTimeoutMs?: number;
  /** The most a records request may wait (ms). Default 30,000. */
  maxRequestTimeoutMs?: number;
}

export interface ReadOptions<T> {
  timeoutMs?: number;
  maxBytes?: number;
  /** Checks the request against the instance's format before anything is read (406 / 40601). */
  accept?: (format: EmbeddedFormat) => void;
  /** Turns the records into the response; a failure here (e.g. 42203) leaves the positions where they were. */
  render: (state: InstanceState, records: ConsumedRecord[]) => Promise<T>;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const illegal = (message: string): RestError => new RestError(CODES.ILLEGAL_STATE, message);

export class ConsumerInstances {
  /** This process's id in `InstanceState.home`. */
  readonly processId = randomUUID();
  readonly timeoutMs: number;
  private readonly maxRequestTimeoutMs: number;
  private readonly parts = new Map<string, KafkaPart>();
  private readonly starting = new Map<string, Promise<KafkaPart>>();
  private readonly lastUsed = new Map<string, number>();
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Per instance: positions committed last by auto-commit (this process), to commit only what moved. */
  private readonly autoCommitted = new Map<string, Map<string, bigint>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly core: FacadeCore,
    readonly store: InstanceStore,
    private readonly feeds: PulsarFeeds,
    options: ConsumerInstancesOptions = {},
  ) {
    this.timeoutMs = options.instanceTimeoutMs ?? 300_000;
    this.maxRequestTimeoutMs = options.maxRequestTimeoutMs ?? 30_000;
    this.sweeper = setInterval(() => void this.sweep(), Math.max(200, Math.min(this.timeoutMs / 4, 10_000)));
    this.sweeper.unref();
  }

  private key(group: string, id: string): string {
    return `${group}\u0000${id}`;
  }

  /** Requests of one instance take turns in this process. */
  private serial<T>(group: string, id: string, fn: () => Promise<T>): Promise<T> {
    const k = this.key(group, id);
    const previous = this.chains.get(k) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.chains.set(k, tail);
    void tail.then(() => {
      if (this.chains.get(k) === tail) this.chains.delete(k);
    });
    return run;
  }

  private async state(group: string, id: string): Promise<InstanceState> {
    const s = await this.store.get(group, id, this.timeoutMs);
    if (!s) {
      await this.closePart(group, id);
      throw instanceNotFound();
    }
    this.lastUsed.set(this.key(group, id), Date.now());
    return s;
  }

  async create(group: string, req: CreateRequest): Promise<InstanceState> {
    const state: InstanceState = {
      group,
      id: req.id,
      format: req.format,
      autoOffsetReset: req.autoOffsetReset,
      autoCommit: req.autoCommit,
      fetchMinBytes: req.fetchMinBytes,
      requestTimeoutMs: req.requestTimeoutMs,
      home: this.processId,
      createdAt: Date.now(),
    };
    if (!(await this.store.create(state, this.timeoutMs))) {
      throw new RestError(CODES.INSTANCE_EXISTS, `Consumer with specified consumer ID ${req.id} already exists in the specified consumer group ${group}.`);
    }
    this.lastUsed.set(this.key(group, req.id), Date.now());
    return state;
  }

  delete(group: string, id: string): Promise<void> {
    return this.serial(group, id, async () => {
      const s = await this.state(group, id);
      if (s.autoCommit) await this.commitPositions(s).catch(() => undefined);
      await this.closePart(group, id);
      await this.feeds.drop(this.key(group, id));
      await this.store.delete(group, id);
      this.autoCommitted.delete(this.key(group, id));
    });
  }

  // ---- subscription and assignment ----

  subscribe(group: string, id: string, sub: { topics: string[] } | { pattern: string }): Promise<void> {
    return this.serial(group, id, async () => {
      const s = await this.state(group, id);
      if (s.assignment) throw illegal('Subscription to topics, partitions and pattern are mutually exclusive');
      s.subscription = sub;
      await this.store.put(s, this.timeoutMs);
      await this.closePart(group, id);
      await this.forgetPositions(s, () => true);
      await this.ensureKafka(s).catch(() => undefined); // start joining now; errors show on records
    });
  }

  async subscription(group: string, id: string): Promise<string[]> {
    const s = await this.state(group, id);
    return this.topicsOf(s);
  }

  unsubscribe(group: string, id: string): Promise<void> {
    return this.serial(group, id, async () => {
      const s = await this.state(group, id);
      delete s.subscription;
      delete s.assignment;
      await this.store.put(s, this.timeoutMs);
      await this.closePart(group, id);
      await this.feeds.drop(this.key(group, id));
      await this.store.leave(group, id);
      await this.forgetPositions(s, () => true);
    });
  }

  assign(group: string, id: string, partitions: TopicPartition[]): Promise<void> {
    return this.serial(group, id, async () => {
      const s = await this.state(group, id);
      if (s.subscription) throw illegal('Subscription to topics, partitions and pattern are mutually exclusive');
      s.assignment = partitions;
      await this.store.put(s, this.timeoutMs);
      await this.closePart(group, id);
      const keep = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
      await this.forgetPositions(s, (k) => !keep.has(k));
      if (partitions.length === 0) delete s.assignment;
      await this.ensureKafka(s).catch(() => undefined);
    });
  }

  /** The current assignment: manual, or what the group gave this instance (both routes). */
  assignments(group: string, id: string): Promise<TopicPartition[]> {
    return this.serial(group, id, async () => {
      const s = await this.state(group, id);
      return this.owned(s, true);
    });
  }

  // ---- records ----

  records<T>(group: string, id: string, options: ReadOptions<T>): Promise<{ state: InstanceState; body: T }> {
    return this.serial(group, id, async () => {
      const s = await this.state(group, id);
      options.accept?.(s.format);
      if (!s.subscription && !s.assignment) throw illegal('Consumer is not subscribed to any topics or assigned any partitions');
      const timeout = Math.min(options.timeoutMs ?? s.requestTimeoutMs, this.maxRequestTimeoutMs);
      const deadline = Date.now() + timeout;
      const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
      if (s.autoCommit) await this.autoCommit(s);
      const { kafkaPart, feeds } = await this.sides(s, true);
      const out: ConsumedRecord[] = [];
      let bytes = 0;
      for (;;) {
        if (kafkaPart) {
          const failure = kafkaPart.failure();
          if (failure) {
            await this.closePart(group, id);
            throw kafkaFailure(failure);
          }
          const taken = kafkaPart.take(maxBytes, recordBytes, bytes);
          for (const r of taken) bytes += recordBytes(r);
          out.push(...taken);
        }
        if (feeds.length > 0 && bytes < maxBytes) {
          const taken = await this.feeds.read(feeds, maxBytes - bytes, 0, 0, out).catch((err: unknown) => Promise.reject(pulsarFailure(err)));
          for (const r of taken) bytes += recordBytes(r);
          out.push(...taken);
        }
        const enough = s.fetchMinBytes <= 1 ? out.length > 0 : bytes >= s.fetchMinBytes;
        const left = deadline - Date.now();
        if (enough || bytes >= maxBytes || left <= 0) break;
        const waits: Promise<void>[] = [];
        if (kafkaPart) waits.push(kafkaPart.wait(left));
        if (feeds.length > 0) waits.push(this.feeds.waitAny(feeds, left));
        if (waits.length === 0) waits.push(new Promise((resolve) => setTimeout(resolve, left)));
        await Promise.race(waits);
      }
      let body: T;
      try {
        body = await options.render(s, out);
      } catch (err) {
        // Not delivered: the next request starts at the same records again.
        await this.rewind(s, out, kafkaPart);
        throw err;
      }
      const moved = new Map<string, bigint>();
      for (const r of out) moved.set(tpKey(r.topic, r.partition), r.offset + 1n);
      await this.store.setPositions(group, id, moved, this.timeoutMs);
      return { state: s, body };
    });
  }

  /** Records taken but not delivered: Kafka seeks back to the first of each partition; Pulsar feeds reopen there. */
  private async rewind(s: InstanceState, records: ConsumedRecord[], part: KafkaPart | undefined): Promise<void> {
    const first = new Map<string, ConsumedRecord>();
    for (const r of records) if (!first.has(tpKey(r.topic, r.partition))) first.set(tpKey(r.topic, r.partition), r);
    for (const r of first.values()) if (part?.topics.includes(r.topic)) part.seek(r.topic, r.partition, r.offset);
    await this.store.setPositions(s.group, s.id, new Map([...first].map(([k, r]) => [k, r.offset])), this.timeoutMs);
  }

  // ---- positions ----

  seek(group: string, id: string, offsets: (TopicPartition & { offset: bigint })[]): Promise<void> {
    return this.serial(group, id, () => this.seekTo(group, id, async () => offsets));
  }

  seekEdge(group: string, id: string, partitions: TopicPartition[], edge: 'beginning' | 'end'): Promise<void> {
    return this.serial(group, id, () =>
      this.seekTo(group, id, () =>
        Promise.all(
          partitions.map(async (p) => {
            const o = await this.core.offsets(p.topic, p.partition);
            return { ...p, offset: BigInt(edge === 'beginning' ? o.beginning_offset : o.end_offset) };
          }),
        ),
      ),
    );
  }

  private async seekTo(group: string, id: string, targets: () => Promise<(TopicPartition & { offset: bigint })[]>): Promise<void> {
    const s = await this.state(group, id);
    const owned = new Set((await this.owned(s, true)).map((o) => tpKey(o.topic, o.partition)));
    const list = await targets();
    for (const o of list) if (!owned.has(tpKey(o.topic, o.partition))) throw illegal(`No current assignment for partition ${o.topic}-${o.partition}`);
    const part = this.parts.get(this.key(group, id));
    for (const o of list) {
      if (o.offset < 0n) throw new RestError(CODES.UNPROCESSABLE, `offset of ${o.topic}-${o.partition} must be ≥ 0`);
      if (this.core.routes.lookup(o.topic).route !== 'pulsar' && part?.topics.includes(o.topic)) part.seek(o.topic, o.partition, o.offset);
    }
    await this.store.setPositions(group, id, new Map(list.map((o) => [tpKey(o.topic, o.partition), o.offset])), this.timeoutMs);
  }

  // ---- offsets ----

  /** Commits next offsets (`offset` + 1 of each given record, as Confluent does); none given: every position. */
  commit(group: string, id: string, offsets?: (TopicPartition & { offset: bigint })[]): Promise<void> {
    return this.serial(group, id, async () => {
      const s = await this.state(group, id);
      if (offsets === undefined) await this.commitPositions(s);
      else await this.commitNext(s, offsets.map((o) => ({ ...o, offset: o.offset + 1n })));
    });
  }

  /** The group's committed offsets (next offset to consume) of the given partitions; unknown ones left out. */
  committed(group: string, id: string, partitions: TopicPartition[]): Promise<(TopicPartition & { offset: bigint })[]> {
    return this.serial(group, id, async () => {
      await this.state(group, id);
      const out: (TopicPartition & { offset: bigint })[] = [];
      for (const p of partitions) {
        const c = await this.committedOne(group, p.topic, p.partition);
        if (c !== undefined) out.push({ ...p, offset: c });
      }
      return out;
    });
  }

  private async commitPositions(s: InstanceState): Promise<void> {
    const positions = await this.store.positions(s.group, s.id);
    const owned = new Set((await this.owned(s, false)).map((o) => tpKey(o.topic, o.partition)));
    await this.commitNext(
      s,
      [...positions].filter(([k]) => owned.has(k)).map(([k, offset]) => ({ ...parseTpKey(k), offset })),
    );
  }

  private async autoCommit(s: InstanceState): Promise<void> {
    const k = this.key(s.group, s.id);
    const done = this.autoCommitted.get(k) ?? new Map<string, bigint>();
    this.autoCommitted.set(k, done);
    const positions = await this.store.positions(s.group, s.id);
    const owned = new Set((await this.owned(s, false)).map((o) => tpKey(o.topic, o.partition)));
    const todo = [...positions].filter(([tp, o]) => owned.has(tp) && done.get(tp) !== o);
    if (todo.length === 0) return;
    await this.commitNext(s, todo.map(([tp, offset]) => ({ ...parseTpKey(tp), offset })));
    for (const [tp, o] of todo) done.set(tp, o);
  }

  private async commitNext(s: InstanceState, offsets: (TopicPartition & { offset: bigint })[]): Promise<void> {
    const part = this.parts.get(this.key(s.group, s.id));
    const kafkaGroup: (TopicPartition & { offset: bigint })[] = [];
    const kafkaAdmin = new Map<string, { partition: number; offset: bigint }[]>();
    for (const o of offsets) {
      if (this.core.routes.lookup(o.topic).route === 'pulsar') {
        await this.commitPulsar(s.group, o.topic, o.partition, o.offset);
      } else if (part && !part.manual && part.topics.includes(o.topic)) {
        kafkaGroup.push(o);
      } else {
        const list = kafkaAdmin.get(o.topic) ?? [];
        list.push(o);
        kafkaAdmin.set(o.topic, list);
      }
    }
    if (kafkaGroup.length > 0) await part!.commit(kafkaGroup).catch((err: unknown) => Promise.reject(kafkaFailure(err)));
    for (const [topic, list] of kafkaAdmin) await this.core.kafka.commitGroup(s.group, topic, list);
  }

  /** Route pulsar: the group's durable subscription is placed before the message of offset `next`. */
  private async commitPulsar(group: string, topic: string, partition: number, next: bigint): Promise<void> {
    const r = this.core.routes.lookup(topic);
    try {
      const physical = await this.core.pulsar.physical(r.pulsarTopic!, partition);
      const { located } = await this.feeds.scanner.locate(physical, [next]);
      // The admin API (no client): this gateway's own consumer may hold the subscription.
      await placeSubscription({ admin: this.core.pulsar.admin }, physical, this.core.routes.subscriptionFor(group), located.get(next)!);
    } catch (err) {
      throw err instanceof RestError ? err : pulsarFailure(err);
    }
  }

  /**
   * A group's committed offset: route pulsar reads the group's durable subscription; where the subscription
   * does not exist (yet) on that partition, the Kafka group's committed offset — same numbering — stands.
   */
  private async committedOne(group: string, topic: string, partition: number): Promise<bigint | undefined> {
    const r = this.core.routes.lookup(topic);
    if (r.route === 'pulsar') {
      try {
        const physical = await this.core.pulsar.physical(r.pulsarTopic!, partition);
        const pos = await subscriptionPosition(this.core.pulsar.client, this.core.pulsar.admin, physical, this.core.routes.subscriptionFor(group));
        if (pos.first) return pos.first.offset;
        if (pos.afterLast) return pos.afterLast.offset + 1n;
        return BigInt((await this.core.offsets(topic, partition)).end_offset);
      } catch (err) {
        if (!isK2pError(err, 'K2P_OFF_UNKNOWN_SUBSCRIPTION')) throw err instanceof RestError ? err : pulsarFailure(err);
      }
    }
    return (await this.core.kafka.committed(group, topic)).get(partition);
  }

  // ---- the two sides ----

  /** Topics of the subscription (a pattern matched against the topics now) or of the assignment. */
  private async topicsOf(s: InstanceState): Promise<string[]> {
    if (s.assignment) return [...new Set(s.assignment.map((a) => a.topic))];
    if (!s.subscription) return [];
    if ('topics' in s.subscription) return [...s.subscription.topics];
    const re = new RegExp(`^(?:${s.subscription.pattern})$`);
    return (await this.core.listTopics()).filter((t) => re.test(t));
  }

  /** Splits the instance's topics by route (waiting for a topic that is switching routes). */
  private async byRoute(s: InstanceState): Promise<{ kafka: string[]; pulsar: string[] }> {
    const topics = await this.topicsOf(s);
    await Promise.all(topics.map((t) => this.core.gates.pass(t).catch(() => undefined)));
    const kafka: string[] = [];
    const pulsar: string[] = [];
    for (const t of topics) (this.core.routes.lookup(t).route === 'pulsar' ? pulsar : kafka).push(t);
    return { kafka, pulsar };
  }

  /**
   * The partitions this instance reads now. Route kafka: what the Kafka group gave its consumer (after the
   * first join, waited for when `wait`). Route pulsar with a subscription: the group's live instances (in the
   * store) share each topic's partitions round robin by sorted instance id.
   */
  private async owned(s: InstanceState, wait: boolean): Promise<TopicPartition[]> {
    const { kafka, pulsar } = await this.byRoute(s);
    const out: TopicPartition[] = [];
    if (s.assignment) return s.assignment.filter((a) => kafka.includes(a.topic) || pulsar.includes(a.topic));
    if (kafka.length > 0) {
      const part = await this.ensureKafka(s);
      if (part) {
        if (wait) await part.joined(10_000);
        out.push(...part.assignment().filter((a) => kafka.includes(a.topic)));
      }
    }
    if (pulsar.length > 0) out.push(...(await this.pulsarOwned(s, pulsar)));
    return out;
  }

  private async pulsarOwned(s: InstanceState, topics: string[]): Promise<TopicPartition[]> {
    if (s.assignment) return s.assignment.filter((a) => topics.includes(a.topic));
    const members = await this.store.heartbeat(s.group, s.id, this.timeoutMs);
    const me = Math.max(0, members.indexOf(s.id));
    const n = Math.max(1, members.length);
    const out: TopicPartition[] = [];
    for (const topic of topics) {
      const count = (await this.core.partitionCount(this.core.routes.lookup(topic))) ?? 0;
      for (let p = 0; p < count; p++) if (p % n === me) out.push({ topic, partition: p });
    }
    return out;
  }

  /** The Kafka consumer of the instance's topics on route kafka/dual (started or restarted as needed). */
  private async ensureKafka(s: InstanceState): Promise<KafkaPart | undefined> {
    const k = this.key(s.group, s.id);
    const { kafka } = await this.byRoute(s);
    const manual = s.assignment?.filter((a) => kafka.includes(a.topic));
    let part = this.parts.get(k);
    const same = (p: KafkaPart) =>
      p.topics.length === kafka.length && kafka.every((t) => p.topics.includes(t)) && JSON.stringify(p.options.assignment ?? null) === JSON.stringify(manual ?? null);
    if (part && (!same(part) || part.failure())) {
      await this.closePart(s.group, s.id);
      part = undefined;
    }
    if (kafka.length === 0 || (manual && manual.length === 0)) return undefined;
    if (part) return part;
    if (s.home !== this.processId) {
      throw new RestError(CODES.INSTANCE_NOT_FOUND, `Consumer instance not found: its topics on route kafka (${kafka.join(', ')}) are read by the gateway process that created it`);
    }
    let starting = this.starting.get(k);
    if (!starting) {
      starting = KafkaPart.start({
        kafka: this.core.kafka.kafka,
        group: s.group,
        instance: s.id,
        topics: kafka,
        assignment: manual,
        fromBeginning: s.autoOffsetReset === 'earliest',
        startAt: (assigned) => this.kafkaStarts(s, assigned),
      }).catch((err: unknown) => Promise.reject(kafkaFailure(err)));
      this.starting.set(k, starting);
    }
    try {
      part = await starting;
    } finally {
      this.starting.delete(k);
    }
    this.parts.set(k, part);
    return part;
  }

  /**
   * Where the Kafka consumer starts on the partitions a join gave it: the instance's own position where it
   * has one (so a restart, a flip back, or a seek before the join keeps it); for a manual assignment the
   * group's committed offset, else the reset policy. Positions of partitions it lost are forgotten.
   */
  private async kafkaStarts(s: InstanceState, assigned: TopicPartition[]): Promise<Map<string, bigint>> {
    const positions = await this.store.positions(s.group, s.id);
    const mine = new Set(assigned.map((a) => tpKey(a.topic, a.partition)));
    const kafkaTopics = new Set(assigned.map((a) => a.topic));
    const lost = new Map<string, null>();
    for (const k of positions.keys()) {
      const { topic } = parseTpKey(k);
      if (kafkaTopics.has(topic) && !mine.has(k)) lost.set(k, null);
    }
    await this.store.setPositions(s.group, s.id, lost, this.timeoutMs);
    const out = new Map<string, bigint>();
    for (const a of assigned) {
      const k = tpKey(a.topic, a.partition);
      const p = positions.get(k);
      if (p !== undefined) out.set(k, p);
      else if (s.assignment) out.set(k, await this.initialPosition(s, a.topic, a.partition));
    }
    return out;
  }

  /** Committed offset of the group, else the reset policy's end of the partition. */
  private async initialPosition(s: InstanceState, topic: string, partition: number): Promise<bigint> {
    const c = await this.committedOne(s.group, topic, partition);
    if (c !== undefined) return c;
    if (s.autoOffsetReset === 'none') throw illegal(`No committed offset for partition ${topic}-${partition} and auto.offset.reset is none`);
    const o = await this.core.offsets(topic, partition);
    return BigInt(s.autoOffsetReset === 'earliest' ? o.beginning_offset : o.end_offset);
  }

  /** Both sides ready for a records request: the Kafka consumer, and the Pulsar feeds at their positions. */
  private async sides(s: InstanceState, forRead: boolean): Promise<{ kafkaPart?: KafkaPart; feeds: Awaited<ReturnType<PulsarFeeds['prepare']>> }> {
    const { pulsar } = await this.byRoute(s);
    const kafkaPart = await this.ensureKafka(s);
    if (!forRead || pulsar.length === 0) {
      await this.feeds.drop(this.key(s.group, s.id));
      return { kafkaPart, feeds: [] };
    }
    const owned = await this.pulsarOwned(s, pulsar);
    const positions = await this.store.positions(s.group, s.id);
    const ownedKeys = new Set(owned.map((o) => tpKey(o.topic, o.partition)));
    const changes = new Map<string, bigint | null>();
    for (const k of positions.keys()) if (pulsar.includes(parseTpKey(k).topic) && !ownedKeys.has(k)) changes.set(k, null);
    const wanted: FeedRequest[] = [];
    for (const o of owned) {
      const k = tpKey(o.topic, o.partition);
      let position = positions.get(k);
      if (position === undefined) {
        position = await this.initialPosition(s, o.topic, o.partition);
        changes.set(k, position);
      }
      const r = this.core.routes.lookup(o.topic);
      const physical = await this.core.pulsar.physical(r.pulsarTopic!, o.partition).catch((err: unknown) => Promise.reject(pulsarFailure(err)));
      wanted.push({ topic: o.topic, partition: o.partition, physical, position });
    }
    await this.store.setPositions(s.group, s.id, changes, this.timeoutMs);
    const feeds = await this.feeds.prepare(this.key(s.group, s.id), wanted).catch((err: unknown) => Promise.reject(pulsarFailure(err)));
    return { kafkaPart, feeds };
  }

  private async forgetPositions(s: InstanceState, which: (tpKey: string) => boolean): Promise<void> {
    const positions = await this.store.positions(s.group, s.id);
    const drop = new Map<string, null>();
    for (const k of positions.keys()) if (which(k)) drop.set(k, null);
    await this.store.setPositions(s.group, s.id, drop, this.timeoutMs);
    this.autoCommitted.delete(this.key(s.group, s.id));
  }

  private async closePart(group: string, id: string): Promise<void> {
    const k = this.key(group, id);
    const part = this.parts.get(k) ?? (await this.starting.get(k)?.catch(() => undefined));
    this.parts.delete(k);
    if (part) await part.close();
  }

  /** Idle instances: their Kafka consumers closed and state deleted; Pulsar feeds closed. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const k of [...this.parts.keys()]) {
      const used = this.lastUsed.get(k) ?? 0;
      const [group, id] = k.split('\u0000') as [string, string];
      if (now - used > this.timeoutMs) {
        await this.closePart(group, id).catch(() => undefined);
        await this.store.delete(group, id).catch(() => undefined);
        this.lastUsed.delete(k);
      }
    }
    await this.feeds.sweep(this.timeoutMs).catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.allSettled([...this.parts.keys()].map((k) => {
      const [group, id] = k.split('\u0000') as [string, string];
      return this.closePart(group, id);
    }));
    await this.feeds.close();
    await this.store.close();
  }
}

export type { EmbeddedFormat };
