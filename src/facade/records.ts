// Records on their way in (decoded from any API version and format) and the per-record outcome.
import type { KafkaHeader } from '../mirror/record-mapping.js';
import type { OutgoingMessage } from '../pulsar/client/index.js';
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
  /**
   * Routes pulsar and dual, a topic whose mapping translates schemas: the Pulsar message fields the mirror's
   * converter gives this record (body without the registry header, schema version, decoded key), set over
   * the record mapping's message so Pulsar holds what the mirror would write.
   */
  pulsar?: Pick<OutgoingMessage, 'payload' | 'schemaVersion' | 'key' | 'orderingKey'>;
  /**
   * Routes pulsar and dual: the record's Pulsar message as the mapping check built it (at offset 0); the
   * writer moves it to the record's offset instead of building it again.
   */
  checked?: OutgoingMessage;
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
