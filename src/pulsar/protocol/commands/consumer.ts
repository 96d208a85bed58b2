// Consumer lifecycle and delivery: subscribe, flow control, messages, acks, seek, redelivery.
import { bool, defineMessage, enm, i32, i64, msg, str, u32, u64, u64n, rep, req } from '../codec.js';
import {
  AckTypeEnum,
  InitialPositionEnum,
  ServerErrorEnum,
  SubTypeEnum,
  ValidationErrorEnum,
  type AckType,
  type InitialPosition,
  type ServerError,
  type SubType,
  type ValidationError,
} from '../enums.js';
import {
  KeyLongValueSpec,
  KeySharedMetaSpec,
  KeyValueSpec,
  MessageIdDataSpec,
  SchemaSpec,
  type KeyLongValue,
  type KeySharedMeta,
  type KeyValue,
  type MessageIdData,
  type Schema,
} from '../messages.js';

export interface CommandSubscribe {
  topic: string;
  subscription: string;
  subType: SubType;
  consumerId: bigint;
  requestId: bigint;
  consumerName?: string;
  priorityLevel?: number;
  /** Default true; false = non-durable cursor (a reader). */
  durable?: boolean;
  startMessageId?: MessageIdData;
  metadata?: KeyValue[];
  readCompacted?: boolean;
  schema?: Schema;
  /** Default Latest. */
  initialPosition?: InitialPosition;
  replicateSubscriptionState?: boolean;
  /** Default true. */
  forceTopicCreation?: boolean;
  startMessageRollbackDurationSec?: number;
  keySharedMeta?: KeySharedMeta;
  subscriptionProperties?: KeyValue[];
  consumerEpoch?: bigint;
}
export const CommandSubscribeSpec = defineMessage<CommandSubscribe>('CommandSubscribe', {
  topic: str(1, req),
  subscription: str(2, req),
  subType: enm(3, SubTypeEnum, req),
  consumerId: u64(4, req),
  requestId: u64(5, req),
  consumerName: str(6),
  priorityLevel: i32(7),
  durable: bool(8, { default: true }),
  startMessageId: msg(9, () => MessageIdDataSpec),
  metadata: msg(10, () => KeyValueSpec, rep),
  readCompacted: bool(11),
  schema: msg(12, () => SchemaSpec),
  initialPosition: enm(13, InitialPositionEnum),
  replicateSubscriptionState: bool(14),
  forceTopicCreation: bool(15, { default: true }),
  startMessageRollbackDurationSec: u64n(16),
  keySharedMeta: msg(17, () => KeySharedMetaSpec),
  subscriptionProperties: msg(18, () => KeyValueSpec, rep),
  consumerEpoch: u64(19),
});

export interface CommandFlow {
  consumerId: bigint;
  messagePermits: number;
}
export const CommandFlowSpec = defineMessage<CommandFlow>('CommandFlow', {
  consumerId: u64(1, req),
  messagePermits: u32(2, req),
});

export interface CommandMessage {
  consumerId: bigint;
  messageId: MessageIdData;
  redeliveryCount?: number;
  /** Bit i set = batch index i still unacknowledged; skip indexes whose bit is clear. */
  ackSet?: bigint[];
  consumerEpoch?: bigint;
}
export const CommandMessageSpec = defineMessage<CommandMessage>('CommandMessage', {
  consumerId: u64(1, req),
  messageId: msg(2, () => MessageIdDataSpec, req),
  redeliveryCount: u32(3),
  ackSet: i64(4, rep),
  consumerEpoch: u64(5),
});

export interface CommandAck {
  consumerId: bigint;
  ackType: AckType;
  messageId?: MessageIdData[];
  validationError?: ValidationError;
  properties?: KeyLongValue[];
  txnidLeastBits?: bigint;
  txnidMostBits?: bigint;
  /** Set to get an ACK_RESPONSE back (ack receipts, protocol v17+). */
  requestId?: bigint;
}
export const CommandAckSpec = defineMessage<CommandAck>('CommandAck', {
  consumerId: u64(1, req),
  ackType: enm(2, AckTypeEnum, req),
  messageId: msg(3, () => MessageIdDataSpec, rep),
  validationError: enm(4, ValidationErrorEnum),
  properties: msg(5, () => KeyLongValueSpec, rep),
  txnidLeastBits: u64(6),
  txnidMostBits: u64(7),
  requestId: u64(8),
});

