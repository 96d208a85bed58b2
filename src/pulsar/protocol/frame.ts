// Frames on the wire (all sizes 4-byte big-endian):
//   simple:  [totalSize][commandSize][BaseCommand]
//   payload: [totalSize][commandSize][BaseCommand]
//            ([0x0e02][brokerEntryMetadataSize][BrokerEntryMetadata])   only broker → client, when enabled
//            [0x0e01][CRC32C][metadataSize][MessageMetadata][payload]   CRC covers everything after itself
import { K2pError } from '../../errors.js';
import { decodeMessage, encodeFields } from './codec.js';
import { decodeBaseCommand, writeBaseCommand, type Command, type DecodedCommand } from './commands.js';
import { crc32c } from './crc32c.js';
import {
  BrokerEntryMetadataSpec,
  MessageMetadataSpec,
  type BrokerEntryMetadata,
  type MessageMetadata,
} from './messages.js';
import { decodeMessageMetadata } from './metadata.js';
import { ProtoWriter } from './protobuf.js';

export const MAGIC_CRC32C = 0x0e01;
export const MAGIC_BROKER_ENTRY_METADATA = 0x0e02;
/** Pulsar's default maxMessageSize (5 MiB). */
export const DEFAULT_MAX_MESSAGE_SIZE = 5 * 1024 * 1024;
/** Room for command + metadata around a maximal payload, as the Java client allows. */
export const FRAME_HEADROOM = 10 * 1024;

export interface Frame {
  command: DecodedCommand;
  metadata?: MessageMetadata;
  /** A view into the received bytes (no copy); copy it if you keep it beyond the frame's life. */
  payload?: Buffer;
  brokerEntryMetadata?: BrokerEntryMetadata;
  /** False when a payload's CRC32C did not match. True for simple commands and unchecksummed payloads. */
  checksumValid: boolean;
}

export interface PayloadEncodeOptions {
  /** Only brokers (and test fakes of them) send this section. */
  brokerEntryMetadata?: BrokerEntryMetadata;
}

// One scratch writer per process: encoding is synchronous, so it is never shared by two calls at once.
const scratch = new ProtoWriter(64 * 1024);

function frameError(message: string, details: Record<string, unknown> = {}): K2pError {
  return new K2pError('K2P_PLS_FRAME', message, details);
}

/** `[totalSize][commandSize][BaseCommand]` in one exactly sized Buffer. */
export function encodeCommand(cmd: Command): Buffer {
  const w = scratch.reset();
  w.pos = 8;
  writeBaseCommand(w, cmd);
  const out = Buffer.allocUnsafe(w.pos);
  w.buf.copy(out, 0, 0, w.pos);
  out.writeUInt32BE(w.pos - 4, 0);
  out.writeUInt32BE(w.pos - 8, 4);
  return out;
}

/** Writes everything up to (not including) the payload; returns the offset where the CRC goes. */
function writePayloadHeader(
  w: ProtoWriter,
  cmd: Command,
  metadata: MessageMetadata,
  opts: PayloadEncodeOptions,
): number {
  w.reset();
  w.pos = 8;
  writeBaseCommand(w, cmd);
  w.buf.writeUInt32BE(w.pos - 8, 4);
  if (opts.brokerEntryMetadata) {
    w.ensure(6);
    w.buf.writeUInt16BE(MAGIC_BROKER_ENTRY_METADATA, w.pos);
    const sizeAt = w.pos + 2;
    w.pos += 6;
    encodeFields(w, BrokerEntryMetadataSpec, opts.brokerEntryMetadata);
    w.buf.writeUInt32BE(w.pos - sizeAt - 4, sizeAt);
  }
  w.ensure(10);
  w.buf.writeUInt16BE(MAGIC_CRC32C, w.pos);
  const crcAt = w.pos + 2;
  const metaSizeAt = w.pos + 6;
  w.pos += 10;
  encodeFields(w, MessageMetadataSpec, metadata);
  w.buf.writeUInt32BE(w.pos - metaSizeAt - 4, metaSizeAt);
  return crcAt;
}

