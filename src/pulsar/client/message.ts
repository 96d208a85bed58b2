// Messages as users of the client see them, going out and coming in.
import type { MessageId } from './message-id.js';

export interface OutgoingMessage {
  /** The payload; null sends a message with null_value set (a tombstone for compaction). */
  payload: Uint8Array | null;
  /** Partition key: a string, or bytes (sent base64 with partition_key_b64_encoded). */
  key?: string | Uint8Array;
  /** Key_Shared ordering key (bytes; a string is taken as UTF-8). */
  orderingKey?: string | Uint8Array;
  properties?: Record<string, string>;
  /** Event time, ms since the epoch (0 or unset = none). */
  eventTime?: number;
  /** A sequence id chosen by the caller (must grow per producer; gaps allowed). */
  sequenceId?: bigint;
  /** On a partitioned topic: send to this partition instead of routing by key. */
  partition?: number;
  /** Schema version bytes for this message (from the producer's schema by default). */
  schemaVersion?: Uint8Array;
}

export interface Message {
  /** The topic (partition) this message was read from. */
  topic: string;
  id: MessageId;
  /** The key as the broker keeps it (base64 text for binary keys), undefined if none. */
  key?: string;
  /** The key's bytes (decoded from base64 when it was binary), undefined if none. */
  keyBytes?: Buffer;
  orderingKey?: Buffer;
  properties: Record<string, string>;
  /** ms since the epoch; undefined when not set. */
  eventTime?: number;
  publishTime: number;
  producerName: string;
  sequenceId: bigint;
  /** Empty Buffer for null values; see `nullValue`. */
  payload: Buffer;
  nullValue: boolean;
  schemaVersion?: Buffer;
  redeliveryCount: number;
  /** For a message reassembled from chunks: every chunk's id (acknowledging the message acks them all). */
  chunkIds?: MessageId[];
}
