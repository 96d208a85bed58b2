// The consumer users get: one PartitionConsumer per partition of a partitioned topic (or one for a plain
// topic), their messages merged into one receive() stream. Order is kept per partition.
import { K2pError } from '../../errors.js';
import type { ClientContext } from './context.js';
import type { MessageId } from './message-id.js';
import type { Message } from './message.js';
import { PartitionConsumer, type ConsumerOptions } from './partition-consumer.js';
import type { RawEntry } from './raw-entry.js';
import { parseTopicName, partitionTopic } from './topic-name.js';

export type { ConsumerOptions, SubscriptionType } from './partition-consumer.js';

export class Consumer {
  private readonly byTopic: Map<string, PartitionConsumer>;
  private readonly waiting: { resolve(m: Message): void; reject(e: Error): void; timer?: NodeJS.Timeout }[] = [];
  private readonly merged: Message[] = [];
  private closed = false;
  /** Set when a partition failed for good: receive() rejects with it from then on. */
  private failure: Error | undefined;

  private constructor(
    readonly topic: string,
    readonly subscription: string,
    private readonly parts: PartitionConsumer[],
  ) {
    this.byTopic = new Map(parts.map((p) => [p.topic, p]));
    if (parts.length > 1) {
      // Partitions push into one merged queue; each partition's own queue stays empty.
      for (const p of parts) {
        p.addListener((msg) => this.onMessage(msg));
        p.onFailure((err) => this.onPartitionFailure(err));
      }
    }
  }

  static async create(ctx: ClientContext, options: ConsumerOptions): Promise<Consumer> {
    const partitions = await ctx.lookup.partitions(options.topic);
    const parts =
      partitions === 0
        ? [new PartitionConsumer(ctx, options, parseTopicName(options.topic).partition)]
        : Array.from({ length: partitions }, (_, p) => new PartitionConsumer(ctx, { ...options, topic: partitionTopic(options.topic, p) }, p));
    const started = await Promise.allSettled(parts.map((p) => p.start()));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(parts.map((p) => p.close()));
      throw (failed as PromiseRejectedResult).reason;
    }
    return new Consumer(options.topic, options.subscription, parts);
  }

  get partitions(): readonly PartitionConsumer[] {
    return this.parts;
  }

  /** One partition is gone for good: the merged stream cannot be complete any more, so it says so. */
  private onPartitionFailure(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  private onMessage(msg: Message): void {
    const waiter = this.waiting.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(msg);
    } else {
      this.merged.push(msg);
    }
  }

  /** The next message of any partition; waits up to `timeoutMs` (forever when unset). */
  receive(timeoutMs?: number): Promise<Message> {
    if (this.closed) return Promise.reject(new K2pError('K2P_PLS_CLOSED', `consumer on ${this.topic} is closed`, { topic: this.topic }));
    if (this.parts.length === 1) return this.parts[0]!.receive(timeoutMs);
    const msg = this.merged.shift();
    if (msg) return Promise.resolve(msg);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: (typeof this.waiting)[number] = { resolve, reject };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new K2pError('K2P_PLS_TIMEOUT', `no message on ${this.topic} within ${timeoutMs} ms`, { topic: this.topic }));
        }, timeoutMs);
      }
      this.waiting.push(waiter);
    });
  }

  /** Up to `max` messages: waits for the first (up to `timeoutMs`), then takes what is buffered. */
  async receiveBatch(max: number, timeoutMs: number): Promise<Message[]> {
    let first: Message;
    try {
      first = await this.receive(timeoutMs);
    } catch (err) {
      if (err instanceof K2pError && err.code === 'K2P_PLS_TIMEOUT') return [];
      throw err;
    }
    const out = [first];
    if (this.parts.length === 1) out.push(...this.parts[0]!.drain(max - 1));
    else out.push(...this.merged.splice(0, max - 1));
    return out;
  }

  /**
   * With the option `rawEntries` (a topic of one partition, or one partition of a topic): entries as they
   * came, up to `maxMessages` messages (at least one entry), waiting up to `timeoutMs` for the first — none
   * when none came. Walk each with scanEntry (raw-entry.ts).
   */
  receiveEntries(maxMessages: number, timeoutMs: number): Promise<RawEntry[]> {
    if (this.parts.length !== 1)
      return Promise.reject(new Error(`receiveEntries reads one partition; ${this.topic} has ${this.parts.length}`)); // a caller's mistake
    return this.parts[0]!.receiveEntries(maxMessages, timeoutMs);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    while (!this.closed) yield await this.receive();
  }

  private partFor(msg: Message | MessageId): PartitionConsumer {
    if ('topic' in msg) {
      const p = this.byTopic.get(msg.topic);
      if (p) return p;
    }
    const partition = 'id' in msg ? msg.id.partition : msg.partition;
    const p = this.parts.length === 1 ? this.parts[0] : this.parts[partition];
    if (!p) throw new K2pError('K2P_PLS_TOPIC_NAME', `no partition ${partition} in ${this.topic}`, { topic: this.topic });
    return p;
  }

  acknowledge(msg: Message | MessageId): void {
    this.partFor(msg).acknowledge(msg);
  }

  acknowledgeCumulative(msg: Message | MessageId): void {
    this.partFor(msg).acknowledgeCumulative(msg);
  }

  negativeAcknowledge(msg: Message): void {
    this.partFor(msg).negativeAcknowledge(msg);
  }

  redeliverUnacknowledged(): void {
    this.merged.length = 0;
    for (const p of this.parts) p.redeliverUnacknowledged();
  }

  /** Seeks every partition to a publish time, or the partition of a message id to that id. */
  async seek(target: MessageId | number): Promise<void> {
    this.merged.length = 0;
    if (typeof target === 'number') await Promise.all(this.parts.map((p) => p.seek(target)));
    else await this.partFor(target).seek(target);
  }

  async getLastMessageIds(): Promise<MessageId[]> {
    return Promise.all(this.parts.map(async (p) => (await p.getLastMessageId()).last));
  }

  async unsubscribe(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.unsubscribe()));
    this.closed = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new K2pError('K2P_PLS_CLOSED', `consumer on ${this.topic} is closed`, { topic: this.topic }));
    }
    await Promise.all(this.parts.map((p) => p.close()));
  }
}
