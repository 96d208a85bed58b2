// Writes one Kafka partition into the Pulsar partition with the same index, effectively once:
// - one producer per target partition, named after the source partition, so its deduplication state on the
//   broker survives restarts and moves with the partition between gateway processes;
// - the Kafka offset is the Pulsar sequence id, so a record written again after a crash or a rebalance is
//   recognised by the broker (our client resolves it as a duplicate without sending it);
// - ExclusiveWithFencing: a new owner of the partition fences the previous one's producer out.
import type { PulsarClient } from '../pulsar/client/index.js';
import type { MessageId, OutgoingMessage, Producer } from '../pulsar/client/index.js';

export interface PartitionWriterOptions {
  /** Target Pulsar partition topic, e.g. persistent://t/ns/orders-partition-3, or a non-partitioned topic. */
  topic: string;
  /** Stable producer name for this source partition. */
  producerName: string;
  /** Records in flight to Pulsar before send() waits (bounded memory). */
  maxPending: number;
  chunking: boolean;
  /** Ephemeral targets (non-persistent topics) have no deduplication: plain Shared producer. */
  persistent: boolean;
  /**
   * Default true: ExclusiveWithFencing (the target partition has one writer). False for a topic several
   * source partitions write to (the dead-letter topic): Shared, still named, still deduplicated per name.
   */
  exclusive?: boolean;
  /**
   * Batch compression, default LZ4. NONE for targets that Pulsar compacts: Pulsar 4.0 and 4.1 brokers fail
   * to compact compressed batches (IndexOutOfBoundsException in RawBatchConverter.rebatchMessage, apache/pulsar
   * issue 26290; the official clients' batches too), and the failure repeats at every compaction.
   */
  compression?: 'NONE' | 'LZ4';
}

export interface WriteResult {
  /** Pulsar message id of each record, in order; -1:-1 for a record the broker already had. */
  ids: MessageId[];
  /** How many of them were duplicates dropped by deduplication. */
  duplicates: number;
}

export class PartitionWriter {
  private constructor(private readonly producer: Producer) {}

  static async open(client: PulsarClient, options: PartitionWriterOptions): Promise<PartitionWriter> {
    const producer = await client.createProducer({
      topic: options.topic,
      producerName: options.persistent ? options.producerName : undefined,
      accessMode: options.persistent && options.exclusive !== false ? 'ExclusiveWithFencing' : 'Shared',
      batching: true,
      batchingMaxDelayMs: 5,
      maxPendingMessages: options.maxPending,
      // Never give up on a record: a broker restart is waited out, and deduplication makes resends safe.
      sendTimeoutMs: 0,
      chunking: options.chunking,
      compression: options.compression ?? 'LZ4',
    });
    return new PartitionWriter(producer);
  }

  /** The highest Kafka offset the broker has stored for this partition (-1 when none). */
  get lastStoredOffset(): bigint {
    return this.producer.lastSequenceIds()[0] ?? -1n;
  }

  /** Sends the records of one Kafka batch, in order; resolves once Pulsar has stored all of them. */
  async write(records: readonly OutgoingMessage[]): Promise<WriteResult> {
    const ids = await this.producer.sendBatch(records);
    return { ids, duplicates: ids.filter((id) => id.ledgerId === -1n).length };
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
