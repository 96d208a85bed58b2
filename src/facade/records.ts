// Records on their way in (decoded from any API version and format) and the per-record outcome.
import type { KafkaHeader } from '../mirror/record-mapping.js';
import type { RestError } from './rest-error.js';

/** A record as a client sent it, decoded to bytes. */
export interface IncomingRecord {
  /** Asked by the client (v2 `partition`, v3 `partition_id`, or the path); else chosen from the key. */
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeader[];
  /** ms since the epoch; unset = now. */
  timestamp?: number;
}

/** A record with its partition and timestamp decided, ready for either side. */
export interface PlacedRecord extends IncomingRecord {
  partition: number;
  timestamp: number;
}

export interface RecordResult {
  partition: number;
  /** Kafka offset, or the Pulsar sequence id standing for it; null when the record failed. */
  offset: bigint | null;
  timestamp: number;
  error?: RestError;
}

/** Partitions of a topic as the API shows them. */
export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: { broker: number; leader: boolean; in_sync: boolean }[];
}

export interface PartitionOffsets {
  beginning_offset: number;
  end_offset: number;
}
