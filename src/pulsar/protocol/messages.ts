// Messages shared by several commands: ids, metadata, schemas. Field numbers follow PulsarApi.proto.
import {
  bool,
  bytes,
  defineMessage,
  enm,
  i32,
  i64,
  i64n,
  msg,
  rep,
  req,
  str,
  u32,
  u64,
  u64n,
  type MessageSpec,
} from './codec.js';
import {
  CompressionTypeEnum,
  KeySharedModeEnum,
  SchemaTypeEnum,
  type CompressionType,
  type KeySharedMode,
  type SchemaType,
} from './enums.js';

export interface KeyValue {
  key: string;
  value: string;
}
export const KeyValueSpec = defineMessage<KeyValue>('KeyValue', { key: str(1, req), value: str(2, req) });

export interface KeyLongValue {
  key: string;
  value: bigint;
}
export const KeyLongValueSpec = defineMessage<KeyLongValue>('KeyLongValue', {
  key: str(1, req),
  value: u64(2, req),
});

export interface IntRange {
  start: number;
  end: number;
}
export const IntRangeSpec = defineMessage<IntRange>('IntRange', { start: i32(1, req), end: i32(2, req) });

export interface MessageIdData {
  ledgerId: bigint;
  entryId: bigint;
  /** -1 when not a partition of a partitioned topic. */
  partition?: number;
  /** -1 when not inside a batch. */
  batchIndex?: number;
  ackSet?: bigint[];
  batchSize?: number;
  firstChunkMessageId?: MessageIdData;
}
export const MessageIdDataSpec: MessageSpec<MessageIdData> = defineMessage<MessageIdData>('MessageIdData', {
  ledgerId: u64(1, req),
  entryId: u64(2, req),
  partition: i32(3, { default: -1 }),
  batchIndex: i32(4, { default: -1 }),
  ackSet: i64(5, rep),
  batchSize: i32(6),
  firstChunkMessageId: msg(7, () => MessageIdDataSpec),
});

export interface EncryptionKeys {
  key: string;
  value: Buffer;
  metadata?: KeyValue[];
}
export const EncryptionKeysSpec = defineMessage<EncryptionKeys>('EncryptionKeys', {
  key: str(1, req),
  value: bytes(2, req),
  metadata: msg(3, () => KeyValueSpec, rep),
});

export interface Schema {
  name: string;
  schemaData: Uint8Array;
  type: SchemaType;
  properties?: KeyValue[];
}
export const SchemaSpec = defineMessage<Schema>('Schema', {
  name: str(1, req),
  schemaData: bytes(3, req),
  type: enm(4, SchemaTypeEnum, req),
  properties: msg(5, () => KeyValueSpec, rep),
});

export interface FeatureFlags {
  supportsAuthRefresh?: boolean;
  supportsBrokerEntryMetadata?: boolean;
  supportsPartialProducer?: boolean;
  supportsTopicWatchers?: boolean;
  supportsGetPartitionedMetadataWithoutAutoCreation?: boolean;
}
export const FeatureFlagsSpec = defineMessage<FeatureFlags>('FeatureFlags', {
  supportsAuthRefresh: bool(1),
  supportsBrokerEntryMetadata: bool(2),
  supportsPartialProducer: bool(3),
  supportsTopicWatchers: bool(4),
  supportsGetPartitionedMetadataWithoutAutoCreation: bool(5),
});

export interface AuthData {
  authMethodName?: string;
  authData?: Uint8Array;
}
export const AuthDataSpec = defineMessage<AuthData>('AuthData', {
  authMethodName: str(1),
  authData: bytes(2),
});

export interface KeySharedMeta {
  keySharedMode: KeySharedMode;
  hashRanges?: IntRange[];
  allowOutOfOrderDelivery?: boolean;
}
export const KeySharedMetaSpec = defineMessage<KeySharedMeta>('KeySharedMeta', {
  keySharedMode: enm(1, KeySharedModeEnum, req),
  hashRanges: msg(3, () => IntRangeSpec, rep),
  allowOutOfOrderDelivery: bool(4),
});

export interface MessageMetadata {
  producerName: string;
  sequenceId: bigint;
  /** Milliseconds since the epoch. */
  publishTime: number;
  properties?: KeyValue[];
  replicatedFrom?: string;
  partitionKey?: string;
  replicateTo?: string[];
  compression?: CompressionType;
  uncompressedSize?: number;
  /** Present (>= 1) on batches; absent means a single message. */
  numMessagesInBatch?: number;
  eventTime?: number;
  encryptionKeys?: EncryptionKeys[];
  encryptionAlgo?: string;
  encryptionParam?: Uint8Array;
  schemaVersion?: Uint8Array;
  partitionKeyB64Encoded?: boolean;
  orderingKey?: Uint8Array;
  deliverAtTime?: number;
  markerType?: number;
  txnidLeastBits?: bigint;
  txnidMostBits?: bigint;
  highestSequenceId?: bigint;
  nullValue?: boolean;
  uuid?: string;
  numChunksFromMsg?: number;
  totalChunkMsgSize?: number;
  chunkId?: number;
  nullPartitionKey?: boolean;
}
export const MessageMetadataSpec = defineMessage<MessageMetadata>('MessageMetadata', {
  producerName: str(1, req),
  sequenceId: u64(2, req),
  publishTime: u64n(3, req),
  properties: msg(4, () => KeyValueSpec, rep),
  replicatedFrom: str(5),
  partitionKey: str(6),
  replicateTo: str(7, rep),
  compression: enm(8, CompressionTypeEnum),
  uncompressedSize: u32(9),
  numMessagesInBatch: i32(11),
  eventTime: u64n(12),
  encryptionKeys: msg(13, () => EncryptionKeysSpec, rep),
  encryptionAlgo: str(14),
  encryptionParam: bytes(15),
  schemaVersion: bytes(16),
  partitionKeyB64Encoded: bool(17),
  orderingKey: bytes(18),
  deliverAtTime: i64n(19),
  markerType: i32(20),
  txnidLeastBits: u64(22),
  txnidMostBits: u64(23),
  highestSequenceId: u64(24),
  nullValue: bool(25),
  uuid: str(26),
  numChunksFromMsg: i32(27),
  totalChunkMsgSize: i32(28),
  chunkId: i32(29),
  nullPartitionKey: bool(30),
});

export interface SingleMessageMetadata {
  properties?: KeyValue[];
  partitionKey?: string;
  payloadSize: number;
  compactedOut?: boolean;
  eventTime?: number;
  partitionKeyB64Encoded?: boolean;
  orderingKey?: Uint8Array;
  sequenceId?: bigint;
  nullValue?: boolean;
  nullPartitionKey?: boolean;
}
export const SingleMessageMetadataSpec = defineMessage<SingleMessageMetadata>('SingleMessageMetadata', {
  properties: msg(1, () => KeyValueSpec, rep),
  partitionKey: str(2),
  payloadSize: i32(3, req),
  compactedOut: bool(4),
  eventTime: u64n(5),
  partitionKeyB64Encoded: bool(6),
  orderingKey: bytes(7),
  sequenceId: u64(8),
  nullValue: bool(9),
  nullPartitionKey: bool(10),
});

export interface BrokerEntryMetadata {
  /** Milliseconds since the epoch, set by the broker when it stored the entry. */
  brokerTimestamp?: number;
  /** Broker-assigned monotonically increasing index (the "offset" of the entry's last message). */
  index?: bigint;
}
export const BrokerEntryMetadataSpec = defineMessage<BrokerEntryMetadata>('BrokerEntryMetadata', {
  brokerTimestamp: u64n(1),
  index: u64(2),
});
