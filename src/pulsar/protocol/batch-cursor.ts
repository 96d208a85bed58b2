// Walks a decompressed batch payload message by message in place: where each message's metadata, key,
// properties and payload lie in the buffer, and its few numeric fields. Nothing is built per message (no
// string, object or BigInt), for readers that compare bytes. It reads only the plain encoding our encoder
// and the official clients write; anything else (a known field with another wire type, a group, a varint
// past 64 bits, a field past its end, a property without key or value, bytes left after the last message)
// stops it with `odd` set — the caller then decodes the entry the usual way (decodeBatch / scanBatch),
// which either reads it or says what is wrong with it.

/** Thrown inside the cursor only; next() turns it into `odd`. */
const ODD = new Error('odd batch encoding');

export class BatchCursor {
  buf: Buffer = Buffer.alloc(0);
  private left = 0;
  private at = 0;
  /** Batch index of the current message. */
  index = -1;
  /** The walk stopped on an encoding it does not read plainly (see above). */
  odd = false;
  metaStart = 0;
  metaEnd = 0;
  payloadStart = 0;
  payloadEnd = 0;
  nullValue = false;
  compactedOut = false;
  /** partition_key's bytes (keyStart -1: none). */
  keyStart = -1;
  keyLength = 0;
  keyB64 = false;
  nullKey = false;
  /** event_time as the decoder gives it (0 when absent). */
  eventTime = 0;
  /** sequence_id as a number (correctly rounded past 2^53, as Number(bigint)); hasSequenceId false when absent. */
  sequenceId = 0;
  hasSequenceId = false;
  /** The current property (after nextProperty): its key's and value's bytes. */
  nameStart = 0;
  nameLength = 0;
  valueStart = 0;
  valueLength = 0;
  private propAt = 0;
  private propEnd = 0;
  // Varint reader state.
  private pos = 0;
  private lo = 0;
  private hi = 0;

  /** Starts a walk over `payload` holding `count` messages. */
  reset(payload: Buffer, count: number): this {
    this.buf = payload;
    this.left = count;
    this.at = 0;
    this.index = -1;
    this.odd = false;
    return this;
  }

  /** Steps to the next message: false at the end, or when `odd` was set. */
  next(): boolean {
    if (this.odd) return false;
    const buf = this.buf;
    if (this.left === 0) {
      if (this.at !== buf.length) this.odd = true; // bytes after the last message
      return false;
    }
    try {
      if (buf.length - this.at < 4) throw ODD;
      const metaSize = buf.readUInt32BE(this.at);
      this.metaStart = this.at + 4;
      if (metaSize > buf.length - this.metaStart) throw ODD;
      this.metaEnd = this.metaStart + metaSize;
      const size = this.fields();
      if (size < 0 || size > buf.length - this.metaEnd) throw ODD;
      this.payloadStart = this.metaEnd;
      this.payloadEnd = this.metaEnd + size;
      this.at = this.payloadEnd;
    } catch (err) {
      if (err !== ODD) throw err;
      this.odd = true;
      return false;
    }
    this.left--;
    this.index++;
    return true;
  }

  /** Reads the metadata's fields; returns payload_size. */
  private fields(): number {
    const end = this.metaEnd;
    this.pos = this.metaStart;
    let size = -1;
    this.nullValue = false;
    this.compactedOut = false;
    this.keyStart = -1;
    this.keyLength = 0;
    this.keyB64 = false;
    this.nullKey = false;
    this.eventTime = 0;
    this.hasSequenceId = false;
    this.sequenceId = 0;
    while (this.pos < end) {
      const tag = this.varint32(end);
      switch (tag) {
        case 0x0a: // 1 properties: read by nextProperty
        case 0x3a: // 7 ordering_key: not needed
          this.skipBytes(end);
          break;
        case 0x12: {
          // 2 partition_key
          this.keyLength = this.len(end);
          this.keyStart = this.pos;
          this.pos += this.keyLength;
          break;
        }
        case 0x18: // 3 payload_size
          size = this.varint32(end) | 0;
          break;
        case 0x20: // 4 compacted_out
          this.compactedOut = this.varint32(end) !== 0;
          break;
        case 0x28: // 5 event_time
          this.varint(end);
          this.eventTime = this.hi * 4294967296 + this.lo;
          break;
        case 0x30: // 6 partition_key_b64_encoded
          this.keyB64 = this.varint32(end) !== 0;
          break;
        case 0x40: // 8 sequence_id
          this.varint(end);
          this.sequenceId = this.hi * 4294967296 + this.lo;
          this.hasSequenceId = true;
          break;
        case 0x48: // 9 null_value
          this.nullValue = this.varint32(end) !== 0;
          break;
        case 0x50: // 10 null_partition_key
          this.nullKey = this.varint32(end) !== 0;
          break;
        default: {
          const no = tag >>> 3;
          if (no >= 1 && no <= 10) throw ODD;
          this.skip(tag & 7, end);
        }
      }
    }
    if (size < 0) throw ODD; // payload_size is required
    return size;
  }

