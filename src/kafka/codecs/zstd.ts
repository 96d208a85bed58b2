// Kafka's zstd: one or more zstd frames (@bokuweb/zstd-wasm: the reference C library compiled to WASM,
// shipped in the npm package). The Java client streams, so frames often carry no content size: then the
// output buffer starts at a guess and doubles until the frame fits, up to a cap.
import { compress, decompress, init } from '@bokuweb/zstd-wasm';
import { K2pError } from '../../errors.js';

/** zstd level of the Java and librdkafka producers' default. */
const LEVEL = 3;
/** Largest decompressed batch accepted (a corrupt or hostile batch must not exhaust memory). */
export const ZSTD_MAX_OUTPUT = 1 << 30;

/**
 * The one load of the WASM module in this process, shared with the Pulsar codecs (which cannot import this
 * floor) through a global key: the package's init() instantiates the module again on every call, and the
 * new instance, arriving asynchronously, corrupts the one in use (compress then returned zeros).
 */
const ZSTD_INIT = Symbol.for('k2p.zstd-wasm.init');

/** Loads the WASM module once per process (reads a file from the package); the codec calls it itself. */
export function loadZstd(): Promise<void> {
  const g = globalThis as { [ZSTD_INIT]?: Promise<void> };
  g[ZSTD_INIT] ??= init();
  return g[ZSTD_INIT];
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Declared content size of the first frame, or undefined when the frame does not say. */
export function zstdContentSize(data: Uint8Array): number | undefined {
  if (data.length < 6 || data[0] !== 0x28 || data[1] !== 0xb5 || data[2] !== 0x2f || data[3] !== 0xfd) return undefined;
  const fhd = data[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd & 0x20) !== 0;
  const dictIdSize = [0, 1, 2, 4][fhd & 3]!;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
  if (fcsSize === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictIdSize;
  if (at + fcsSize > data.length) return undefined;
  const view = asBuffer(data);
  if (fcsSize === 1) return view[at]!;
  if (fcsSize === 2) return view.readUInt16LE(at) + 256;
  if (fcsSize === 4) return view.readUInt32LE(at);
  return Number(view.readBigUInt64LE(at));
}

export async function zstdKafkaDecompress(data: Uint8Array): Promise<Buffer> {
  await loadZstd();
  const declared = zstdContentSize(data);
  let capacity = declared ?? Math.max(1 << 20, data.length * 8);
  for (;;) {
    try {
      return asBuffer(decompress(data, { defaultHeapSize: capacity }));
    } catch (err) {
      // With a declared size, or at the cap, a failure is real; otherwise the guess was too small.
      if (declared !== undefined || capacity >= ZSTD_MAX_OUTPUT) {
        const why = err instanceof Error ? err.message : String(err);
        throw new K2pError('K2P_KFK_CODEC', `zstd: cannot decompress a ${data.length}-byte batch: ${why}`, { codec: 'zstd', capacity }, { cause: err });
      }
      capacity = Math.min(capacity * 2, ZSTD_MAX_OUTPUT);
    }
  }
}

export async function zstdKafkaCompress(data: Uint8Array): Promise<Buffer> {
  await loadZstd();
  return asBuffer(compress(data, LEVEL));
}
