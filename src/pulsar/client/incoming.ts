// Turns one MESSAGE frame into the messages it holds: decompresses, unpacks batches, skips batch indexes
// the broker says are already acknowledged (ack_set) and entries compacted away.
import { K2pError } from '../../errors.js';
import { decompress, keyBytes, scanBatch, type CommandOf, type Frame, type MessageMetadata } from '../protocol/index.js';
import { isSet } from './ack-set.js';
import { MessageId } from './message-id.js';
import type { Message } from './message.js';

function properties(list: { key: string; value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (list === undefined) return out;
  for (let i = 0; i < list.length; i++) out[list[i]!.key] = list[i]!.value;
  return out;
}

/**
 * Bytes the decoder gave as a view of the entry (a Buffer, as the payload is): handed over as they are, not
 * copied — they live as long as the payload does.
 */
function view(bytes: Uint8Array | undefined): Buffer | undefined {
  if (bytes === undefined) return undefined;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The decompressed payload of an entry (or of a reassembled chunked message). */
export function entryPayload(metadata: MessageMetadata, payload: Buffer): Buffer {
  const compression = metadata.compression ?? 'NONE';
  if (compression === 'NONE') return payload;
  return decompress(compression, payload, metadata.uncompressedSize ?? 0);
}

export interface DecodedEntry {
  messages: Message[];
  /** Messages the entry held in all (permits the broker counted), including skipped ones. */
  count: number;
}

/** A MESSAGE frame's metadata and decompressed payload, once its checksum holds (`payloadOverride`: chunks reassembled). */
export function checkedEntry(topic: string, cmd: CommandOf<'MESSAGE'>, frame: Frame, payloadOverride?: Buffer): { metadata: MessageMetadata; body: Buffer } {
  const metadata = frame.metadata;
  if (!metadata || !frame.payload) throw new K2pError('K2P_PLS_DECODE', 'MESSAGE frame without metadata or payload', { topic });
  if (!frame.checksumValid) throw new K2pError('K2P_PLS_CHECKSUM', `message ${cmd.messageId.ledgerId}:${cmd.messageId.entryId} failed its checksum`, { topic });
  return { metadata, body: entryPayload(metadata, payloadOverride ?? frame.payload) };
}

export function decodeEntry(topic: string, partition: number, cmd: CommandOf<'MESSAGE'>, frame: Frame, payloadOverride?: Buffer): DecodedEntry {
  const { metadata, body } = checkedEntry(topic, cmd, frame, payloadOverride);
  const base = MessageId.fromData(cmd.messageId, partition);
  const redeliveryCount = cmd.redeliveryCount ?? 0;
  const schemaVersion = metadata.schemaVersion ? Buffer.from(metadata.schemaVersion) : undefined;
  // Messages are built as whole literals: spreading a shared object into each one costs ~30x on V8.
  const n = metadata.numMessagesInBatch;
  if (n === undefined) {
    const key = keyBytes(metadata);
    const message: Message = {
      topic,
      id: new MessageId(base.ledgerId, base.entryId, partition, -1),
      key: key ? metadata.partitionKey : undefined,
      keyBytes: key ?? undefined,
      orderingKey: view(metadata.orderingKey),
      properties: properties(metadata.properties),
      eventTime: metadata.eventTime || undefined,
      publishTime: metadata.publishTime,
      producerName: metadata.producerName,
      sequenceId: metadata.sequenceId,
      payload: metadata.nullValue ? Buffer.alloc(0) : body,
      nullValue: metadata.nullValue ?? false,
      schemaVersion,
      redeliveryCount,
    };
    return { count: 1, messages: [message] };
  }
  const ackSet = cmd.ackSet && cmd.ackSet.length > 0 ? cmd.ackSet : undefined;
  const messages: Message[] = [];
  // The batch's metadata objects are reused entry to entry (scanBatch): each message takes what it needs.
  scanBatch(body, n, (index, m, payload) => {
    if (ackSet && !isSet(ackSet, index)) return;
    const key = keyBytes(m);
    messages.push({
      topic,
      id: new MessageId(base.ledgerId, base.entryId, partition, index, n),
      key: key ? m.partitionKey : undefined,
      keyBytes: key ?? undefined,
      orderingKey: view(m.orderingKey),
      properties: properties(m.properties),
      eventTime: m.eventTime || undefined,
      publishTime: metadata.publishTime,
      producerName: metadata.producerName,
      sequenceId: m.sequenceId ?? metadata.sequenceId + BigInt(index),
      payload: payload ?? Buffer.alloc(0),
      nullValue: payload === null,
      schemaVersion,
      redeliveryCount,
    });
  });
  return { messages, count: n };
}
