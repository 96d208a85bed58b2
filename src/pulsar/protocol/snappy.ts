// Raw snappy block decoder (no framing), as Pulsar's SNAPPY codec uses it. Our own because snappyjs's
// decoder neither bounds its writes nor checks the decoded length, so corrupt input decodes "fine".
// Compression stays with snappyjs: its output is valid (checked against the reference decoder).
import { K2pError } from '../../errors.js';

function corrupt(reason: string, details: Record<string, unknown> = {}): K2pError {
  return new K2pError('K2P_PLS_COMPRESSION', `snappy block is corrupt: ${reason}`, details);
}

export function snappyDecompress(src: Uint8Array, expectedSize: number): Buffer {
  const n = src.length;
  let ip = 0;
  // Preamble: the decoded length as a varint (at most 32 bits).
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= n || shift > 28) throw corrupt('bad length preamble');
    const b = src[ip++]!;
    size += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (size !== expectedSize)
    throw corrupt('length preamble differs from uncompressed_size', { size, expectedSize });
  const out = Buffer.allocUnsafe(size);
  let op = 0;
  while (ip < n) {
    const c = src[ip++]!;
    const kind = c & 3;
    if (kind === 0) {
      let len = c >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (n - ip < extra) throw corrupt('truncated literal length');
        len = 0;
        for (let i = 0; i < extra; i++) len += src[ip + i]! * 2 ** (8 * i);
        ip += extra;
      }
      len += 1;
      if (len > n - ip || len > size - op) throw corrupt('literal overruns', { ip, op, len });
      if (len < 32) for (let i = 0; i < len; i++) out[op++] = src[ip++]!;
      else {
        out.set(src.subarray(ip, ip + len), op);
        ip += len;
        op += len;
      }
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (ip >= n) throw corrupt('truncated copy');
      len = ((c >>> 2) & 7) + 4;
      offset = ((c >>> 5) << 8) | src[ip++]!;
    } else if (kind === 2) {
      if (n - ip < 2) throw corrupt('truncated copy');
      len = (c >>> 2) + 1;
      offset = src[ip]! | (src[ip + 1]! << 8);
      ip += 2;
    } else {
      if (n - ip < 4) throw corrupt('truncated copy');
      len = (c >>> 2) + 1;
      offset = (src[ip]! | (src[ip + 1]! << 8) | (src[ip + 2]! << 16) | (src[ip + 3]! << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op) throw corrupt('copy offset out of range', { offset, op });
    if (len > size - op) throw corrupt('copy overruns output', { op, len });
    let from = op - offset;
    if (offset >= len && len > 32) {
      out.copyWithin(op, from, from + len);
      op += len;
    } else {
      for (const stop = op + len; op < stop;) out[op++] = out[from++]!;
    }
  }
  if (op !== size) throw corrupt('decoded fewer bytes than announced', { op, size });
  return out;
}
