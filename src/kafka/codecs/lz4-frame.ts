// The LZ4 *frame* format (lz4 v1.6+ frame spec), which Kafka uses for compression.type=lz4 in record
// batches (magic 2). Decoding supports everything a producer may write: independent or linked blocks,
// block and content checksums (verified), a content size, concatenated and skippable frames. Encoding
// writes a valid frame of *stored* (uncompressed) 64 KiB blocks: the gateway only reads LZ4 from Kafka,
// so no compressor is carried; every LZ4 reader accepts such frames. Pure, no I/O.
import { K2pError } from '../../errors.js';
import { xxhash32 } from './xxhash32.js';

const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAX: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
const STORED_BLOCK = 64 << 10;

function fail(message: string, details: Record<string, unknown> = {}): K2pError {
  return new K2pError('K2P_KFK_CODEC', `lz4 frame: ${message}`, { codec: 'lz4', ...details });
}

/** An output buffer that grows by doubling. */
class Output {
  buf: Buffer;
  len = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }
  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** Decodes one LZ4 block from src[start, end) into out (back references may reach earlier blocks). */
function decodeBlock(src: Uint8Array, start: number, end: number, out: Output, blockMax: number): void {
  out.ensure(blockMax);
  const dst = out.buf;
  const limit = out.len + blockMax;
  let ip = start;
  let op = out.len;
  while (ip < end) {
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (ip >= end) throw fail('literal length runs past the block');
        b = src[ip++]!;
        literals += b;
      } while (b === 255);
    }
    if (ip + literals > end || op + literals > limit) throw fail('literals run past the block');
    dst.set(src.subarray(ip, ip + literals), op);
    ip += literals;
    op += literals;
    if (ip >= end) break; // the last sequence has literals only
    if (ip + 2 > end) throw fail('truncated match offset');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw fail(`match offset ${offset} points before the output`);
    let match = token & 15;
    if (match === 15) {
      let b: number;
      do {
        if (ip >= end) throw fail('match length runs past the block');
        b = src[ip++]!;
        match += b;
      } while (b === 255);
    }
    match += 4;
    if (op + match > limit) throw fail('match runs past the block size');
    let from = op - offset;
    if (offset >= match) {
      dst.copyWithin(op, from, from + match);
      op += match;
    } else {
      for (let k = 0; k < match; k++) dst[op++] = dst[from++]!;
    }
  }
  out.len = op;
}

function u32(src: Uint8Array, i: number): number {
  if (i + 4 > src.length) throw fail('truncated frame', { at: i });
  return (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
}

/** Decodes one frame starting at `pos`; returns the position after it. */
function decodeFrame(src: Uint8Array, pos: number, out: Output): number {
  const flg = src[pos + 4];
  const bd = src[pos + 5];
  if (flg === undefined || bd === undefined) throw fail('truncated frame header');
  if (flg >> 6 !== 1) throw fail(`unsupported frame version ${flg >> 6}`);
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSizeFlag = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  if (flg & 0x01) throw fail('frames with a dictionary id are not supported');
  const blockMax = BLOCK_MAX[(bd >> 4) & 7];
  if (blockMax === undefined) throw fail(`invalid block maximum size code ${(bd >> 4) & 7}`);
  let p = pos + 6;
  let contentSize: number | undefined;
  if (contentSizeFlag) {
    contentSize = u32(src, p) + u32(src, p + 4) * 2 ** 32;
    p += 8;
  }
  if (p >= src.length) throw fail('truncated frame header');
  // Header checksum: second byte of xxh32 over the descriptor (FLG .. before HC). Kafka's magic-0/1
  // messages hashed the magic number too (KAFKA-3160); record batches (magic 2) follow the spec.
  const hc = (xxhash32(src, 0, pos + 4, p) >>> 8) & 0xff;
  const hcLegacy = (xxhash32(src, 0, pos, p) >>> 8) & 0xff;
  if (src[p] !== hc && src[p] !== hcLegacy) throw fail('header checksum mismatch');
  p += 1;
  const frameStart = out.len;
  if (contentSize !== undefined) out.ensure(contentSize);
  for (;;) {
    const word = u32(src, p);
    p += 4;
    if (word === 0) break; // end mark
    const size = word & 0x7fffffff;
    const stored = (word & 0x80000000) !== 0;
    if (size > blockMax || p + size > src.length) throw fail(`block of ${size} bytes exceeds the frame`, { at: p });
    if (blockChecksum && xxhash32(src, 0, p, p + size) !== u32(src, p + size)) throw fail('block checksum mismatch', { at: p });
    if (stored) {
      out.ensure(size);
      out.buf.set(src.subarray(p, p + size), out.len);
      out.len += size;
    } else {
      decodeBlock(src, p, p + size, out, blockMax);
    }
    p += size + (blockChecksum ? 4 : 0);
  }
  if (contentChecksum) {
    if (xxhash32(out.buf, 0, frameStart, out.len) !== u32(src, p)) throw fail('content checksum mismatch');
    p += 4;
  }
  if (contentSize !== undefined && out.len - frameStart !== contentSize) {
    throw fail(`content size ${out.len - frameStart} differs from the declared ${contentSize}`);
  }
  return p;
}

/** Decompresses one or more concatenated LZ4 frames (skippable frames are skipped). */
export function lz4FrameDecompress(src: Uint8Array): Buffer {
  const out = new Output(src.length * 4);
  let pos = 0;
  while (pos < src.length) {
    const magic = u32(src, pos);
    if (magic === MAGIC) {
      pos = decodeFrame(src, pos, out);
    } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + u32(src, pos + 4);
    } else {
      throw fail(`bad magic number 0x${magic.toString(16)}`, { at: pos });
    }
  }
  if (pos !== src.length) throw fail('truncated skippable frame');
  return out.buf.subarray(0, out.len);
}

/** One LZ4 frame of stored 64 KiB blocks with a content checksum (valid for every LZ4 frame reader). */
export function lz4FrameCompress(data: Uint8Array): Buffer {
  const blocks = Math.ceil(data.length / STORED_BLOCK);
  const out = Buffer.alloc(7 + blocks * 4 + data.length + 4 + 4);
  out.writeUInt32LE(MAGIC, 0);
  out[4] = 0x64; // version 01, independent blocks, content checksum
  out[5] = 0x40; // block maximum size 64 KiB
  out[6] = (xxhash32(out, 0, 4, 6) >>> 8) & 0xff;
  let p = 7;
  for (let i = 0; i < data.length; i += STORED_BLOCK) {
    const block = data.subarray(i, Math.min(i + STORED_BLOCK, data.length));
    out.writeUInt32LE((0x80000000 | block.length) >>> 0, p);
    out.set(block, p + 4);
    p += 4 + block.length;
  }
  out.writeUInt32LE(0, p); // end mark
  out.writeUInt32LE(xxhash32(data), p + 4);
  return out;
}
