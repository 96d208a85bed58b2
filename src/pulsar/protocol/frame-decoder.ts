// Turns arbitrary TCP chunks into frames. Frames that sit inside one chunk are decoded in place (payloads
// are views of the chunk); only a frame split across chunks is assembled, once, into an exact-size Buffer.
import { K2pError } from '../../errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE, FRAME_HEADROOM, decodeFrame, type Frame } from './frame.js';

export interface FrameDecoderOptions {
  /** Largest accepted frame, size prefix included. Default: 5 MiB + headroom. */
  maxFrameSize?: number;
}

export class FrameDecoder {
  private maxFrame: number;
  /** Bytes of an incomplete frame, in arrival order. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size of the frame being assembled (prefix included), once its 4 size bytes are known. */
  private want = -1;

  constructor(opts: FrameDecoderOptions = {}) {
    this.maxFrame = opts.maxFrameSize ?? DEFAULT_MAX_MESSAGE_SIZE + FRAME_HEADROOM;
  }

  get maxFrameSize(): number {
    return this.maxFrame;
  }

  /** Adopt the broker's CONNECTED.max_message_size (plus header room). */
  setMaxMessageSize(maxMessageSize: number): void {
    this.maxFrame = maxMessageSize + FRAME_HEADROOM;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Feeds one chunk; returns the frames it completed, in order. Throws K2P_PLS_FRAME on an oversized or
   * malformed frame — the stream cannot be resynchronised after that, so close the connection.
   */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    if (this.pendingBytes > 0) {
      offset = this.continuePending(chunk, frames);
      if (offset < 0) return frames;
    }
    // Fast path: whole frames inside this chunk.
    while (chunk.length - offset >= 4) {
      const size = this.checkedSize(chunk.readUInt32BE(offset));
      if (chunk.length - offset < size) break;
      frames.push(decodeFrame(chunk, offset, offset + size));
      offset += size;
    }
    if (offset < chunk.length) {
      const rest = chunk.subarray(offset);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
      this.want = rest.length >= 4 ? this.checkedSize(rest.readUInt32BE(0)) : -1;
    }
    return frames;
  }

  /** Drops any partial frame (after a reconnect). */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.want = -1;
  }

  private checkedSize(totalSize: number): number {
    const size = totalSize + 4;
    if (size > this.maxFrame) {
      throw new K2pError('K2P_PLS_FRAME', `frame of ${size} bytes exceeds the limit of ${this.maxFrame}`, {
        size,
        maxFrameSize: this.maxFrame,
      });
    }
    if (totalSize < 4)
      throw new K2pError('K2P_PLS_FRAME', `frame size ${totalSize} is too small`, { totalSize });
    return size;
  }

  /**
   * Adds `chunk` to the partial frame. Returns the offset in `chunk` where unconsumed bytes start, or -1 if
   * the whole chunk was absorbed and the frame is still incomplete.
   */
  private continuePending(chunk: Buffer, frames: Frame[]): number {
    if (this.want < 0) {
      const header = Buffer.concat([...this.pending, chunk.subarray(0, 4)]);
      if (header.length < 4) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        return -1;
      }
      this.want = this.checkedSize(header.readUInt32BE(0));
    }
    const missing = this.want - this.pendingBytes;
    if (chunk.length < missing) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      return -1;
    }
    const frameBuf = Buffer.allocUnsafe(this.want);
    let at = 0;
    for (const part of this.pending) {
      part.copy(frameBuf, at);
      at += part.length;
    }
    chunk.copy(frameBuf, at, 0, missing);
    this.reset();
    frames.push(decodeFrame(frameBuf, 0, frameBuf.length));
    return missing;
  }
}
