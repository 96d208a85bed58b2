// CRC32C (Castagnoli, reflected polynomial 0x82F63B78). Pulsar checksums [metadataSize][metadata][payload]
// of every SEND/MESSAGE with it, so it runs over every byte we send and receive.
// The hardware instruction through @node-rs/crc32 (a prebuilt binary from the npm registry: ~14 GB/s here)
// when it is installed for this platform; otherwise our slicing-by-8 JavaScript (~1.3 GB/s).
import { createRequire } from 'node:module';

type NativeCrc = (input: Uint8Array, initial?: number) => number;

function loadNative(): NativeCrc | undefined {
  if (process.env.K2P_CRC32C === 'js') return undefined;
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: NativeCrc };
    return mod.crc32c('123456789' as unknown as Uint8Array) === 0xe3069283 ? mod.crc32c : undefined;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which implementation is in use (reported by the benchmark). */
export const CRC32C_IMPLEMENTATION: 'native' | 'js' = native ? 'native' : 'js';

const POLY = 0x82f63b78;
const T = new Int32Array(8 * 256);

for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n]!;
  for (let t = 1; t < 8; t++) {
    c = T[c & 0xff]! ^ (c >>> 8);
    T[t * 256 + n] = c;
  }
}

/**
 * CRC32C of `buf[start, end)`. Pass the previous result as `crc` to continue a checksum over several
 * pieces: crc32c(b, crc32c(a)) === crc32c(a ‖ b).
 */
export function crc32c(buf: Uint8Array, crc = 0, start = 0, end = buf.length): number {
  if (native) return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end), crc);
  return crc32cJs(buf, crc, start, end);
}

/** The JavaScript implementation (always available; tests check both agree). */
export function crc32cJs(buf: Uint8Array, crc = 0, start = 0, end = buf.length): number {
  let c = ~crc;
  let i = start;
  const stop8 = end - ((end - start) & 7);
  while (i < stop8) {
    const lo = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      T[1792 + (lo & 0xff)]! ^
      T[1536 + ((lo >>> 8) & 0xff)]! ^
      T[1280 + ((lo >>> 16) & 0xff)]! ^
      T[1024 + (lo >>> 24)]! ^
      T[768 + buf[i + 4]!]! ^
      T[512 + buf[i + 5]!]! ^
      T[256 + buf[i + 6]!]! ^
      T[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = T[(c ^ buf[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
