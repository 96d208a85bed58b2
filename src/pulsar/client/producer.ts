// The producer users get: one PartitionProducer per partition of a partitioned topic (or one for a plain
// topic), messages routed by explicit partition, key hash or round robin.
import { K2pError } from '../../errors.js';
import type { ClientContext } from './context.js';
import type { MessageId } from './message-id.js';
import type { OutgoingMessage } from './message.js';
import { PartitionProducer, withProducerDefaults, type ProducerOptions } from './partition-producer.js';
import { PartitionRouter } from './router.js';
import { partitionTopic } from './topic-name.js';

export type { ProducerOptions } from './partition-producer.js';

export interface ProducerRoutingOptions {
  /** Key hashing for partitioned topics; JavaStringHash is the Java client's default. */
  hashingScheme?: 'JavaStringHash' | 'Murmur3_32Hash';
}

export class Producer {
  private constructor(
    readonly topic: string,
    private readonly parts: PartitionProducer[],
    private readonly router: PartitionRouter | undefined,
  ) {}

  static async create(ctx: ClientContext, options: ProducerOptions & ProducerRoutingOptions): Promise<Producer> {
    const partitions = await ctx.lookup.partitions(options.topic);
    if (partitions === 0) {
      const single = new PartitionProducer(ctx, options);
      await single.start();
      return new Producer(options.topic, [single], undefined);
    }
    // Each partition gets its own producer name (suffix -N) when a name is given, so deduplication state
    // is kept per partition, as the Java client does.
    const parts = Array.from(
      { length: partitions },
      (_, p) =>
        new PartitionProducer(
          ctx,
          {
            ...options,
            topic: partitionTopic(options.topic, p),
            producerName: options.producerName === undefined ? undefined : `${options.producerName}-${p}`,
          },
          p,
        ),
    );
    const started = await Promise.allSettled(parts.map((p) => p.start()));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(parts.map((p) => p.close()));
      throw (failed as PromiseRejectedResult).reason;
    }
    const resolved = withProducerDefaults(options);
    const switchMs = resolved.batching ? Math.max(1, resolved.batchingMaxDelayMs) : 0;
    return new Producer(options.topic, parts, new PartitionRouter(partitions, options.hashingScheme, switchMs));
  }

  get partitions(): number {
    return this.router ? this.parts.length : 0;
  }

  /** The producer of one partition (index 0 for a non-partitioned topic). */
  partition(index: number): PartitionProducer {
    const p = this.parts[index];
    if (!p) throw new K2pError('K2P_PLS_TOPIC_NAME', `${this.topic} has no partition ${index}`, { topic: this.topic, partitions: this.parts.length });
    return p;
  }

  /** Sends one message; resolves once the broker has stored it. */
  send(msg: OutgoingMessage): Promise<MessageId> {
    if (!this.router) {
      if (msg.partition !== undefined && msg.partition !== 0 && msg.partition !== -1) {
        return Promise.reject(new K2pError('K2P_PLS_TOPIC_NAME', `${this.topic} is not partitioned; partition ${msg.partition} asked`, { topic: this.topic }));
      }
      return this.parts[0]!.send(msg);
    }
    try {
      return this.partition(this.router.choose(msg)).send(msg);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Sends messages in order (per partition) and resolves with their ids in the same order. */
  sendBatch(messages: readonly OutgoingMessage[]): Promise<MessageId[]> {
    return Promise.all(messages.map((m) => this.send(m)));
  }

  async flush(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.flush()));
  }

  /** Highest acknowledged sequence id per partition (index 0 for a non-partitioned topic). */
  lastSequenceIds(): bigint[] {
    return this.parts.map((p) => p.lastSequenceId);
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.close()));
  }
}
