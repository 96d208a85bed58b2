// Kafka's snappy: the Java client writes xerial snappy-java framing (an 8-byte magic "\x82SNAPPY\0",
// version and compatible-version int32s, then [int32 big-endian length, raw snappy block]*); librdkafka
// writes one raw snappy block and reads both. Decoding accepts both; encoding writes xerial framing with
// 32 KiB blocks, as the Java client does. The snappy blocks themselves are snappyjs (pure JS).
import * as snappy from 'snappyjs';
import { K2pError } from '../../errors.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16;
const BLOCK = 32 << 10;
/** Refuse a block that claims to expand beyond this (a corrupt length would otherwise allocate it). */
const MAX_BLOCK_OUTPUT = 256 << 20;

function fail(message: string, cause?: unknown): K2pError {
  return new K2pError('K2P_KFK_CODEC', `snappy: ${message}`, { codec: 'snappy' }, { cause });
}

function rawUncompress(block: Uint8Array): Buffer {
  try {
    const out = snappy.uncompress(block, MAX_BLOCK_OUTPUT);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw fail(`invalid snappy block: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

export function isXerialFramed(data: Uint8Array): boolean {
  return data.length >= XERIAL_HEADER && XERIAL_MAGIC.equals(data.subarray(0, 8));
}

export function snappyKafkaDecompress(data: Uint8Array): Buffer {
  if (!isXerialFramed(data)) return rawUncompress(data);
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const parts: Buffer[] = [];
  let p = XERIAL_HEADER;
  while (p < view.length) {
    if (p + 4 > view.length) throw fail('truncated xerial block length');
    const size = view.readInt32BE(p);
    p += 4;
    if (size < 0 || p + size > view.length) throw fail(`xerial block of ${size} bytes exceeds the data`);
    parts.push(rawUncompress(view.subarray(p, p + size)));
    p += size;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export function snappyKafkaCompress(data: Uint8Array): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8); // version
  header.writeInt32BE(1, 12); // minimum compatible version
  const parts: Buffer[] = [header];
  // An empty input still gets one (empty) block, as snappy-java writes it.
  for (let i = 0; i === 0 || i < data.length; i += BLOCK) {
    const block = snappy.compress(data.subarray(i, Math.min(i + BLOCK, data.length)));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.byteLength, 0);
    parts.push(length, Buffer.from(block.buffer, block.byteOffset, block.byteLength));
  }
  return Buffer.concat(parts);
}