/**
 * A SEND (or MESSAGE) frame in one exactly sized Buffer: the header is written once, the payload copied
 * once, the CRC computed in place.
 */
export function encodePayloadCommand(
  cmd: Command,
  metadata: MessageMetadata,
  payload: Uint8Array,
  opts: PayloadEncodeOptions = {},
): Buffer {
  const w = scratch;
  const crcAt = writePayloadHeader(w, cmd, metadata, opts);
  const headLen = w.pos;
  const out = Buffer.allocUnsafe(headLen + payload.length);
  w.buf.copy(out, 0, 0, headLen);
  out.set(payload, headLen);
  out.writeUInt32BE(out.length - 4, 0);
  out.writeUInt32BE(crc32c(out, 0, crcAt + 4, out.length), crcAt);
  return out;
}

/**
 * Same bytes as `encodePayloadCommand`, as [header, payload] for `socket.writev`/cork: the payload is not
 * copied at all (the CRC is continued over it).
 */
export function encodePayloadCommandParts(
  cmd: Command,
  metadata: MessageMetadata,
  payload: Uint8Array,
  opts: PayloadEncodeOptions = {},
): [Buffer, Uint8Array] {
  const w = scratch;
  const crcAt = writePayloadHeader(w, cmd, metadata, opts);
  const head = Buffer.allocUnsafe(w.pos);
  w.buf.copy(head, 0, 0, w.pos);
  head.writeUInt32BE(head.length + payload.length - 4, 0);
  const crc = crc32c(payload, crc32c(head, 0, crcAt + 4, head.length));
  head.writeUInt32BE(crc, crcAt);
  return [head, payload];
}

/** Decodes exactly one frame occupying `buf[start, end)`, size prefix included. Payload is a view. */
export function decodeFrame(buf: Buffer, start = 0, end = buf.length): Frame {
  if (end - start < 8) throw frameError('frame shorter than its size fields', { length: end - start });
  const total = buf.readUInt32BE(start);
  if (total !== end - start - 4)
    throw frameError('frame size does not match its bytes', { total, have: end - start - 4 });
  const cmdSize = buf.readUInt32BE(start + 4);
  if (cmdSize > total - 4) throw frameError('command size exceeds frame', { cmdSize, total });
  const cmdEnd = start + 8 + cmdSize;
  const command = decodeBaseCommand(buf, start + 8, cmdEnd);
  if (cmdEnd === end) return { command, checksumValid: true };

  let p = cmdEnd;
  const frame: Frame = { command, checksumValid: true };
  if (end - p >= 2 && buf.readUInt16BE(p) === MAGIC_BROKER_ENTRY_METADATA) {
    if (end - p < 6) throw frameError('truncated broker entry metadata header');
    const size = buf.readUInt32BE(p + 2);
    if (size > end - p - 6) throw frameError('broker entry metadata exceeds frame', { size });
    frame.brokerEntryMetadata = decodeMessage(BrokerEntryMetadataSpec, buf, p + 6, p + 6 + size);
    p += 6 + size;
  }
  if (end - p >= 2 && buf.readUInt16BE(p) === MAGIC_CRC32C) {
    if (end - p < 6) throw frameError('truncated checksum');
    const expected = buf.readUInt32BE(p + 2);
    p += 6;
    frame.checksumValid = crc32c(buf, 0, p, end) === expected;
  }
  if (end - p < 4) throw frameError('payload section without metadata size', { left: end - p });
  const metaSize = buf.readUInt32BE(p);
  p += 4;
  if (metaSize > end - p) throw frameError('metadata size exceeds frame', { metaSize, left: end - p });
  try {
    frame.metadata = decodeMessageMetadata(buf, p, p + metaSize);
  } catch (err) {
    // A corrupt frame still carries a usable command (its message id), so the client can nack it.
    if (frame.checksumValid) throw err;
  }
  frame.payload = buf.subarray(p + metaSize, end);
  return frame;
}
