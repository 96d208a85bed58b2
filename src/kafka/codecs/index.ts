// Registers the Kafka compression codecs kafkajs lacks (it ships gzip only): snappy, lz4 and zstd, all
// pure JS or WASM shipped in npm packages — no native build, no download at install time.
import kafkajs from 'kafkajs';
import { lz4FrameCompress, lz4FrameDecompress } from './lz4-frame.js';
import { snappyKafkaCompress, snappyKafkaDecompress } from './snappy-xerial.js';
import { loadZstd, zstdKafkaCompress, zstdKafkaDecompress } from './zstd.js';

/** The codec shape kafkajs expects: compress gets its Encoder, decompress the batch's records bytes. */
export interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

export const snappyCodec: KafkajsCodec = {
  compress: async (encoder) => snappyKafkaCompress(encoder.buffer),
  decompress: async (buffer) => snappyKafkaDecompress(buffer),
};

export const lz4Codec: KafkajsCodec = {
  compress: async (encoder) => lz4FrameCompress(encoder.buffer),
  decompress: async (buffer) => lz4FrameDecompress(buffer),
};

export const zstdCodec: KafkajsCodec = {
  compress: (encoder) => zstdKafkaCompress(encoder.buffer),
  decompress: (buffer) => zstdKafkaDecompress(buffer),
};

// kafkajs is CommonJS and Node's ESM loader does not detect these two as named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;

let registered = false;

/**
 * Makes every kafkajs client in this process able to read (and write) snappy, lz4 and zstd batches.
 * kafkajs keeps codecs in a process-wide table, so this is global and idempotent. The zstd WASM module
 * loads on first use; `loadZstd()` loads it ahead of time.
 */
export function registerKafkaCodecs(): void {
  if (registered) return;
  CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
  CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec;
  registered = true;
}

export { loadZstd };
