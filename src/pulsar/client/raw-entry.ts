// Entries as they came, for a reader that packs messages its own way (consumer option `rawEntries`): the
// entry decompressed and checked, nothing built per message. scanEntry walks its messages with the batch
// format's reused metadata object — no Message, properties record, MessageId or key copy per message.
import { keyBytes, scanBatch, type CommandOf, type Frame, type MessageMetadata, type SingleMessageMetadata } from '../protocol/index.js';
import { isSet } from './ack-set.js';
import { checkedEntry } from './incoming.js';
import { MessageId } from './message-id.js';

export interface RawEntry {
  /** The topic (partition) it was read from. */
  topic: string;
  partition: number;
  ledgerId: bigint;
  entryId: bigint;
  /** The entry's metadata (a message of its own when not batched: key, properties, event time are here). */
  metadata: MessageMetadata;
  /** The payload, decompressed (a batch: every message's metadata and payload). */
  payload: Buffer;
  /** Messages in the entry (the permits it took), 1 when not batched. */
  count: number;
  /** Batch indexes below this one are not for the reader (before its start, or before a seek target). */
  firstIndex: number;
  /** Batch indexes the broker says are acknowledged already are left out (its ack set), when given. */
  ackSet: bigint[] | undefined;
  redeliveryCount: number;
  /** For a message reassembled from chunks: every chunk's id. */
  chunkIds?: MessageId[];
}

/** What a message of an entry carries (batched: its single-message metadata; else the entry's). */
export type EntryMessage = Pick<
  SingleMessageMetadata,
  'properties' | 'partitionKey' | 'partitionKeyB64Encoded' | 'nullPartitionKey' | 'eventTime' | 'sequenceId' | 'nullValue'
>;

/** Checks and decompresses one MESSAGE frame (as decodeEntry does) into an entry; firstIndex left at its first. */
export function rawEntry(topic: string, partition: number, cmd: CommandOf<'MESSAGE'>, frame: Frame, payloadOverride?: Buffer): RawEntry {
  const { metadata, body } = checkedEntry(topic, cmd, frame, payloadOverride);
  const id = MessageId.fromData(cmd.messageId, partition);
  const batched = metadata.numMessagesInBatch !== undefined;
  return {
    topic,
    partition,
    ledgerId: id.ledgerId,
    entryId: id.entryId,
    metadata,
    payload: body,
    count: metadata.numMessagesInBatch ?? 1,
    firstIndex: batched ? 0 : -1,
    ackSet: cmd.ackSet && cmd.ackSet.length > 0 ? cmd.ackSet : undefined,
    redeliveryCount: cmd.redeliveryCount ?? 0,
  };
}

/** A message's key bytes (decoded from base64 when it was binary), undefined when it has none. */
export function keyOf(m: EntryMessage): Buffer | undefined {
  return keyBytes(m) ?? undefined;
}

/** The entry's schema version (a view of the frame), undefined when none. */
export function schemaVersionOf(entry: RawEntry): Buffer | undefined {
  const v = entry.metadata.schemaVersion;
  return v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : undefined;
}

/** The entry's batch size as message ids carry it (0: not batched). */
export function batchSizeOf(entry: RawEntry): number {
  return entry.metadata.numMessagesInBatch ?? 0;
}

/** A message's sequence id: its own, else the entry's plus its index (as decodeEntry gives it). */
export function sequenceIdOf(entry: RawEntry, index: number, m: EntryMessage): bigint {
  if (index < 0) return entry.metadata.sequenceId;
  return m.sequenceId ?? entry.metadata.sequenceId + BigInt(index);
}

/**
 * Visits the entry's messages for the reader, in order, as decodeEntry would deliver them: `index` is the
 * batch index (-1 when not batched), `m` its metadata — an object reused for the next message, read it in
 * `visit` — and `payload` a view of the entry (null for a null value). Throws K2P_PLS_DECODE on a malformed batch.
 */
export function scanEntry(entry: RawEntry, visit: (index: number, m: EntryMessage, payload: Buffer | null) => void): void {
  const { metadata, payload, firstIndex, ackSet } = entry;
  if (metadata.numMessagesInBatch === undefined) {
    if (firstIndex <= -1) visit(-1, metadata, metadata.nullValue ? null : payload);
    return;
  }
  scanBatch(payload, metadata.numMessagesInBatch, (index, m, body) => {
    if (index < firstIndex || (ackSet && !isSet(ackSet, index))) return;
    visit(index, m, body);
  });
}
