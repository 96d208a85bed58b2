// Producer lifecycle and publishing: create, send, receipts, close.
import { bool, bytes, defineMessage, enm, i32, i64, msg, str, u64, rep, req } from '../codec.js';
import {
  ProducerAccessModeEnum,
  ServerErrorEnum,
  type ProducerAccessMode,
  type ServerError,
} from '../enums.js';
import {
  KeyValueSpec,
  MessageIdDataSpec,
  SchemaSpec,
  type KeyValue,
  type MessageIdData,
  type Schema,
} from '../messages.js';

export interface CommandProducer {
  topic: string;
  producerId: bigint;
  requestId: bigint;
  producerName?: string;
  encrypted?: boolean;
  metadata?: KeyValue[];
  schema?: Schema;
  /** Incremented on each reconnect of the same producer. */
  epoch?: bigint;
  /** Default true on the broker side; false when the name was generated. */
  userProvidedProducerName?: boolean;
  producerAccessMode?: ProducerAccessMode;
  topicEpoch?: bigint;
  txnEnabled?: boolean;
  initialSubscriptionName?: string;
}
export const CommandProducerSpec = defineMessage<CommandProducer>('CommandProducer', {
  topic: str(1, req),
  producerId: u64(2, req),
  requestId: u64(3, req),
  producerName: str(4),
  encrypted: bool(5),
  metadata: msg(6, () => KeyValueSpec, rep),
  schema: msg(7, () => SchemaSpec),
  epoch: u64(8),
  userProvidedProducerName: bool(9, { default: true }),
  producerAccessMode: enm(10, ProducerAccessModeEnum),
  topicEpoch: u64(11),
  txnEnabled: bool(12),
  initialSubscriptionName: str(13),
});

export interface CommandProducerSuccess {
  requestId: bigint;
  producerName: string;
  /** Highest sequence id the broker stored for this producer name; -1 when none (or dedup is off). */
  lastSequenceId?: bigint;
  schemaVersion?: Uint8Array;
  topicEpoch?: bigint;
  /** Default true; false means "wait for a second PRODUCER_SUCCESS" (WaitForExclusive). */
  producerReady?: boolean;
}
export const CommandProducerSuccessSpec = defineMessage<CommandProducerSuccess>('CommandProducerSuccess', {
  requestId: u64(1, req),
  producerName: str(2, req),
  lastSequenceId: i64(3, { default: -1n }),
  schemaVersion: bytes(4),
  topicEpoch: u64(5),
  producerReady: bool(6, { default: true }),
});

export interface CommandSend {
  producerId: bigint;
  sequenceId: bigint;
  /** Default 1; the number of messages in the batch otherwise. */
  numMessages?: number;
  txnidLeastBits?: bigint;
  txnidMostBits?: bigint;
  /** For batches: the last sequence id inside the batch. */
  highestSequenceId?: bigint;
  isChunk?: boolean;
  marker?: boolean;
  messageId?: MessageIdData;
}
export const CommandSendSpec = defineMessage<CommandSend>('CommandSend', {
  producerId: u64(1, req),
  sequenceId: u64(2, req),
  numMessages: i32(3, { default: 1 }),
  txnidLeastBits: u64(4),
  txnidMostBits: u64(5),
  highestSequenceId: u64(6),
  isChunk: bool(7),
  marker: bool(8),
  messageId: msg(9, () => MessageIdDataSpec),
});

export interface CommandSendReceipt {
  producerId: bigint;
  sequenceId: bigint;
  /** ledgerId = entryId = 2^64-1 (i.e. -1) when the broker dropped a duplicate. */
  messageId?: MessageIdData;
  highestSequenceId?: bigint;
}
export const CommandSendReceiptSpec = defineMessage<CommandSendReceipt>('CommandSendReceipt', {
  producerId: u64(1, req),
  sequenceId: u64(2, req),
  messageId: msg(3, () => MessageIdDataSpec),
  highestSequenceId: u64(4),
});

export interface CommandSendError {
  producerId: bigint;
  sequenceId: bigint;
  error: ServerError;
  message: string;
}
export const CommandSendErrorSpec = defineMessage<CommandSendError>('CommandSendError', {
  producerId: u64(1, req),
  sequenceId: u64(2, req),
  error: enm(3, ServerErrorEnum, { required: true, unknownEnum: 'UnknownError' }),
  message: str(4, req),
});

export interface CommandCloseProducer {
  producerId: bigint;
  requestId: bigint;
  /** Set by the broker when the topic was unloaded to a known new owner. */
  assignedBrokerServiceUrl?: string;
  assignedBrokerServiceUrlTls?: string;
}
export const CommandCloseProducerSpec = defineMessage<CommandCloseProducer>('CommandCloseProducer', {
  producerId: u64(1, req),
  requestId: u64(2, req),
  assignedBrokerServiceUrl: str(3),
  assignedBrokerServiceUrlTls: str(4),
});
