// Enums of PulsarApi.proto, by name. Values checked against apache/pulsar master's PulsarApi.proto
// (pulsar-common/src/main/proto) and apache/pulsar-client-cpp proto/PulsarApi.proto.
import { defineEnum, type EnumName } from './codec.js';

export const CompressionTypeEnum = defineEnum('CompressionType', {
  NONE: 0,
  LZ4: 1,
  ZLIB: 2,
  ZSTD: 3,
  SNAPPY: 4,
});
export type CompressionType = EnumName<typeof CompressionTypeEnum>;

export const ProducerAccessModeEnum = defineEnum('ProducerAccessMode', {
  Shared: 0,
  Exclusive: 1,
  WaitForExclusive: 2,
  ExclusiveWithFencing: 3,
});
export type ProducerAccessMode = EnumName<typeof ProducerAccessModeEnum>;

export const ServerErrorEnum = defineEnum('ServerError', {
  UnknownError: 0,
  MetadataError: 1,
  PersistenceError: 2,
  AuthenticationError: 3,
  AuthorizationError: 4,
  ConsumerBusy: 5,
  ServiceNotReady: 6,
  ProducerBlockedQuotaExceededError: 7,
  ProducerBlockedQuotaExceededException: 8,
  ChecksumError: 9,
  UnsupportedVersionError: 10,
  TopicNotFound: 11,
  SubscriptionNotFound: 12,
  ConsumerNotFound: 13,
  TooManyRequests: 14,
  TopicTerminatedError: 15,
  ProducerBusy: 16,
  InvalidTopicName: 17,
  IncompatibleSchema: 18,
  ConsumerAssignError: 19,
  TransactionCoordinatorNotFound: 20,
  InvalidTxnStatus: 21,
  NotAllowedError: 22,
  TransactionConflict: 23,
  TransactionNotFound: 24,
  ProducerFenced: 25,
});
export type ServerError = EnumName<typeof ServerErrorEnum>;

export const AuthMethodEnum = defineEnum('AuthMethod', {
  AuthMethodNone: 0,
  AuthMethodYcaV1: 1,
  AuthMethodAthens: 2,
});
export type AuthMethod = EnumName<typeof AuthMethodEnum>;

/** ProtocolVersion v0..v21; v21 carries the AUTO_CONSUME schema to the broker. */
export const PROTOCOL_VERSION_MAX = 21;

export const KeySharedModeEnum = defineEnum('KeySharedMode', { AUTO_SPLIT: 0, STICKY: 1 });
export type KeySharedMode = EnumName<typeof KeySharedModeEnum>;

export const SchemaTypeEnum = defineEnum('Schema.Type', {
  None: 0,
  String: 1,
  Json: 2,
  Protobuf: 3,
  Avro: 4,
  Bool: 5,
  Int8: 6,
  Int16: 7,
  Int32: 8,
  Int64: 9,
  Float: 10,
  Double: 11,
  Date: 12,
  Time: 13,
  Timestamp: 14,
  KeyValue: 15,
  Instant: 16,
  LocalDate: 17,
  LocalTime: 18,
  LocalDateTime: 19,
  ProtobufNative: 20,
  AutoConsume: 21,
  // Newest brokers only; seen in generated bindings of master, not yet in every released proto.
  External: 22,
});
export type SchemaType = EnumName<typeof SchemaTypeEnum>;

export const SubTypeEnum = defineEnum('CommandSubscribe.SubType', {
  Exclusive: 0,
  Shared: 1,
  Failover: 2,
  Key_Shared: 3,
});
export type SubType = EnumName<typeof SubTypeEnum>;

export const InitialPositionEnum = defineEnum('CommandSubscribe.InitialPosition', { Latest: 0, Earliest: 1 });
export type InitialPosition = EnumName<typeof InitialPositionEnum>;

export const PartitionedLookupTypeEnum = defineEnum('CommandPartitionedTopicMetadataResponse.LookupType', {
  Success: 0,
  Failed: 1,
});
export type PartitionedLookupType = EnumName<typeof PartitionedLookupTypeEnum>;

export const LookupTypeEnum = defineEnum('CommandLookupTopicResponse.LookupType', {
  Redirect: 0,
  Connect: 1,
  Failed: 2,
});
export type LookupType = EnumName<typeof LookupTypeEnum>;

export const AckTypeEnum = defineEnum('CommandAck.AckType', { Individual: 0, Cumulative: 1 });
export type AckType = EnumName<typeof AckTypeEnum>;

export const ValidationErrorEnum = defineEnum('CommandAck.ValidationError', {
  UncompressedSizeCorruption: 0,
  DecompressionError: 1,
  ChecksumMismatch: 2,
  BatchDeSerializeError: 3,
  DecryptionError: 4,
});
export type ValidationError = EnumName<typeof ValidationErrorEnum>;

export const TopicsModeEnum = defineEnum('CommandGetTopicsOfNamespace.Mode', {
  PERSISTENT: 0,
  NON_PERSISTENT: 1,
  ALL: 2,
});
export type TopicsMode = EnumName<typeof TopicsModeEnum>;

export const ResourceTypeEnum = defineEnum('CommandTopicMigrated.ResourceType', { Producer: 0, Consumer: 1 });
export type ResourceType = EnumName<typeof ResourceTypeEnum>;
