// Public surface of the Pulsar wire layer: bytes in, bytes out, no I/O.
export * from './protobuf.js';
export * from './codec.js';
export * from './enums.js';
export * from './messages.js';
export * from './metadata.js';
export * from './metadata-encoder.js';
export * from './commands.js';
export * from './crc32c.js';
export * from './frame.js';
export * from './frame-decoder.js';
export * from './batch.js';
export * from './keys.js';
export * from './compression.js';
export * from './lz4.js';
export * from './snappy.js';
export * from './hash.js';
export * from './batch-cursor.js';