  /** Starts a walk over the current message's properties. */
  firstProperty(): void {
    this.propAt = this.metaStart;
    this.propEnd = this.metaEnd;
  }

  /**
   * Steps to the next property (nameStart/nameLength, valueStart/valueLength): false after the last one, or
   * when one is not plainly encoded (`odd` set).
   */
  nextProperty(): boolean {
    const end = this.propEnd;
    this.pos = this.propAt;
    try {
      while (this.pos < end) {
        const tag = this.varint32(end);
        if (tag !== 0x0a) {
          this.skip(tag & 7, end);
          continue;
        }
        const len = this.len(end);
        const kvEnd = this.pos + len;
        this.propAt = kvEnd;
        let name = false;
        let value = false;
        while (this.pos < kvEnd) {
          const t = this.varint32(kvEnd);
          if (t === 0x0a || t === 0x12) {
            const l = this.len(kvEnd);
            if (t === 0x0a) {
              this.nameStart = this.pos;
              this.nameLength = l;
              name = true;
            } else {
              this.valueStart = this.pos;
              this.valueLength = l;
              value = true;
            }
            this.pos += l;
          } else if (t >>> 3 === 1 || t >>> 3 === 2) {
            throw ODD;
          } else {
            this.skip(t & 7, kvEnd);
          }
        }
        if (!name || !value) throw ODD;
        return true;
      }
      this.propAt = end;
      return false;
    } catch (err) {
      if (err !== ODD) throw err;
      this.odd = true;
      this.propAt = end;
      return false;
    }
  }

  private varint(end: number): void {
    const buf = this.buf;
    let l = 0;
    let h = 0;
    let b = 0;
    let shift = 0;
    for (; shift < 28; shift += 7) {
      if (this.pos >= end) throw ODD;
      b = buf[this.pos++]!;
      l |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = l >>> 0;
        this.hi = 0;
        return;
      }
    }
    if (this.pos >= end) throw ODD;
    b = buf[this.pos++]!;
    l |= (b & 0x0f) << 28;
    h = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (shift = 3; shift < 32; shift += 7) {
        if (this.pos >= end) throw ODD;
        b = buf[this.pos++]!;
        h |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      if (b >= 0x80) throw ODD;
    }
    this.lo = l >>> 0;
    this.hi = h >>> 0;
  }

  private varint32(end: number): number {
    if (this.pos < end) {
      const b = this.buf[this.pos]!;
      if (b < 0x80) {
        this.pos++;
        return b;
      }
    }
    this.varint(end);
    return this.lo;
  }

  private len(end: number): number {
    const l = this.varint32(end);
    if (l > end - this.pos) throw ODD;
    return l;
  }

  private skipBytes(end: number): void {
    const l = this.len(end);
    this.pos += l;
  }

  private skip(wireType: number, end: number): void {
    switch (wireType) {
      case 0:
        this.varint(end);
        return;
      case 1:
        if (end - this.pos < 8) throw ODD;
        this.pos += 8;
        return;
      case 2:
        this.skipBytes(end);
        return;
      case 5:
        if (end - this.pos < 4) throw ODD;
        this.pos += 4;
        return;
      default:
        throw ODD;
    }
  }
}
