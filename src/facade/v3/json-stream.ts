// Splits a byte stream of concatenated JSON objects (`{...}{...}` or one per line) into the bytes of each
// object (a view of the chunk, or a copy when it spans chunks), without parsing or decoding them: braces and
// quotes are ASCII, so scanning UTF-8 bytes is safe.
export class JsonObjectSplitter {
  private parts: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Set once something other than an object or whitespace appears at the top level. */
  junk: string | undefined;

  /** Feeds bytes; returns the objects completed by them. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (this.junk !== undefined) return out;
    // The scan state lives in locals while the loop runs (V8 keeps them in registers; fields it would
    // load and store for every byte) and goes back to the fields at the end.
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let start = depth > 0 ? 0 : -1;
    const n = chunk.length;
    let i = 0;
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      if (depth === 0) {
        if (c === 0x7b) {
          depth = 1;
          start = i;
        } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          this.junk = chunk.subarray(i, i + 20).toString('utf8');
          break;
        }
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          if (this.parts.length === 0) out.push(chunk.subarray(start, i + 1));
          else {
            this.parts.push(chunk.subarray(start, i + 1));
            out.push(Buffer.concat(this.parts));
            this.parts = [];
          }
          start = -1;
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (depth > 0 && start >= 0) this.parts.push(chunk.subarray(start));
    return out;
  }

  /** True when the stream ended inside an object. */
  get incomplete(): boolean {
    return this.depth > 0;
  }
}
