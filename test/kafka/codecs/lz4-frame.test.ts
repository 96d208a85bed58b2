// The LZ4 frame codec with no broker: xxHash32 vectors, frames with every optional field, linked-block
// back references across blocks, concatenated and skippable frames, and corrupt input refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { lz4FrameCompress, lz4FrameDecompress } from '../../../src/kafka/codecs/lz4-frame.js';
import { xxhash32 } from '../../../src/kafka/codecs/xxhash32.js';
import { isK2pError } from '../../../src/errors.js';
// A raw LZ4 block compressor from elsewhere in the project, only to build test frames.
import { lz4CompressBlock } from '../../../src/pulsar/protocol/lz4.js';

test('xxHash32 matches the reference vectors', () => {
  assert.equal(xxhash32(Buffer.alloc(0)), 0x02cc5d05);
  assert.equal(xxhash32(Buffer.from('a')), 0x550d7456);
  assert.equal(xxhash32(Buffer.from('abc')), 0x32d153ff);
  assert.equal(xxhash32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
  assert.equal(xxhash32(Buffer.alloc(0), 1), 0x0b2cb792);
});

interface FrameOptions {
  blockChecksum?: boolean;
  contentSize?: boolean;
  contentChecksum?: boolean;
  blockSizeCode?: number;
}

/** Builds a frame from given blocks (each compressed with the block compressor unless `stored`). */
function frame(blocks: { data: Buffer; stored?: boolean; raw?: Buffer }[], o: FrameOptions = {}): Buffer {
  const content = Buffer.concat(blocks.map((b) => b.data));
  const flg = 0x40 | 0x20 | (o.blockChecksum ? 0x10 : 0) | (o.contentSize ? 0x08 : 0) | (o.contentChecksum ? 0x04 : 0);
  const desc = [Buffer.from([flg, (o.blockSizeCode ?? 4) << 4])];
  if (o.contentSize) {
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(content.length));
    desc.push(size);
  }
  const descriptor = Buffer.concat(desc);
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18]), descriptor, Buffer.from([(xxhash32(descriptor) >>> 8) & 0xff])];
  for (const b of blocks) {
    const body = b.raw ?? (b.stored ? b.data : lz4CompressBlock(b.data));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(((b.stored ? 0x80000000 : 0) | body.length) >>> 0);
    parts.push(head, body);
    if (o.blockChecksum) {
      const c = Buffer.alloc(4);
      c.writeUInt32LE(xxhash32(body));
      parts.push(c);
    }
  }
  parts.push(Buffer.alloc(4));
  if (o.contentChecksum) {
    const c = Buffer.alloc(4);
    c.writeUInt32LE(xxhash32(content));
    parts.push(c);
  }
  return Buffer.concat(parts);
}

const text = (n: number) => Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(n / 45)).slice(0, n));

test('frames with compressed and stored blocks and every optional field decode exactly', () => {
  const a = text(60_000);
  const b = randomBytes(30_000);
  const c = text(5);
  for (const o of [{}, { blockChecksum: true }, { contentSize: true }, { contentChecksum: true }, { blockChecksum: true, contentSize: true, contentChecksum: true, blockSizeCode: 7 }]) {
    const f = frame([{ data: a }, { data: b, stored: true }, { data: c }], o);
    assert.deepEqual(lz4FrameDecompress(f), Buffer.concat([a, b, c]), JSON.stringify(o));
  }
});

test('linked blocks: a match in block 2 may reach back into block 1', () => {
  // Block 2 by hand: 0 literals, a match of 4+11=15 bytes at offset 20, then 3 literals.
  const first = text(100);
  const second = Buffer.from([0x0b, 20, 0, 0x30, 0x41, 0x42, 0x43]);
  const f = frame([{ data: first }, { data: Buffer.alloc(0), raw: second }]);
  f[4] = f[4]! & ~0x20; // linked blocks
  f[6] = (xxhash32(f, 0, 4, 6) >>> 8) & 0xff;
  const want = Buffer.concat([first, first.subarray(80, 95), Buffer.from('ABC')]);
  assert.deepEqual(lz4FrameDecompress(f), want);
});

test('concatenated and skippable frames; our own stored-block frames round-trip', () => {
  const skippable = Buffer.concat([Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('xyz')]);
  const f = Buffer.concat([frame([{ data: text(1000) }]), skippable, frame([{ data: text(10) }], { contentChecksum: true })]);
  assert.deepEqual(lz4FrameDecompress(f), Buffer.concat([text(1000), text(10)]));
  for (const n of [0, 1, 65_536, 65_537, 300_000]) {
    const data = randomBytes(n);
    assert.deepEqual(lz4FrameDecompress(lz4FrameCompress(data)), data, `${n} bytes`);
  }
});

test('corrupt frames are refused with K2P_KFK_CODEC', () => {
  const good = frame([{ data: text(5000) }], { blockChecksum: true, contentChecksum: true });
  const cases: [string, Buffer][] = [
    ['bad magic', Buffer.concat([Buffer.from([1, 2, 3, 4]), good.subarray(4)])],
    ['header checksum', Buffer.from(good).fill(0, 6, 7)],
    ['truncated', good.subarray(0, good.length - 6)],
    ['block checksum', (() => { const g = Buffer.from(good); g[12] = g[12]! ^ 0xff; return g; })()],
    ['offset before output', frame([{ data: Buffer.alloc(0), raw: Buffer.from([0x00, 9, 0]) }])],
  ];
  for (const [what, bytes] of cases) {
    assert.throws(() => lz4FrameDecompress(bytes), (err) => isK2pError(err, 'K2P_KFK_CODEC'), what);
  }
});
