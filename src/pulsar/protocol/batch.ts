// Batch payload: N × [4-byte size][SingleMessageMetadata][payload], compressed as one unit afterwards.
// The outer MessageMetadata carries num_messages_in_batch = N.
import { K2pError } from '../../errors.js';
import type { SingleMessageMetadata } from './messages.js';
import {
  decodeSingleMessageMetadata,
  decodeSingleMessageMetadataInto,
  emptySingleMessageMetadata,
} from './metadata.js';
import { encodeSingleMessageMetadata } from './metadata-encoder.js';
import { ProtoWriter } from './protobuf.js';

export interface BatchMessageInput {
  /** payloadSize is computed when absent (pass it, with nullValue for null payloads, to skip a copy). */
  metadata?: Omit<SingleMessageMetadata, 'payloadSize'> & { payloadSize?: number };
  /** null = a tombstone: empty payload and null_value = true. */
  payload: Uint8Array | null;
}

export interface BatchEntry {
  /** Position in the batch: the batch_index of its message id. */
  index: number;
  metadata: SingleMessageMetadata;
  /** View into the (decompressed) batch payload; null when null_value is set. */
  payload: Buffer | null;
}

export interface DecodeBatchOptions {
  /** Leave out entries the broker compacted away (compacted_out). Default true. */
  skipCompactedOut?: boolean;
}

const scratch = new ProtoWriter(16 * 1024);

/** Encodes the batch into one exactly sized Buffer; payloads are copied once. */
export function encodeBatch(messages: readonly BatchMessageInput[]): Buffer {
  const w = scratch.reset();
  const ends = new Array<number>(messages.length);
  let payloadBytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const size = m.payload ? m.payload.length : 0;
    // Fast path: the caller already filled payloadSize (and nullValue); no per-message copy.
    const given = m.metadata as SingleMessageMetadata | undefined;
    let meta: SingleMessageMetadata;
    if (given && given.payloadSize === size && (m.payload !== null || given.nullValue)) {
      meta = given;
    } else {
      meta = { ...m.metadata, payloadSize: size };
      if (m.payload === null) meta.nullValue = true;
    }
    encodeSingleMessageMetadata(w, meta);
    ends[i] = w.pos;
    payloadBytes += size;
  }
  const out = Buffer.allocUnsafe(4 * messages.length + w.pos + payloadBytes);
  let at = 0;
  let metaStart = 0;
  for (let i = 0; i < messages.length; i++) {
    const metaEnd = ends[i]!;
    out.writeUInt32BE(metaEnd - metaStart, at);
    at += 4;
    at += w.buf.copy(out, at, metaStart, metaEnd);
    metaStart = metaEnd;
    const payload = messages[i]!.payload;
    if (payload) {
      out.set(payload, at);
      at += payload.length;
    }
  }
  return out;
}

/** Splits a decompressed batch payload into its entries (payloads are views). */
export function decodeBatch(
  payload: Buffer,
  numMessages: number,
  opts: DecodeBatchOptions = {},
): BatchEntry[] {
  const entries: BatchEntry[] = [];
  walkBatch(payload, numMessages, opts, decodeSingleMessageMetadata, (index, metadata, body) =>
    entries.push({ index, metadata, payload: body }),
  );
  return entries;
}

const reused = emptySingleMessageMetadata();
const decodeReused = (buf: Buffer, start: number, end: number) =>
  decodeSingleMessageMetadataInto(buf, start, end, reused);

/**
 * decodeBatch without an object per entry, for a caller that turns each entry into its own object at once:
 * `visit` gets each entry's index, metadata and payload (null when null_value is set). The metadata object
 * and its properties list are reused for the next entry — read them in `visit`, do not keep them.
 */
export function scanBatch(
  payload: Buffer,
  numMessages: number,
  visit: (index: number, metadata: SingleMessageMetadata, payload: Buffer | null) => void,
  opts: DecodeBatchOptions = {},
): void {
  walkBatch(payload, numMessages, opts, decodeReused, visit);
}

function walkBatch(
  payload: Buffer,
  numMessages: number,
  opts: DecodeBatchOptions,
  decodeMetadata: (buf: Buffer, start: number, end: number) => SingleMessageMetadata,
  visit: (index: number, metadata: SingleMessageMetadata, payload: Buffer | null) => void,
): void {
  const skipCompacted = opts.skipCompactedOut ?? true;
  let p = 0;
  for (let index = 0; index < numMessages; index++) {
    if (payload.length - p < 4) throw batchError('truncated batch entry header', { index, at: p });
    const metaSize = payload.readUInt32BE(p);
    p += 4;
    if (metaSize > payload.length - p)
      throw batchError('batch entry metadata exceeds payload', { index, metaSize });
    const metadata = decodeMetadata(payload, p, p + metaSize);
    p += metaSize;
    const size = metadata.payloadSize;
    if (size < 0 || size > payload.length - p)
      throw batchError('batch entry payload exceeds batch', { index, size });
    const body = payload.subarray(p, p + size);
    p += size;
    if (skipCompacted && metadata.compactedOut) continue;
    visit(index, metadata, metadata.nullValue ? null : body);
  }
  if (p !== payload.length)
    throw batchError('bytes left after the last batch entry', { left: payload.length - p });
}

function batchError(message: string, details: Record<string, unknown>): K2pError {
  return new K2pError('K2P_PLS_DECODE', message, details);
}
