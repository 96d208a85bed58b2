// Request framing: [size int32][api_key int16][api_version int16][correlation_id int32][client_id string]
// [body] (request header v1), and the response framing [size int32][correlation_id int32][body] (response
// header v0: every API version this client speaks is non-flexible). FrameSplitter cuts a byte stream into
// responses without copying a big response piece by piece.
import { protocolError, WireWriter } from './wire.js';

export function encodeRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string,
  body: (w: WireWriter) => void,
): Buffer {
  const w = new WireWriter().int32(0).int16(apiKey).int16(apiVersion).int32(correlationId).string(clientId);
  body(w);
  const out = w.done();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

/** Largest response accepted (a fetch answers at most its max_bytes plus one oversized batch). */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

export class FrameSplitter {
  private chunks: Buffer[] = [];
  private length = 0;

  /** Feeds received bytes; returns the whole responses now complete (correlation id first, then body). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.length < 4) return out;
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.flatten();
      const size = head.readInt32BE(0);
      if (size < 4 || size > MAX_RESPONSE_BYTES)
        throw protocolError(`a Kafka response claims ${size} bytes`, { size });
      if (this.length < 4 + size) return out;
      const all = this.flatten();
      out.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0]!;
  }
}
