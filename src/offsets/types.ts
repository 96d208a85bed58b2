// The words of offset translation, shared by its modules.
import type { MessageId } from '../pulsar/client/index.js';

/** A message stored in a Pulsar partition, with the Kafka offset it was mirrored from. */
export interface StoredMessage {
  offset: bigint;
  /** Its Pulsar id, batch index and batch size included. */
  id: MessageId;
}

/**
 * Where the records around a Kafka offset N stand in the Pulsar partition. A subscription whose cursor stands
 * right after `previous` (or at the first message when there is none) delivers `next` first: the record with
 * offset N, or the next existing one when N falls in a gap (compaction, transaction markers, aborted records).
 */
export interface Located {
  /** The last stored message with an offset < N; undefined when there is none. */
  previous?: StoredMessage;
  /** The first stored message with an offset >= N, when one is stored now. */
  next?: StoredMessage;
}

/** One Kafka partition of a group and where its Pulsar subscription goes. */
export interface PartitionTranslation {
  topic: string;
  partition: number;
  /** The Pulsar partition topic (…-partition-N). */
  target: string;
  /** The group's committed offset; -1 when it had none. */
  committed: bigint;
  /** The Kafka offset the Pulsar consumer starts at (the committed one, or the one the policy chose). */
  kafkaOffset: bigint;
  /** How kafkaOffset was chosen. */
  from: 'committed' | 'earliest' | 'latest';
  located: Located;
}

/** A position in the text form the state and the CLI print: `after L:E:P:B`, `earliest`. */
export function describePosition(located: Located): string {
  return located.previous ? `after ${located.previous.id.toString()}` : 'earliest';
}
