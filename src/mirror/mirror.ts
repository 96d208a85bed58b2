// The mirror's run loop: a Kafka consumer group (read_committed, no auto-commit) hands over batches per
// partition; each batch is written to the same Pulsar partition and only then is the Kafka offset committed.
// A crash between the two is safe: the records come again and the broker's deduplication (sequence id =
// Kafka offset) recognises them. Several gateway processes share the partitions through the group.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { K2pError } from '../errors.js';
import { KafkaCluster } from '../kafka/wire/cluster.js';
import { connectionSettings, type ReadonlyKafkaConnector } from '../kafka/wire/from-connector.js';
import { KafkaHeaderReader } from '../kafka/wire/header-reader.js';
import type { MessageId, OutgoingMessage, PulsarClient } from '../pulsar/client/index.js';
import { partitionTopic } from '../pulsar/client/index.js';
import { BytesConverter, type RecordConverter } from './convert.js';
import { deadLetterMessage, deadLetterProducerName } from './dead-letter.js';
import { ambiguousRecords, restoreHeaderOrder } from './header-order.js';
import { PartitionWriter } from './partition-writer.js';
import type { KafkaRecord, RecordMappingOptions } from './record-mapping.js';

export interface MirroredTopic {
  source: string;
  target: string;
  persistent: boolean;
  mapping: RecordMappingOptions;
  /** Turns records into messages; default: bytes as they are (BytesConverter). */
  converter?: RecordConverter;
  /**
   * Dead-letter topic (non-partitioned, deduplicating) for records the converter rejects. Absent: the
   * partition pauses at the first rejected record and status() reports why.
   */
  deadLetter?: string;
  /**
   * The Kafka topic's partition count when known (set by discovery). Discovery treats a changed count as a
   * change of the topic set: the consumer restarts and takes the new partitions.
   */
  partitions?: number;
  /** Pulsar batch compression of the target, default LZ4; NONE for compacted targets (see PartitionWriterOptions). */
  compression?: 'NONE' | 'LZ4';
}

/** One Kafka batch as stored in Pulsar: what an offset index records. */
export interface StoredBatch {
  topic: string;
  partition: number;
  /** The Pulsar partition topic written. */
  target: string;
  /** Kafka offset and Pulsar message id of each record written to the target, in order; ids of records the
   * broker already had (written before a crash) are -1:-1. Dead letters are not listed. */
  readonly records: { offset: bigint; id: MessageId }[];
  /** How many records were written to the target (records.length, without building the list). */
  count?: number;
  /** The Kafka end offset (high watermark) seen with this batch. */
  highWatermark: bigint;
}

/** What the mirror reports as it goes (metrics, progress). All calls are synchronous and cheap. */
export interface MirrorObserver {
  batchStored(batch: StoredBatch, stats: { bytes: number; duplicates: number; deadLetters: number; sendMs: number; nextOffset: bigint }): void;
  partitionPaused?(topic: string, partition: number, error: K2pError): void;
  partitionResumed?(topic: string, partition: number): void;
  error?(event: string, error: Error): void;
}

export interface MirrorOptions {
  kafka: Kafka;
  /**
   * The connector `kafka` was made from. The mirror reads a record again with it (our own fetch client) when
   * kafkajs's header object cannot tell the headers' order (src/mirror/header-order.ts). Absent: such a
   * record fails its batch with K2P_MIRROR_CONFIG, again on every retry — never mirrored out of order.
   */
  kafkaConnector?: ReadonlyKafkaConnector;
  pulsar: PulsarClient;
  topics: MirroredTopic[];
  /** The Kafka consumer group the gateway processes share. */
  groupId: string;
  /** Records in flight to Pulsar per partition before fetching waits. Default 5000. */
  maxPendingPerPartition?: number;
  /** Partitions processed at the same time by this process. Default 8. */
  concurrency?: number;
  /**
   * Finds the topics to mirror now (new ones already provisioned). Called every `discoveryIntervalMs`;
   * when the set changes the consumer is restarted on the new set (writers stay open).
   */
  discover?: () => Promise<MirroredTopic[]>;
  /** Default 5000 ms. */
  discoveryIntervalMs?: number;
  /** Kafka group session timeout: how long a dead gateway keeps its partitions. Default 10 s. */
  sessionTimeoutMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /**
   * Called with each stored batch before its offset is committed (an offset index records it here). A
   * failure is logged and does not stop the mirror: the index is an accelerator, Pulsar holds the truth.
   */
  onStored?: (batch: StoredBatch) => Promise<void>;
  observer?: MirrorObserver;
}

