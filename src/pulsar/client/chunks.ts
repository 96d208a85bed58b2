// Reassembles chunked messages (MessageMetadata uuid / chunk_id / num_chunks_from_msg) into one payload.
// Chunks of one message arrive in order on one partition, possibly interleaved with other messages.
import { K2pError } from '../../errors.js';
import type { MessageMetadata } from '../protocol/index.js';
import type { MessageId } from './message-id.js';

interface Pending {
  parts: Buffer[];
  size: number;
  ids: MessageId[];
  startedAt: number;
}

export interface Assembled {
  payload: Buffer;
  /** Every chunk's id: all must be acknowledged. The last is the message's id. */
  chunkIds: MessageId[];
}

export class ChunkAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    /** Incomplete messages kept at most; the oldest is dropped (and reported) beyond. */
    private readonly maxPending = 100,
    /** Incomplete messages older than this are dropped (and reported). */
    private readonly expireMs = 60_000,
  ) {}

  /**
   * Adds one chunk. Returns the whole message when this was its last chunk, undefined otherwise.
   * Throws when a chunk arrives out of order (its earlier chunks are then discarded).
   */
  add(metadata: MessageMetadata, payload: Buffer, id: MessageId): Assembled | undefined {
    const uuid = metadata.uuid ?? '';
    const chunkId = metadata.chunkId ?? 0;
    const total = metadata.numChunksFromMsg ?? 1;
    let entry = this.pending.get(uuid);
    if (chunkId === 0) {
      entry = { parts: [], size: 0, ids: [], startedAt: Date.now() };
      this.pending.set(uuid, entry);
      this.evict();
    }
    if (!entry || entry.parts.length !== chunkId) {
      this.pending.delete(uuid);
      throw new K2pError('K2P_PLS_DECODE', `chunk ${chunkId} of message ${uuid} arrived without chunks 0..${chunkId - 1}`, { uuid, chunkId });
    }
    // Copy: the frame's buffer is reused once this MESSAGE has been handled.
    entry.parts.push(Buffer.from(payload));
    entry.size += payload.length;
    entry.ids.push(id);
    if (entry.parts.length < total) return undefined;
    this.pending.delete(uuid);
    if (metadata.totalChunkMsgSize !== undefined && entry.size !== metadata.totalChunkMsgSize) {
      throw new K2pError('K2P_PLS_DECODE', `chunked message ${uuid}: ${entry.size} bytes, expected ${metadata.totalChunkMsgSize}`, { uuid });
    }
    return { payload: Buffer.concat(entry.parts, entry.size), chunkIds: entry.ids };
  }

  /** Chunk ids of incomplete messages dropped for age or count (the caller acknowledges them). */
  expired: MessageId[] = [];

  private evict(): void {
    const now = Date.now();
    for (const [uuid, p] of this.pending) {
      if (this.pending.size <= this.maxPending && now - p.startedAt < this.expireMs) break;
      this.pending.delete(uuid);
      this.expired.push(...p.ids);
    }
  }
}
