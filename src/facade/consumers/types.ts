// The words of v2 consumer instances, shared by the stores, the two sides and the routes.
import type { EmbeddedFormat } from '../http/media-types.js';
import type { KafkaHeader } from '../../mirror/record-mapping.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export type OffsetReset = 'earliest' | 'latest' | 'none';

/** What `POST /consumers/{group}` decided, plus what the instance is subscribed or assigned to. */
export interface InstanceState {
  group: string;
  id: string;
  format: EmbeddedFormat;
  autoOffsetReset: OffsetReset;
  autoCommit: boolean;
  /** Bytes a records request waits for (at least one record when ≤ 1) before its timeout. */
  fetchMinBytes: number;
  /** Default `timeout` of a records request (ms). */
  requestTimeoutMs: number;
  /** By topic list or by pattern (a JavaScript RegExp source, anchored as Java's Pattern.matches). */
  subscription?: { topics: string[] } | { pattern: string };
  /** Manual assignment (exclusive with subscription). */
  assignment?: TopicPartition[];
  /** The gateway process that created it: the one holding its Kafka consumer (topics on route kafka). */
  home: string;
  createdAt: number;
}

/** A record read from either side, before its key and value are put in the instance's format. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeader[];
  timestamp: number;
  /** Read from Pulsar: the message's schema version (a schema topic's value is its body) and partition topic. */
  schemaVersion?: Buffer;
  pulsarTopic?: string;
}

export const tpKey = (topic: string, partition: number): string => `${partition}:${topic}`;
export function parseTpKey(key: string): TopicPartition {
  const i = key.indexOf(':');
  return { partition: Number(key.slice(0, i)), topic: key.slice(i + 1) };
}

export function recordBytes(r: Pick<ConsumedRecord, 'key' | 'value'>): number {
  return (r.key?.length ?? 0) + (r.value?.length ?? 0);
}
