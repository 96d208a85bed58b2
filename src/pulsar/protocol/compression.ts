// Payload codecs as Pulsar uses them:
//   LZ4    raw LZ4 block, no frame (our own lz4.ts)
//   ZLIB   zlib stream with header, as java.util.zip.Deflater writes it (node:zlib)
//   ZSTD   one zstd frame (@bokuweb/zstd-wasm: the reference C library compiled to WASM, shipped in the package)
//   SNAPPY raw snappy block, no framing (compress: snappyjs, pure JS; decompress: our checked snappy.ts)
// The decoded size is always known from MessageMetadata.uncompressed_size and is checked.
import { deflateSync, inflateSync } from 'node:zlib';
import * as snappy from 'snappyjs';
import { compress as zstdCompress, decompress as zstdDecompress, init as zstdInit } from '@bokuweb/zstd-wasm';
import { K2pError } from '../../errors.js';
import type { CompressionType } from './enums.js';
import { lz4CompressBlock, lz4DecompressBlock } from './lz4.js';
import { snappyDecompress } from './snappy.js';

/** Level used by the Java client for ZSTD. */
export const ZSTD_LEVEL = 3;

const ZSTD_INIT = Symbol.for('k2p.zstd-wasm.init');
let zstdReady = false;
let zstdLoading: Promise<void> | undefined;

/**
 * Loads the ZSTD WebAssembly module (reads a file shipped in the npm package). Call once at start-up;
 * the other codecs need nothing.
 */
export function initCompression(): Promise<void> {
  // One load per process, shared with the Kafka codecs through a global key: the package's init()
  // instantiates the module again on every call, and the new instance corrupts the one in use.
  const g = globalThis as { [ZSTD_INIT]?: Promise<void> };
  g[ZSTD_INIT] ??= zstdInit();
  zstdLoading ??= g[ZSTD_INIT].then(() => {
    zstdReady = true;
  });
  return zstdLoading;
}

export function isCompressionReady(type: CompressionType): boolean {
  return type !== 'ZSTD' || zstdReady;
}

function fail(
  type: CompressionType,
  op: string,
  cause: unknown,
  details: Record<string, unknown> = {},
): K2pError {
  if (cause instanceof K2pError) return cause;
  const why = cause instanceof Error ? cause.message : String(cause);
  return new K2pError('K2P_PLS_COMPRESSION', `${type} ${op} failed: ${why}`, { type, ...details }, { cause });
}

function requireZstd(): void {
  if (!zstdReady) {
    throw new K2pError(
      'K2P_PLS_COMPRESSION',
      'ZSTD codec not loaded: await initCompression() once at start-up',
      {
        type: 'ZSTD',
      },
    );
  }
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.length);
}

/** Compresses a (batch) payload. NONE returns the input itself. */
export function compress(type: CompressionType, data: Uint8Array): Buffer {
  try {
    switch (type) {
      case 'NONE':
        return asBuffer(data);
      case 'LZ4':
        return lz4CompressBlock(data);
      case 'ZLIB':
        return deflateSync(data);
      case 'ZSTD':
        requireZstd();
        return asBuffer(zstdCompress(data, ZSTD_LEVEL));
      case 'SNAPPY':
        // snappyjs returns a copy sized exactly; wrap it without another copy.
        return asBuffer(snappy.compress(data));
    }
  } catch (err) {
    throw fail(type, 'compression', err);
  }
  throw new K2pError('K2P_PLS_COMPRESSION', `unknown compression type ${String(type)}`);
}

/** Decompresses to exactly `uncompressedSize` bytes or throws K2P_PLS_COMPRESSION. */
export function decompress(type: CompressionType, data: Uint8Array, uncompressedSize: number): Buffer {
  let out: Buffer;
  try {
    switch (type) {
      case 'NONE':
        out = asBuffer(data);
        break;
      case 'LZ4':
        out = lz4DecompressBlock(data, uncompressedSize);
        break;
      case 'ZLIB':
        // maxOutputLength stops a corrupt or hostile stream from inflating past what metadata promised.
        out = inflateSync(data, { maxOutputLength: Math.max(1, uncompressedSize) });
        break;
      case 'ZSTD':
        requireZstd();
        // The size hint covers frames written without a content size (streaming encoders).
        out = asBuffer(zstdDecompress(data, { defaultHeapSize: Math.max(1, uncompressedSize) }));
        break;
      case 'SNAPPY':
        out = snappyDecompress(data, uncompressedSize);
        break;
      default:
        throw new K2pError('K2P_PLS_COMPRESSION', `unknown compression type ${String(type)}`);
    }
  } catch (err) {
    throw fail(type, 'decompression', err, { uncompressedSize, compressedSize: data.length });
  }
  if (out.length !== uncompressedSize) {
    throw new K2pError(
      'K2P_PLS_COMPRESSION',
      `${type} payload decoded to ${out.length} bytes, expected ${uncompressedSize}`,
      {
        type,
        uncompressedSize,
        actual: out.length,
      },
    );
  }
  return out;
}
