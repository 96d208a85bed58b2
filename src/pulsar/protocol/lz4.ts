// LZ4 block format (no frame), as Pulsar's LZ4 codec uses it. Our own, because the common pure-JS
// package (lz4js) emits blocks that break the format's end-of-block rules and reference decoders reject.
// Rules kept here: the last match starts >= 12 bytes before the end; the last 5 bytes are literals.
import { K2pError } from '../../errors.js';

const MIN_MATCH = 4;
const MF_LIMIT = 12;
const LAST_LITERALS = 5;
const MAX_OFFSET = 65535;
const MAX_HASH_LOG = 16;

let table = new Int32Array(1 << MAX_HASH_LOG);

export function lz4CompressBound(n: number): number {
  return n + ((n / 255) | 0) + 16;
}

export function lz4CompressBlock(src: Uint8Array): Buffer {
  const n = src.length;
  const out = Buffer.allocUnsafe(lz4CompressBound(n));
  let op = 0;
  let anchor = 0;
  if (n > MF_LIMIT) {
    // Smaller tables for small inputs: clearing 256 KiB for a 100-byte message would dominate.
    let hashLog = 10;
    while (hashLog < MAX_HASH_LOG && 1 << hashLog < n) hashLog++;
    const shift = 32 - hashLog;
    if (table.length < 1 << hashLog) table = new Int32Array(1 << MAX_HASH_LOG);
    table.fill(-1, 0, 1 << hashLog);
    const matchStartLimit = n - MF_LIMIT;
    const matchEndLimit = n - LAST_LITERALS;
    let ip = 0;
    let misses = 1 << 6;
    while (ip < matchStartLimit) {
      const seq = src[ip]! | (src[ip + 1]! << 8) | (src[ip + 2]! << 16) | (src[ip + 3]! << 24);
      const h = Math.imul(seq, 0x9e3779b1) >>> shift;
      let ref = table[h]!;
      table[h] = ip;
      if (
        ref < 0 ||
        ip - ref > MAX_OFFSET ||
        (src[ref]! | (src[ref + 1]! << 8) | (src[ref + 2]! << 16) | (src[ref + 3]! << 24)) !== seq
      ) {
        // Skip faster through incompressible data, as the reference implementation does.
        ip += misses++ >> 6;
        continue;
      }
      misses = 1 << 6;
      let start = ip;
      while (start > anchor && ref > 0 && src[start - 1] === src[ref - 1]) {
        start--;
        ref--;
      }
      let end = ip + MIN_MATCH;
      let r = ref + (end - start);
      while (end < matchEndLimit && src[end] === src[r]) {
        end++;
        r++;
      }
      op = writeSequence(out, op, src, anchor, start, start - ref, end - start);
      anchor = end;
      ip = end;
      if (ip < matchStartLimit) {
        const s2 = ip - 2;
        table[
          Math.imul(
            src[s2]! | (src[s2 + 1]! << 8) | (src[s2 + 2]! << 16) | (src[s2 + 3]! << 24),
            0x9e3779b1,
          ) >>> shift
        ] = s2;
      }
    }
  }
  op = writeLiterals(out, op, src, anchor, n, 0);
  return out.subarray(0, op);
}

function writeLiterals(
  out: Buffer,
  op: number,
  src: Uint8Array,
  from: number,
  to: number,
  matchNibble: number,
): number {
  const lit = to - from;
  const tokenAt = op++;
  if (lit >= 15) {
    out[tokenAt] = 0xf0 | matchNibble;
    let l = lit - 15;
    while (l >= 255) {
      out[op++] = 255;
      l -= 255;
    }
    out[op++] = l;
  } else {
    out[tokenAt] = (lit << 4) | matchNibble;
  }
  if (lit < 32) for (let i = from; i < to; i++) out[op++] = src[i]!;
  else {
    out.set(src.subarray(from, to), op);
    op += lit;
  }
  return op;
}

function writeSequence(
  out: Buffer,
  op: number,
  src: Uint8Array,
  anchor: number,
  matchStart: number,
  offset: number,
  matchLen: number,
): number {
  const ml = matchLen - MIN_MATCH;
  const tokenAt = op;
  op = writeLiterals(out, op, src, anchor, matchStart, ml >= 15 ? 15 : ml);
  out[tokenAt] = (out[tokenAt]! & 0xf0) | (ml >= 15 ? 15 : ml);
  out[op++] = offset & 0xff;
  out[op++] = offset >>> 8;
  if (ml >= 15) {
    let l = ml - 15;
    while (l >= 255) {
      out[op++] = 255;
      l -= 255;
    }
    out[op++] = l;
  }
  return op;
}

function corrupt(reason: string, details: Record<string, unknown> = {}): K2pError {
  return new K2pError('K2P_PLS_COMPRESSION', `LZ4 block is corrupt: ${reason}`, details);
}

/** Decodes a block whose decoded size is known (MessageMetadata.uncompressed_size); every read is bounds-checked. */
export function lz4DecompressBlock(src: Uint8Array, uncompressedSize: number): Buffer {
  const out = Buffer.allocUnsafe(uncompressedSize);
  const n = src.length;
  let ip = 0;
  let op = 0;
  for (;;) {
    if (ip >= n) throw corrupt('ended without final literals', { ip });
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= n) throw corrupt('truncated literal length');
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > n - ip || lit > uncompressedSize - op) throw corrupt('literals overrun', { ip, op, lit });
    if (lit < 32) for (let i = 0; i < lit; i++) out[op++] = src[ip++]!;
    else {
      out.set(src.subarray(ip, ip + lit), op);
      ip += lit;
      op += lit;
    }
    if (ip === n) break;
    if (n - ip < 2) throw corrupt('truncated offset');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw corrupt('offset out of range', { offset, op });
    let ml = token & 15;
    if (ml === 15) {
      let b: number;
      do {
        if (ip >= n) throw corrupt('truncated match length');
        b = src[ip++]!;
        ml += b;
      } while (b === 255);
    }
    ml += MIN_MATCH;
    if (ml > uncompressedSize - op) throw corrupt('match overruns output', { op, ml });
    let from = op - offset;
    if (offset >= ml && ml > 32) {
      out.copyWithin(op, from, from + ml);
      op += ml;
    } else {
      // Overlapping copies repeat the last `offset` bytes; a byte loop does that naturally.
      for (const stop = op + ml; op < stop;) out[op++] = out[from++]!;
    }
  }
  if (op !== uncompressedSize)
    throw corrupt('decoded size differs from uncompressed_size', { op, uncompressedSize });
  return out;
}