export interface PartitionProgress {
  topic: string;
  partition: number;
  /** Last Kafka offset stored in Pulsar, its commit to Kafka sent (-1 before the first). */
  committedOffset: bigint;
  records: number;
  duplicates: number;
  deadLetters: number;
  bytes: number;
  /** Kafka end offset when last seen (lag = highWatermark - committedOffset - 1). */
  highWatermark: bigint;
  /** First offset this process mirrored on the partition (for backfill progress). */
  startOffset: bigint;
  /** Set while the partition is paused at a record it cannot map. */
  paused?: { offset: string; error: K2pError };
}

/** How long a new Kafka consumer may take to join its group before it is started again. */
const JOIN_TIMEOUT_MS = 45_000;
/**
 * How long stopping the old consumer or starting the new one may take during a topic change before the
 * change goes on without it (logged): discovery must never wait forever on one step.
 */
const TOPIC_CHANGE_STEP_MS = 60_000;

export class Mirror {
  private consumer: Consumer | undefined;
  private readonly writers = new Map<string, Promise<PartitionWriter>>();
  private readonly deadLetterWriters = new Map<string, Promise<PartitionWriter>>();
  private readonly converters = new Map<string, RecordConverter>();
  private readonly progress = new Map<string, PartitionProgress>();
  private readonly byTopic: Map<string, MirroredTopic>;
  private discovery: NodeJS.Timeout | undefined;
  private discovering = false;
  /** Offset commits sent and not yet answered; a clean stop waits for them. */
  private readonly pendingCommits = new Set<Promise<unknown>>();
  private stopped = false;
  /** Opened on the first record whose header order must be read again (most topics never need it). */
  private headerReader: { cluster: KafkaCluster; reader: KafkaHeaderReader } | undefined;

  constructor(private readonly options: MirrorOptions) {
    this.byTopic = new Map(options.topics.map((t) => [t.source, t]));
  }

  /** Joins the group and starts mirroring; returns once the consumer runs. */
  async start(): Promise<void> {
    await this.startConsumer();
    if (this.options.discover) {
      this.discovery = setInterval(() => void this.rediscover(), this.options.discoveryIntervalMs ?? 5000);
    }
  }

  /**
   * Topics added, deleted or grown (more partitions) since the last look: restart the consumer on the new
   * set. A deleted topic is reported (`topic-deleted` with its last progress) and dropped from status();
   * the other topics keep flowing.
   */
  private async rediscover(): Promise<void> {
    if (this.discovering || this.stopped) return;
    this.discovering = true;
    try {
      const now = await this.options.discover!();
      const added = now.filter((t) => !this.byTopic.has(t.source));
      const removed = [...this.byTopic.keys()].filter((name) => !now.some((t) => t.source === name));
      const grown = now.filter((t) => {
        const before = this.byTopic.get(t.source)?.partitions;
        return before !== undefined && t.partitions !== undefined && t.partitions !== before;
      });
      if (added.length === 0 && removed.length === 0 && grown.length === 0) return;
      this.log('topics-changed', {
        added: added.map((t) => t.source),
        removed,
        partitions: grown.map((t) => ({ topic: t.source, from: this.byTopic.get(t.source)!.partitions, to: t.partitions })),
      });
      for (const name of removed) {
        const last = this.status().filter((p) => p.topic === name);
        this.log('topic-deleted', {
          topic: name,
          target: this.byTopic.get(name)!.target,
          partitions: last.map((p) => ({ partition: p.partition, committedOffset: String(p.committedOffset), records: p.records })),
        });
        this.options.observer?.error?.('topic-deleted', new K2pError('K2P_MIRROR_TOPIC_DELETED', `Kafka topic ${name} was deleted; its mirror stopped`, { topic: name }));
        for (const p of last) this.progress.delete(`${name}/${p.partition}`);
      }
      // Lets the batches in flight finish and commit.
      if (this.consumer) await this.within('stop the consumer for the topic change', this.consumer.disconnect());
      this.byTopic.clear();
      for (const t of now) this.byTopic.set(t.source, t);
      // A consumer slow to join is restarted by its join watch; discovery goes on meanwhile.
      if (!this.stopped) await this.within('start the consumer on the new topics', this.startConsumer());
    } catch (err) {
      this.log('discovery-failed', { error: (err as Error).message });
    } finally {
      this.discovering = false;
    }
  }

