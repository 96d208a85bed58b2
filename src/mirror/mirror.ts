// The mirror's run loop: a Kafka consumer group (read_committed, no auto-commit) hands over batches per
// partition; each batch is written to the same Pulsar partition and only then is the Kafka offset committed.
// A crash between the two is safe: the records come again and the broker's deduplication (sequence id =
// Kafka offset) recognises them. Several gateway processes share the partitions through the group.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { OutgoingMessage, PulsarClient } from '../pulsar/client/index.js';
import { partitionTopic } from '../pulsar/client/index.js';
import { PartitionWriter } from './partition-writer.js';
import { toPulsarMessage, type RecordMappingOptions } from './record-mapping.js';

export interface MirroredTopic {
  source: string;
  target: string;
  persistent: boolean;
  mapping: RecordMappingOptions;
}

export interface MirrorOptions {
  kafka: Kafka;
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
}

export interface PartitionProgress {
  topic: string;
  partition: number;
  /** Last Kafka offset stored in Pulsar, its commit to Kafka sent (-1 before the first). */
  committedOffset: bigint;
  records: number;
  duplicates: number;
  bytes: number;
}

export class Mirror {
  private consumer: Consumer | undefined;
  private readonly writers = new Map<string, Promise<PartitionWriter>>();
  private readonly progress = new Map<string, PartitionProgress>();
  private readonly byTopic: Map<string, MirroredTopic>;
  private discovery: NodeJS.Timeout | undefined;
  private discovering = false;
  /** Offset commits sent and not yet answered; a clean stop waits for them. */
  private readonly pendingCommits = new Set<Promise<unknown>>();
  private stopped = false;

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

  /** Topics added or deleted since the last look: restart the consumer on the new set. */
  private async rediscover(): Promise<void> {
    if (this.discovering || this.stopped) return;
    this.discovering = true;
    try {
      const now = await this.options.discover!();
      const added = now.filter((t) => !this.byTopic.has(t.source));
      const removed = [...this.byTopic.keys()].filter((name) => !now.some((t) => t.source === name));
      if (added.length === 0 && removed.length === 0) return;
      this.log('topics-changed', { added: added.map((t) => t.source), removed });
      await this.consumer?.disconnect(); // lets the batches in flight finish and commit
      this.byTopic.clear();
      for (const t of now) this.byTopic.set(t.source, t);
      if (!this.stopped) await this.startConsumer();
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
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => void this.onAssignment(event.payload.memberAssignment));
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
    const writer = await this.writerFor(topic, batch.partition);
    const records: OutgoingMessage[] = batch.messages.map((m) =>
      toPulsarMessage({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp, headers: m.headers ?? {} }, topic.mapping),
    );
    // While Pulsar is slow or down the batch waits here; keep the group session alive meanwhile, or the
    // partition would be taken away and the consumer kicked out of the group.
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), 1000);
    let result;
    try {
      result = await writer.write(records);
    } finally {
      clearInterval(keepAlive);
    }
    const last = batch.messages[batch.messages.length - 1]!;
    // Committed only now that Pulsar has every record of the batch. Not awaited: commits go out in order on
    // the coordinator connection, and a lost one only means those records come again after a restart, to
    // be recognised as stored (sequence id = offset) — never a gap.
    const commit = this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]).catch(
      (err: Error) => this.log('commit-failed', { topic: batch.topic, partition: batch.partition, error: err.message }),
    );
    this.pendingCommits.add(commit);
    void commit.finally(() => this.pendingCommits.delete(commit));
    resolveOffset(last.offset);
    const p = this.progressOf(batch.topic, batch.partition);
    p.committedOffset = BigInt(last.offset);
    p.records += records.length - result.duplicates;
    p.duplicates += result.duplicates;
    p.bytes += batch.messages.reduce((n, m) => n + (m.value?.length ?? 0), 0);
    await heartbeat();
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
    for (const [key, writer] of this.writers) {
      if (kept.has(key)) continue;
      this.writers.delete(key);
      void writer.then((w) => w.close()).catch(() => undefined);
      this.log('partition-released', { partition: key });
    }
  }

  private progressOf(topic: string, partition: number): PartitionProgress {
    const key = `${topic}/${partition}`;
    let p = this.progress.get(key);
    if (!p) {
      p = { topic, partition, committedOffset: -1n, records: 0, duplicates: 0, bytes: 0 };
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
    const writers = [...this.writers.values()];
    this.writers.clear();
    await Promise.allSettled(writers.map(async (w) => (await w).close()));
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.options.log?.(event, fields);
  }
}