export interface CommandAckResponse {
  consumerId: bigint;
  txnidLeastBits?: bigint;
  txnidMostBits?: bigint;
  error?: ServerError;
  message?: string;
  requestId?: bigint;
}
export const CommandAckResponseSpec = defineMessage<CommandAckResponse>('CommandAckResponse', {
  consumerId: u64(1, req),
  txnidLeastBits: u64(2),
  txnidMostBits: u64(3),
  error: enm(4, ServerErrorEnum, { unknownEnum: 'UnknownError' }),
  message: str(5),
  requestId: u64(6),
});

export interface CommandUnsubscribe {
  consumerId: bigint;
  requestId: bigint;
  force?: boolean;
}
export const CommandUnsubscribeSpec = defineMessage<CommandUnsubscribe>('CommandUnsubscribe', {
  consumerId: u64(1, req),
  requestId: u64(2, req),
  force: bool(3),
});

export interface CommandRedeliverUnacknowledgedMessages {
  consumerId: bigint;
  messageIds?: MessageIdData[];
  consumerEpoch?: bigint;
}
export const CommandRedeliverUnacknowledgedMessagesSpec =
  defineMessage<CommandRedeliverUnacknowledgedMessages>('CommandRedeliverUnacknowledgedMessages', {
    consumerId: u64(1, req),
    messageIds: msg(2, () => MessageIdDataSpec, rep),
    consumerEpoch: u64(3),
  });

export interface CommandSeek {
  consumerId: bigint;
  requestId: bigint;
  messageId?: MessageIdData;
  /** Milliseconds since the epoch. */
  messagePublishTime?: number;
}
export const CommandSeekSpec = defineMessage<CommandSeek>('CommandSeek', {
  consumerId: u64(1, req),
  requestId: u64(2, req),
  messageId: msg(3, () => MessageIdDataSpec),
  messagePublishTime: u64n(4),
});

export interface CommandGetLastMessageId {
  consumerId: bigint;
  requestId: bigint;
}
export const CommandGetLastMessageIdSpec = defineMessage<CommandGetLastMessageId>('CommandGetLastMessageId', {
  consumerId: u64(1, req),
  requestId: u64(2, req),
});

export interface CommandGetLastMessageIdResponse {
  lastMessageId: MessageIdData;
  requestId: bigint;
  consumerMarkDeletePosition?: MessageIdData;
}
export const CommandGetLastMessageIdResponseSpec = defineMessage<CommandGetLastMessageIdResponse>(
  'CommandGetLastMessageIdResponse',
  {
    lastMessageId: msg(1, () => MessageIdDataSpec, req),
    requestId: u64(2, req),
    consumerMarkDeletePosition: msg(3, () => MessageIdDataSpec),
  },
);

export interface CommandActiveConsumerChange {
  consumerId: bigint;
  isActive?: boolean;
}
export const CommandActiveConsumerChangeSpec = defineMessage<CommandActiveConsumerChange>(
  'CommandActiveConsumerChange',
  { consumerId: u64(1, req), isActive: bool(2) },
);

export interface CommandReachedEndOfTopic {
  consumerId: bigint;
}
export const CommandReachedEndOfTopicSpec = defineMessage<CommandReachedEndOfTopic>(
  'CommandReachedEndOfTopic',
  {
    consumerId: u64(1, req),
  },
);

export interface CommandCloseConsumer {
  consumerId: bigint;
  requestId: bigint;
  assignedBrokerServiceUrl?: string;
  assignedBrokerServiceUrlTls?: string;
}
export const CommandCloseConsumerSpec = defineMessage<CommandCloseConsumer>('CommandCloseConsumer', {
  consumerId: u64(1, req),
  requestId: u64(2, req),
  assignedBrokerServiceUrl: str(3),
  assignedBrokerServiceUrlTls: str(4),
});
