// Random Pulsar metadata for the metadata encoder and decoder tests: every field, absent and empty ones, large
// and 64-bit values, ASCII and non-ASCII text. Reproducible from a seed.
import type { KeyValue, MessageMetadata, SingleMessageMetadata } from '../../../src/pulsar/protocol/messages.js';
import { rng } from '../../helpers/random.js';

export { rng };

export type Rand = ReturnType<typeof rng>;
export const int = (r: Rand, n: number) => Math.floor(r() * n);
export const maybe = (r: Rand, p = 0.5) => r() < p;
export const pick = <T>(r: Rand, items: readonly T[]): T => items[int(r, items.length)]!;

const TEXTS = [
  '',
  'k2p.offset',
  'k2p.topic',
  'trace',
  'é',
  '日本語',
  '🙂',
  'a'.repeat(48),
  'b'.repeat(49),
  'x'.repeat(300),
];

export function text(r: Rand): string {
  if (maybe(r, 0.6)) return pick(r, TEXTS);
  let s = '';
  const n = int(r, 70);
  for (let i = 0; i < n; i++)
    s += String.fromCodePoint(maybe(r, 0.9) ? 32 + int(r, 95) : 0x80 + int(r, 0x2000));
  return s;
}

export function bytes(r: Rand): Buffer {
  const b = Buffer.alloc(maybe(r, 0.2) ? 0 : int(r, 80));
  for (let i = 0; i < b.length; i++) b[i] = int(r, 256);
  return b;
}

export function u64(r: Rand): bigint {
  return pick(r, [
    0n,
    1n,
    127n,
    128n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 53n,
    2n ** 63n,
    2n ** 64n - 1n,
    BigInt(int(r, 2 ** 31)) * BigInt(int(r, 2 ** 31) + 1),
  ]);
}

/** A uint64 kept as a number: exact below 2^53. */
export function u64n(r: Rand): number {
  return pick(r, [
    0,
    1,
    1_700_000_000_000,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53 - 1,
    int(r, 2 ** 31) * int(r, 2 ** 20),
  ]);
}

export function i32(r: Rand): number {
  return pick(r, [0, 1, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31), int(r, 2 ** 31) - 2 ** 30]);
}

export function properties(r: Rand): KeyValue[] | undefined {
  if (maybe(r, 0.3)) return undefined;
  return Array.from({ length: 1 + int(r, 8) }, () => ({ key: text(r), value: text(r) }));
}

export const opt = <T>(r: Rand, make: (r: Rand) => T): T | undefined => (maybe(r) ? make(r) : undefined);

export function single(r: Rand): SingleMessageMetadata {
  return {
    properties: properties(r),
    partitionKey: opt(r, text),
    payloadSize: i32(r),
    compactedOut: opt(r, maybe),
    eventTime: opt(r, u64n),
    partitionKeyB64Encoded: opt(r, maybe),
    orderingKey: opt(r, bytes),
    sequenceId: opt(r, u64),
    nullValue: opt(r, maybe),
    nullPartitionKey: opt(r, maybe),
  };
}

export function metadata(r: Rand): MessageMetadata {
  return {
    producerName: text(r),
    sequenceId: u64(r),
    publishTime: u64n(r),
    properties: properties(r),
    replicatedFrom: opt(r, text),
    partitionKey: opt(r, text),
    replicateTo: maybe(r) ? Array.from({ length: 1 + int(r, 3) }, () => text(r)) : undefined,
    compression: opt(r, (r) => pick(r, ['NONE', 'LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'] as const)),
    uncompressedSize: opt(r, (r) => pick(r, [0, 1, 2 ** 31, 2 ** 32 - 1, int(r, 1e7)])),
    numMessagesInBatch: opt(r, i32),
    eventTime: opt(r, u64n),
    // Encryption keys are rare: that message goes to the table-driven decoder (still compared).
    encryptionKeys: maybe(r, 0.05)
      ? [{ key: text(r), value: bytes(r), metadata: [{ key: text(r), value: text(r) }] }]
      : undefined,
    encryptionAlgo: opt(r, text),
    encryptionParam: opt(r, bytes),
    schemaVersion: opt(r, bytes),
    partitionKeyB64Encoded: opt(r, maybe),
    orderingKey: opt(r, bytes),
    deliverAtTime: opt(r, (r) => pick(r, [0, -1, -(2 ** 40), 1_700_000_000_000, 2 ** 53 - 1])),
    markerType: opt(r, i32),
    txnidLeastBits: opt(r, u64),
    txnidMostBits: opt(r, u64),
    highestSequenceId: opt(r, u64),
    nullValue: opt(r, maybe),
    uuid: opt(r, text),
    numChunksFromMsg: opt(r, i32),
    totalChunkMsgSize: opt(r, i32),
    chunkId: opt(r, i32),
    nullPartitionKey: opt(r, maybe),
  };
}
