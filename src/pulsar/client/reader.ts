// A reader: a non-durable subscription on one topic (or partition) that starts at a message id.
// Nothing is kept on the broker after it closes.
import { randomUUID } from 'node:crypto';
import type { ClientContext } from './context.js';
import { MessageId } from './message-id.js';
import type { Message } from './message.js';
import { PartitionConsumer } from './partition-consumer.js';
import { parseTopicName } from './topic-name.js';
import { K2pError } from '../../errors.js';

export interface ReaderOptions {
  /** A non-partitioned topic or one partition (`...-partition-N`). */
  topic: string;
  /** MessageId.earliest, MessageId.latest, or an id. */
  startMessageId: MessageId;
  /** Also deliver the message at startMessageId (default: start after it). */
  startMessageIdInclusive?: boolean;
  receiverQueueSize?: number;
  readCompacted?: boolean;
  subscriptionName?: string;
}

export class Reader {
  private constructor(private readonly consumer: PartitionConsumer) {}

  static async create(ctx: ClientContext, options: ReaderOptions): Promise<Reader> {
    const partitions = await ctx.lookup.partitions(options.topic);
    if (partitions > 0) {
      throw new K2pError('K2P_PLS_TOPIC_NAME', `${options.topic} has ${partitions} partitions: open a reader per partition (${options.topic}-partition-N)`, { topic: options.topic });
    }
    const consumer = new PartitionConsumer(
      ctx,
      {
        topic: options.topic,
        subscription: options.subscriptionName ?? `reader-${randomUUID().slice(0, 10)}`,
        subscriptionType: 'Exclusive',
        durable: false,
        startMessageId: options.startMessageId,
        startMessageIdInclusive: options.startMessageIdInclusive ?? false,
        receiverQueueSize: options.receiverQueueSize,
        readCompacted: options.readCompacted,
        initialPosition: options.startMessageId === MessageId.earliest ? 'Earliest' : 'Latest',
      },
      parseTopicName(options.topic).partition,
    );
    await consumer.start();
    return new Reader(consumer);
  }

  readNext(timeoutMs?: number): Promise<Message> {
    return this.consumer.receive(timeoutMs);
  }

  hasMessageAvailable(): Promise<boolean> {
    return this.consumer.hasMessageAvailable();
  }

  seek(target: MessageId | number): Promise<void> {
    return this.consumer.seek(target);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    for (;;) yield await this.consumer.receive();
  }

  close(): Promise<void> {
    return this.consumer.close();
  }
}
