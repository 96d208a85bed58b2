// Minimal protobuf (proto2) wire primitives: just what Pulsar's PulsarApi.proto needs.
// uint64/int64 travel as two uint32 halves so the common small values never allocate a bigint.
import { K2pError } from '../../errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;
/** Strings shorter than this (their length fits one varint byte) are tried as ASCII first. */
const SHORT_STRING = 64;

function decodeError(message: string, details: Record<string, unknown> = {}): K2pError {
  return new K2pError('K2P_PLS_DECODE', message, details);
}

/** Appends protobuf fields to a growable buffer; `fork`/`join` write nested messages in place. */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  private readonly forks: number[] = [];

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): this {
    this.pos = 0;
    this.forks.length = 0;
    return this;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  tag(fieldNo: number, wireType: number): void {
    this.varint32(((fieldNo << 3) | wireType) >>> 0);
  }

  /** Unsigned 32-bit varint. */
  varint32(value: number): void {
    this.ensure(5);
    const b = this.buf;
    let v = value >>> 0;
    while (v > 0x7f) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** 64-bit varint from its halves. */
  varint64(lo: number, hi: number): void {
    if (hi === 0) return this.varint32(lo);
    this.ensure(10);
    const b = this.buf;
    let l = lo >>> 0;
    let h = hi >>> 0;
    while (h > 0 || l > 0x7f) {
      b[this.pos++] = (l & 0x7f) | 0x80;
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h >>>= 7;
    }
    b[this.pos++] = l;
  }

  /** int32: negatives are sign-extended to ten bytes, as proto2 requires. */
  int32(value: number): void {
    if (value >= 0) this.varint32(value);
    else this.varint64(value >>> 0, 0xffffffff);
  }

  uint64(value: bigint): void {
    if (value >= 0n && value <= 0xffffffffn) return this.varint32(Number(value));
    const v = BigInt.asUintN(64, value);
    this.varint64(Number(v & 0xffffffffn), Number(v >> 32n));
  }

  /** A uint64 field carried as a JS number (millisecond timestamps). */
  uint64n(value: number): void {
    if (value >= 0 && value <= 0xffffffff) return this.varint32(value);
    if (value < 0 || !Number.isSafeInteger(value)) return this.uint64(BigInt(Math.trunc(value)));
    this.varint64(value >>> 0, Math.floor(value / TWO_32));
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  string(value: string): void {
    if (value.length < SHORT_STRING && this.ascii(value)) return;
    const len = Buffer.byteLength(value, 'utf8');
    this.varint32(len);
    this.ensure(len);
    this.pos += this.buf.write(value, this.pos, len, 'utf8');
  }

  /**
   * Writes a short all-ASCII string (length byte and chars) and returns true; false, with nothing written,
   * when it has another char. Names, keys and decimal numbers of every message are such strings, and two
   * native calls (byteLength, write) cost more than this loop.
   */
  private ascii(value: string): boolean {
    const n = value.length;
    this.ensure(n + 1);
    const b = this.buf;
    const at = this.pos + 1;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) return false;
      b[at + i] = c;
    }
    b[this.pos] = n;
    this.pos = at + n;
    return true;
  }

  bytes(value: Uint8Array): void {
    this.varint32(value.length);
    this.raw(value);
  }

  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  uint32BE(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** Starts a length-delimited nested message: one length byte is reserved, widened in `join` if needed. */
  fork(fieldNo: number): void {
    this.tag(fieldNo, WIRE_LEN);
    this.ensure(1);
    this.forks.push(this.pos);
    this.pos += 1;
  }

  join(): void {
    const at = this.forks.pop();
    if (at === undefined) throw new K2pError('K2P_PLS_ENCODE', 'join() without fork()');
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const width = varintSize(len);
    this.ensure(width - 1);
    this.buf.copyWithin(at + width, at + 1, this.pos);
    this.pos += width - 1;
    let v = len;
    let p = at;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /** A copy of what was written, sized exactly. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

export function varintSize(value: number): number {
  let v = value >>> 0;
  let n = 1;
  while (v > 0x7f) {
    v >>>= 7;
    n++;
  }
  return n;
}

/** Reads protobuf fields from a Buffer range; bytes come back as views, never copies. */
export class ProtoReader {
  pos: number;
  end: number;
  /** Halves of the last 64-bit varint read by `varint64`. */
  lo = 0;
  hi = 0;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  private byte(): number {
    if (this.pos >= this.end) throw decodeError('truncated varint', { at: this.pos });
    return this.buf[this.pos++]!;
  }

  /** A varint truncated to its low 32 bits (unsigned). */
  uint32(): number {
    const b = this.buf;
    // Fast path: one-byte varints are the common case (tags, small ids, enum values).
    if (this.pos < this.end && b[this.pos]! < 0x80) return b[this.pos++]!;
    this.varint64();
    return this.lo;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  varint64(): void {
    let lo = 0;
    let hi = 0;
    let byte: number;
    let shift = 0;
    for (; shift < 28; shift += 7) {
      byte = this.byte();
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    byte = this.byte();
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x7f) >> 4;
    if (byte >= 0x80) {
      for (shift = 3; shift < 32; shift += 7) {
        byte = this.byte();
        hi |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      if (byte >= 0x80) throw decodeError('varint longer than 10 bytes', { at: this.pos });
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  uint64(): bigint {
    this.varint64();
    return this.hi === 0 ? BigInt(this.lo) : (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  /** A uint64 as a number; exact up to 2^53 (plenty for millisecond timestamps). */
  uint64n(): number {
    this.varint64();
    return this.hi * TWO_32 + this.lo;
  }

  /** An int64 as a number (negative values are sign-extended). */
  int64n(): number {
    this.varint64();
    if (this.hi & 0x80000000) return Number(BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo)));
    return this.hi * TWO_32 + this.lo;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** Length prefix of a length-delimited field, checked against the range. */
  length(): number {
    const len = this.uint32();
    if (len > this.end - this.pos) {
      throw decodeError('length-delimited field runs past its message', {
        at: this.pos,
        len,
        left: this.end - this.pos,
      });
    }
    return len;
  }

  bytes(): Buffer {
    const len = this.length();
    const start = this.pos;
    this.pos += len;
    return this.buf.subarray(start, start + len);
  }

  string(): string {
    const len = this.length();
    const start = this.pos;
    this.pos += len;
    return this.buf.toString('utf8', start, start + len);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.advance(this.length());
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        // Groups (3/4) are not used by PulsarApi.proto; anything else is corrupt.
        throw decodeError(`unsupported wire type ${wireType}`, { at: this.pos });
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw decodeError('field runs past its message', { at: this.pos, n });
    this.pos += n;
  }
}
