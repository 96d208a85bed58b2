// Entries as they came, for a reader that packs messages its own way (consumer option `rawEntries`): the
// entry decompressed and checked, nothing built per message. scanEntry walks its messages with the batch
// format's reused metadata object — no Message, properties record, MessageId or key copy per message.
import { keyBytes, scanBatch, type CommandOf, type Frame, type MessageMetadata, type SingleMessageMetadata } from '../protocol/index.js';
import { isSet } from './ack-set.js';
import { checkedEntry, properties, view } from './incoming.js';
import type { Message } from './message.js';
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
  'properties' | 'partitionKey' | 'partitionKeyB64Encoded' | 'nullPartitionKey' | 'eventTime' | 'sequenceId' | 'nullValue' | 'orderingKey'
>;

/** Checks and decompresses one MESSAGE frame into an entry; firstIndex left at its first. */
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

/** A message's sequence id: its own, else the entry's plus its index. */
export function sequenceIdOf(entry: RawEntry, index: number, m: EntryMessage): bigint {
  if (index < 0) return entry.metadata.sequenceId;
  return m.sequenceId ?? entry.metadata.sequenceId + BigInt(index);
}

/** True when batch index `index` of the entry is for the reader (scanEntry's filter; compacted_out aside). */
export function isDelivered(entry: RawEntry, index: number): boolean {
  return index >= entry.firstIndex && (entry.ackSet === undefined || isSet(entry.ackSet, index));
}

/**
 * Visits the entry's messages for the reader, in order, as receive() delivers them: `index` is the
 * batch index (-1 when not batched), `m` its metadata — an object reused for the next message, read it in
 * `visit` — and `payload` a view of the entry (null for a null value). Throws K2P_PLS_DECODE on a malformed batch.
 */
export function scanEntry(entry: RawEntry, visit: (index: number, m: EntryMessage, payload: Buffer | null) => void): void {
  const { metadata, payload, firstIndex } = entry;
  if (metadata.numMessagesInBatch === undefined) {
    if (firstIndex <= -1) visit(-1, metadata, metadata.nullValue ? null : payload);
    return;
  }
  scanBatch(payload, metadata.numMessagesInBatch, (index, m, body) => {
    if (isDelivered(entry, index)) visit(index, m, body);
  });
}

export interface DecodedEntry {
  messages: Message[];
  /** Messages the entry held in all (permits the broker counted), including skipped ones. */
  count: number;
}

/** One MESSAGE frame as the messages it holds (checked, decompressed, batch unpacked, acknowledged indexes left out). */
export function decodeEntry(topic: string, partition: number, cmd: CommandOf<'MESSAGE'>, frame: Frame, payloadOverride?: Buffer): DecodedEntry {
  const entry = rawEntry(topic, partition, cmd, frame, payloadOverride);
  return { messages: entryMessages(entry), count: entry.count };
}

/**
 * The entry's messages as receive() gives them, for a reader of raw entries that needs a message object
 * after all (e.g. to report it). Throws K2P_PLS_DECODE on a malformed batch.
 */
export function entryMessages(entry: RawEntry): Message[] {
  const { topic, partition, ledgerId, entryId, metadata, redeliveryCount } = entry;
  const schemaVersion = metadata.schemaVersion ? Buffer.from(metadata.schemaVersion) : undefined;
  const size = metadata.numMessagesInBatch;
  const out: Message[] = [];
  scanEntry(entry, (index, m, payload) => {
    const key = keyBytes(m);
    out.push({
      topic,
      id: size === undefined ? new MessageId(ledgerId, entryId, partition, -1) : new MessageId(ledgerId, entryId, partition, index, size),
      key: key ? m.partitionKey : undefined,
      keyBytes: key ?? undefined,
      orderingKey: view(m.orderingKey),
      properties: properties(m.properties),
      eventTime: m.eventTime || undefined,
      publishTime: metadata.publishTime,
      producerName: metadata.producerName,
      sequenceId: sequenceIdOf(entry, index, m),
      payload: payload ?? Buffer.alloc(0),
      nullValue: payload === null,
      schemaVersion,
      redeliveryCount,
    });
  });
  if (entry.chunkIds && out.length === 1) out[0]!.chunkIds = entry.chunkIds;
  return out;
}
