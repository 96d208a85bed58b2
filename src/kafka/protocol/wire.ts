// Kafka's primitive types (big endian): a growing writer for requests and a cursor over a response's bytes.
// Only the non-flexible encodings (int16 lengths for strings, int32 for bytes and arrays): the API versions
// this client speaks all predate tagged fields.
import { K2pError } from '../../errors.js';

export class WireWriter {
  buf = Buffer.allocUnsafe(256);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.room(1);
    this.buf.writeInt8(v, this.pos++);
    return this;
  }

  int16(v: number): this {
    this.room(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  /** A number (Kafka offsets and ids stay below 2^53). */
  int64(v: number): this {
    this.room(8);
    this.pos = this.buf.writeBigInt64BE(BigInt(v), this.pos);
    return this;
  }

  /** int16 length + UTF-8; null as -1. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s, 'utf8');
    this.int16(len);
    this.room(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  /** int32 length + bytes; null as -1. */
  bytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  array<T>(items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export function protocolError(message: string, details: Record<string, unknown> = {}): K2pError {
  return new K2pError('K2P_KFK_PROTOCOL', message, details);
}

export class WireReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.end)
      throw protocolError(`a Kafka response ends early (${n} bytes wanted at ${this.pos} of ${this.end})`);
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A number: exact below 2^53, which Kafka offsets, timestamps and producer ids stay under. */
  int64(): number {
    this.need(8);
    const v = this.buf.readInt32BE(this.pos) * 4294967296 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw protocolError('a Kafka response has a null where a string must be');
    return s;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    this.pos += len;
    return this.buf.toString('utf8', this.pos - len, this.pos);
  }

  /** A view of the bytes (no copy); null as -1. */
  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len);
    this.pos += len;
    return this.buf.subarray(this.pos - len, this.pos);
  }

  array<T>(each: (r: this) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
}
