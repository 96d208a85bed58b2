// What turning a MESSAGE frame into messages takes (raw-entry.ts does it): the checksum checked, the payload
// decompressed, and the small conversions each message's fields need.
import { K2pError } from '../../errors.js';
import { decompress, type CommandOf, type Frame, type MessageMetadata } from '../protocol/index.js';

/** A message's properties as a record (a name listed twice: its last value). */
export function properties(list: { key: string; value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (list === undefined) return out;
  for (let i = 0; i < list.length; i++) out[list[i]!.key] = list[i]!.value;
  return out;
}

/**
 * Bytes the decoder gave as a view of the entry (a Buffer, as the payload is): handed over as they are, not
 * copied — they live as long as the payload does.
 */
export function view(bytes: Uint8Array | undefined): Buffer | undefined {
  if (bytes === undefined) return undefined;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The decompressed payload of an entry (or of a reassembled chunked message). */
export function entryPayload(metadata: MessageMetadata, payload: Buffer): Buffer {
  const compression = metadata.compression ?? 'NONE';
  if (compression === 'NONE') return payload;
  return decompress(compression, payload, metadata.uncompressedSize ?? 0);
}

/** A MESSAGE frame's metadata and decompressed payload, once its checksum holds (`payloadOverride`: chunks reassembled). */
export function checkedEntry(topic: string, cmd: CommandOf<'MESSAGE'>, frame: Frame, payloadOverride?: Buffer): { metadata: MessageMetadata; body: Buffer } {
  const metadata = frame.metadata;
  if (!metadata || !frame.payload) throw new K2pError('K2P_PLS_DECODE', 'MESSAGE frame without metadata or payload', { topic });
  if (!frame.checksumValid) throw new K2pError('K2P_PLS_CHECKSUM', `message ${cmd.messageId.ledgerId}:${cmd.messageId.entryId} failed its checksum`, { topic });
  return { metadata, body: entryPayload(metadata, payloadOverride ?? frame.payload) };
}