  private async startConsumer(): Promise<void> {
    const topics = [...this.byTopic.keys()];
    if (topics.length === 0) return; // nothing yet; discovery starts the consumer when topics appear
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: false, // only committed data: aborted transactions never reach Pulsar
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 1024 * 1024,
      // A gateway that dies hands its partitions over within ~10 s rather than Kafka's default 30-45 s.
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1000,
      // An idle fetch is answered after 0.5 s (the Java consumer's fetch.max.wait.ms), not kafkajs's 5 s: stop()
      // and resume() wait for the fetch in flight. Records still come back as soon as the broker has any.
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      joined = true;
      this.log('kafka-group-joined', { assignment: event.payload.memberAssignment });
      void this.onAssignment(event.payload.memberAssignment);
    });
    // A consumer that never gets into its group mirrors nothing and says nothing (seen once after a topic
    // change in a loaded full test run): start it again rather than wait forever.
    const joinWatch = setTimeout(() => {
      if (joined || this.stopped || this.consumer !== consumer) return;
      this.log('kafka-group-join-timeout', { error: `no group join within ${JOIN_TIMEOUT_MS} ms; restarting the consumer` });
      void this.restartConsumer(consumer);
    }, JOIN_TIMEOUT_MS);
    joinWatch.unref();
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => this.onFilteredBatch(consumer, event.payload));
    consumer.on(consumer.events.CRASH, (event) => {
      this.log('kafka-consumer-crash', { error: event.payload.error.message, restart: event.payload.restart });
      // kafkajs gives up on some errors (e.g. "The coordinator is not aware of this member" after a long
      // outage); the mirror must not: rejoin with a new consumer, from the committed offsets.
      if (!event.payload.restart && !this.stopped) void this.restartConsumer(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 8,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const topic = this.byTopic.get(batch.topic);
    if (!topic) return;
    const records: KafkaRecord[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
      timestamp: m.timestamp,
      headers: m.headers ?? {},
    }));
    const ambiguous = ambiguousRecords(records);
    if (ambiguous) await this.keepingAlive(heartbeat, () => restoreHeaderOrder(this.readerOfHeaders(records[ambiguous[0]!]!), records, ambiguous));
    const converted = await this.converterFor(topic).convert(records);

    // Split: messages for the target, dead letters; or, with no dead-letter topic, stop before the first
    // rejected record and pause the partition there.
    const messages: OutgoingMessage[] = [];
    const offsets: string[] = []; // kafkajs's own strings: no allocation per record on the hot path
    const deadLetters: OutgoingMessage[] = [];
    let pauseAt: { record: KafkaRecord; error: K2pError } | undefined;
    for (let i = 0; i < records.length; i++) {
      const c = converted[i]!;
      if (c.ok) {
        messages.push(c.message);
        offsets.push(records[i]!.offset);
      } else if (topic.deadLetter) {
        deadLetters.push(deadLetterMessage(records[i]!, c.error, topic.mapping));
        this.log('dead-letter', { topic: batch.topic, partition: batch.partition, offset: records[i]!.offset, code: c.error.code, reason: c.error.message });
      } else {
        pauseAt = { record: records[i]!, error: c.error };
        break;
      }
    }

    const sendStart = performance.now();
    const [ids] = await this.keepingAlive(heartbeat, () =>
      Promise.all([
        messages.length > 0 ? this.writerFor(topic, batch.partition).then((w) => w.write(messages)).then((r) => r.ids) : Promise.resolve([]),
        deadLetters.length > 0 ? this.deadLetterWriterFor(topic, batch.partition).then((w) => w.write(deadLetters)) : Promise.resolve(),
      ]),
    );
    const sendMs = performance.now() - sendStart;

    const stored: StoredBatch = {
      topic: batch.topic,
      partition: batch.partition,
      target: topic.persistent ? partitionTopic(topic.target, batch.partition) : topic.target,
      count: offsets.length,
      // Built only when someone reads it (the offset index); metrics only need the count.
      get records() {
        return offsets.map((offset, i) => ({ offset: BigInt(offset), id: ids[i]! }));
      },
      highWatermark: BigInt(batch.highWatermark),
    };
    if (this.options.onStored) {
      await this.options.onStored(stored).catch((err: Error) => this.log('on-stored-failed', { topic: batch.topic, partition: batch.partition, error: err.message }));
    }

    // The next offset to read: after the whole batch — including the control records and aborted records
    // that follow its last record (batch.lastOffset()) — or the rejected record the partition pauses at.
    const handled = pauseAt ? records.slice(0, records.indexOf(pauseAt.record)) : records;
    const nextOffset = pauseAt ? BigInt(pauseAt.record.offset) : BigInt(batch.lastOffset()) + 1n;
    const p = this.progressOf(batch.topic, batch.partition, BigInt(records[0]!.offset));
    p.highWatermark = BigInt(batch.highWatermark);
    if (handled.length > 0 || nextOffset > p.committedOffset + 1n) this.commit(batch.topic, batch.partition, nextOffset);
    if (handled.length > 0) resolveOffset(handled[handled.length - 1]!.offset);
    const duplicates = ids.filter((id) => id.ledgerId === -1n).length;
    p.committedOffset = nextOffset - 1n;
    p.records += messages.length - duplicates;
    p.duplicates += duplicates;
    p.deadLetters += deadLetters.length;
    const bytes = handled.reduce((n, r) => n + (r.value?.length ?? 0), 0);
    p.bytes += bytes;
    this.options.observer?.batchStored(stored, { bytes, duplicates, deadLetters: deadLetters.length, sendMs, nextOffset });

    if (pauseAt) {
      const error = new K2pError('K2P_MIRROR_PAUSED', `${batch.topic}[${batch.partition}] paused at offset ${pauseAt.record.offset}: ${pauseAt.error.message}`, {
        topic: batch.topic,
        partition: batch.partition,
        offset: pauseAt.record.offset,
        cause: pauseAt.error.code,
      });
      p.paused = { offset: pauseAt.record.offset, error };
      this.consumer!.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
      this.log('partition-paused', { topic: batch.topic, partition: batch.partition, offset: pauseAt.record.offset, code: pauseAt.error.code, reason: pauseAt.error.message });
      this.options.observer?.partitionPaused?.(batch.topic, batch.partition, error);
      return;
    }
    await heartbeat();
  }

  /**
   * While Pulsar (or the Kafka re-read of headers) is slow or down the batch waits; keep the group session
   * alive meanwhile, or the partition would be taken away and the consumer kicked out of the group.
   */
  private async keepingAlive<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), 1000);
    try {
      return await work();
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** The reader for records whose header order kafkajs lost; needs the Kafka connector (MirrorOptions). */
  private readerOfHeaders(record: KafkaRecord): KafkaHeaderReader {
    if (!this.headerReader) {
      const connector = this.options.kafkaConnector;
      if (!connector)
        throw new K2pError('K2P_MIRROR_CONFIG', `${record.topic}[${record.partition}]@${record.offset}: the order of its headers must be read again from Kafka and the mirror was given no Kafka connector`, {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          expected: 'MirrorOptions.kafkaConnector',
        });
      const cluster = new KafkaCluster(connector.brokers, connectionSettings(connector));
      this.headerReader = { cluster, reader: new KafkaHeaderReader(cluster) };
    }
    return this.headerReader.reader;
  }

  /**
   * Committed only once Pulsar has every record before `nextOffset`. Not awaited: commits go out in order on
   * the coordinator connection, and a lost one only means those records come again after a restart, to be
   * recognised as stored (sequence id = offset) — never a gap.
   */
  private commit(topic: string, partition: number, nextOffset: bigint): void {
    const commit = this.consumer!.commitOffsets([{ topic, partition, offset: nextOffset.toString() }]).catch((err: Error) =>
      this.log('commit-failed', { topic, partition, error: err.message }),
    );
    this.pendingCommits.add(commit);
    void commit.finally(() => this.pendingCommits.delete(commit));
  }

  /**
   * kafkajs does not hand batches of only control records or aborted records to eachBatch (it moves its
   * fetch position past them itself). Commit past them too, or a partition ending in a transaction marker
   * would look one record behind forever — and a group committed at its end could never be cut over.
   * Safe: batches of a partition are processed in order, so every record before them is already stored.
   */
  private onFilteredBatch(consumer: Consumer, payload: { topic: string; partition: number; batchSize: number; lastOffset: string; highWatermark: string }): void {
    if (this.consumer !== consumer || this.stopped || payload.batchSize !== 0) return;
    const p = this.progress.get(`${payload.topic}/${payload.partition}`);
    const nextOffset = BigInt(payload.lastOffset) + 1n;
    if (p?.paused || (p && nextOffset <= p.committedOffset + 1n)) return;
    this.commit(payload.topic, payload.partition, nextOffset);
    const q = p ?? this.progressOf(payload.topic, payload.partition, nextOffset);
    q.committedOffset = nextOffset - 1n;
    q.highWatermark = BigInt(payload.highWatermark);
  }

  /** Resumes a partition paused at a record it could not map (after the cause was fixed). */
  resume(topic: string, partition: number): void {
    const p = this.progress.get(`${topic}/${partition}`);
    if (p) delete p.paused;
    this.options.observer?.partitionResumed?.(topic, partition);
    this.consumer?.resume([{ topic, partitions: [partition] }]);
  }

  private converterFor(topic: MirroredTopic): RecordConverter {
    if (topic.converter) return topic.converter;
    let c = this.converters.get(topic.source);
    if (!c) {
      c = new BytesConverter(topic.mapping);
      this.converters.set(topic.source, c);
    }
    return c;
  }

  private deadLetterWriterFor(topic: MirroredTopic, partition: number): Promise<PartitionWriter> {
    const key = `${topic.source}/${partition}`;
    let writer = this.deadLetterWriters.get(key);
    if (!writer) {
      writer = PartitionWriter.open(this.options.pulsar, {
        topic: topic.deadLetter!,
        producerName: deadLetterProducerName(topic.source, partition),
        maxPending: this.options.maxPendingPerPartition ?? 5000,
        chunking: true,
        persistent: true,
        exclusive: false,
      });
      this.deadLetterWriters.set(key, writer);
      writer.catch(() => this.deadLetterWriters.delete(key));
    }
    return writer;
  }

  /** Waits for `work` at most TOPIC_CHANGE_STEP_MS; past that, logs the step as stalled and returns. */
  private async within(step: string, work: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), TOPIC_CHANGE_STEP_MS);
      timer.unref();
    });
    try {
      if ((await Promise.race([work, stalled])) === 'stalled') {
        this.log('topic-change-step-stalled', { step, error: `${step}: not done within ${TOPIC_CHANGE_STEP_MS} ms; going on` });
        // Whatever it ends with later is logged, never thrown into nowhere.
        work.catch((err: Error) => this.log('topic-change-step-failed', { step, error: err.message }));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async restartConsumer(crashed: Consumer): Promise<void> {
    if (this.consumer !== crashed) return;
    await crashed.disconnect().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    if (this.stopped || this.consumer !== crashed) return;
    this.log('kafka-consumer-restart', {});
    await this.startConsumer().catch((err: Error) => {
      this.log('kafka-consumer-restart-failed', { error: err.message });
      setTimeout(() => void this.restartConsumer(this.consumer!), 5000);
    });
  }

  private writerFor(topic: MirroredTopic, partition: number): Promise<PartitionWriter> {
    const key = `${topic.source}/${partition}`;
    let writer = this.writers.get(key);
    if (!writer) {
      writer = PartitionWriter.open(this.options.pulsar, {
        topic: topic.persistent ? partitionTopic(topic.target, partition) : topic.target,
        producerName: `k2p-mirror-${topic.source}-${partition}`,
        maxPending: this.options.maxPendingPerPartition ?? 5000,
        chunking: true,
        persistent: topic.persistent,
        compression: topic.compression,
      });
      this.writers.set(key, writer);
      writer.then(
        (w) => this.log('writer-open', { topic: topic.source, partition, lastStoredOffset: String(w.lastStoredOffset) }),
        () => this.writers.delete(key), // the next batch tries again
      );
    }
    return writer;
  }

  /** Partitions moved to another process: close their producers (the new owner fences them anyway). */
  private async onAssignment(assignment: Record<string, number[]>): Promise<void> {
    const kept = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}/${p}`)));
    for (const [key, writer] of [...this.writers, ...this.deadLetterWriters]) {
      if (kept.has(key)) continue;
      this.writers.delete(key);
      this.deadLetterWriters.delete(key);
      void writer.then((w) => w.close()).catch(() => undefined);
      this.log('partition-released', { partition: key });
    }
  }

  private progressOf(topic: string, partition: number, firstOffset: bigint): PartitionProgress {
    const key = `${topic}/${partition}`;
    let p = this.progress.get(key);
    if (!p) {
      p = { topic, partition, committedOffset: -1n, records: 0, duplicates: 0, deadLetters: 0, bytes: 0, highWatermark: -1n, startOffset: firstOffset };
      this.progress.set(key, p);
    }
    return p;
  }

  /** Progress per partition handled by this process. */
  status(): PartitionProgress[] {
    return [...this.progress.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /** Stops fetching, lets the batches in flight finish (written and committed), closes the producers. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.discovery);
    while (this.discovering) await new Promise((r) => setTimeout(r, 50));
    await this.consumer?.stop(); // no new batches; the ones in flight finish
    await Promise.allSettled([...this.pendingCommits]);
    await this.consumer?.disconnect();
    const writers = [...this.writers.values(), ...this.deadLetterWriters.values()];
    this.writers.clear();
    this.deadLetterWriters.clear();
    await Promise.allSettled(writers.map(async (w) => (await w).close()));
    this.headerReader?.cluster.close();
    this.headerReader = undefined;
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.options.log?.(event, fields);
    if (typeof fields.error === 'string') this.options.observer?.error?.(event, Object.assign(new Error(fields.error), { code: fields.code }));
  }
}
