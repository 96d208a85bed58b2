// Topic discovery: partition count, owner broker lookup, namespace listing, migration notice.
import { bool, defineMessage, enm, str, u32, u64, rep, req } from '../codec.js';
import {
  LookupTypeEnum,
  PartitionedLookupTypeEnum,
  ResourceTypeEnum,
  ServerErrorEnum,
  TopicsModeEnum,
  type LookupType,
  type PartitionedLookupType,
  type ResourceType,
  type ServerError,
  type TopicsMode,
} from '../enums.js';

const serverError = (no: number) => enm(no, ServerErrorEnum, { unknownEnum: 'UnknownError' });

export interface CommandPartitionedTopicMetadata {
  topic: string;
  requestId: bigint;
  originalPrincipal?: string;
  originalAuthData?: string;
  originalAuthMethod?: string;
  /** Default true; false asks the broker not to auto-create the topic while answering. */
  metadataAutoCreationEnabled?: boolean;
}
export const CommandPartitionedTopicMetadataSpec = defineMessage<CommandPartitionedTopicMetadata>(
  'CommandPartitionedTopicMetadata',
  {
    topic: str(1, req),
    requestId: u64(2, req),
    originalPrincipal: str(3),
    originalAuthData: str(4),
    originalAuthMethod: str(5),
    metadataAutoCreationEnabled: bool(6, { default: true }),
  },
);

export interface CommandPartitionedTopicMetadataResponse {
  partitions?: number;
  requestId: bigint;
  response?: PartitionedLookupType;
  error?: ServerError;
  message?: string;
}
export const CommandPartitionedTopicMetadataResponseSpec =
  defineMessage<CommandPartitionedTopicMetadataResponse>('CommandPartitionedTopicMetadataResponse', {
    partitions: u32(1),
    requestId: u64(2, req),
    response: enm(3, PartitionedLookupTypeEnum),
    error: serverError(4),
    message: str(5),
  });

export interface CommandLookupTopic {
  topic: string;
  requestId: bigint;
  authoritative?: boolean;
  originalPrincipal?: string;
  originalAuthData?: string;
  originalAuthMethod?: string;
  advertisedListenerName?: string;
}
export const CommandLookupTopicSpec = defineMessage<CommandLookupTopic>('CommandLookupTopic', {
  topic: str(1, req),
  requestId: u64(2, req),
  authoritative: bool(3),
  originalPrincipal: str(4),
  originalAuthData: str(5),
  originalAuthMethod: str(6),
  advertisedListenerName: str(7),
});

export interface CommandLookupTopicResponse {
  brokerServiceUrl?: string;
  brokerServiceUrlTls?: string;
  response?: LookupType;
  requestId: bigint;
  authoritative?: boolean;
  error?: ServerError;
  message?: string;
  proxyThroughServiceUrl?: boolean;
}
export const CommandLookupTopicResponseSpec = defineMessage<CommandLookupTopicResponse>(
  'CommandLookupTopicResponse',
  {
    brokerServiceUrl: str(1),
    brokerServiceUrlTls: str(2),
    response: enm(3, LookupTypeEnum),
    requestId: u64(4, req),
    authoritative: bool(5),
    error: serverError(6),
    message: str(7),
    proxyThroughServiceUrl: bool(8),
  },
);

export interface CommandGetTopicsOfNamespace {
  requestId: bigint;
  namespace: string;
  mode?: TopicsMode;
  topicsPattern?: string;
  topicsHash?: string;
}
export const CommandGetTopicsOfNamespaceSpec = defineMessage<CommandGetTopicsOfNamespace>(
  'CommandGetTopicsOfNamespace',
  {
    requestId: u64(1, req),
    namespace: str(2, req),
    mode: enm(3, TopicsModeEnum),
    topicsPattern: str(4),
    topicsHash: str(5),
  },
);

export interface CommandGetTopicsOfNamespaceResponse {
  requestId: bigint;
  topics?: string[];
  filtered?: boolean;
  topicsHash?: string;
  /** Default true; false means the list is unchanged since topicsHash and `topics` is empty. */
  changed?: boolean;
}
export const CommandGetTopicsOfNamespaceResponseSpec = defineMessage<CommandGetTopicsOfNamespaceResponse>(
  'CommandGetTopicsOfNamespaceResponse',
  {
    requestId: u64(1, req),
    topics: str(2, rep),
    filtered: bool(3),
    topicsHash: str(4),
    changed: bool(5, { default: true }),
  },
);

/** The broker moved a topic (blue-green migration): reconnect the producer or consumer to the new cluster. */
export interface CommandTopicMigrated {
  resourceId: bigint;
  resourceType: ResourceType;
  brokerServiceUrl?: string;
  brokerServiceUrlTls?: string;
}
export const CommandTopicMigratedSpec = defineMessage<CommandTopicMigrated>('CommandTopicMigrated', {
  resourceId: u64(1, req),
  resourceType: enm(2, ResourceTypeEnum, req),
  brokerServiceUrl: str(3),
  brokerServiceUrlTls: str(4),
});
