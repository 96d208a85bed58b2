import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  compress,
  decompress,
  initCompression,
  isCompressionReady,
} from '../../../src/pulsar/protocol/compression.js';
import { lz4DecompressBlock } from '../../../src/pulsar/protocol/lz4.js';
import { snappyDecompress } from '../../../src/pulsar/protocol/snappy.js';
import type { CompressionType } from '../../../src/pulsar/protocol/enums.js';
import { isK2pError } from '../../../src/errors.js';

// 844 bytes: 20 JSON lines + bytes 0..63. Compressed vectors were produced by the reference libraries
// (Python lz4.block.compress(store_size=False), python-snappy, zstandard level 3, zlib.compress).
const SRC = Buffer.concat([
  Buffer.from('{"order":1234,"item":"widget","qty":3}\n'.repeat(20)),
  Buffer.from(Array.from({ length: 64 }, (_, i) => i)),
]);
const TAIL =
  '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f';
const LINE = '7b226f72646572223a313233342c226974656d223a22776964676574222c22717479223a337d0a';
const VECTORS: Record<Exclude<CompressionType, 'NONE'>, string> = {
  LZ4: 'ff18' + LINE + '2700ffffd4f031' + TAIL,
  SNAPPY: 'cc0698' + LINE + 'fe2700'.repeat(11) + '922700f03f' + TAIL,
  ZSTD: '28b52ffd604c027d030034067b226f72646572223a313233342c226974656d223a22776964676574222c22717479223a337d0a000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3035363738393a3b3c3d3e3f0200715304f0e254a59e',
  ZLIB: '789cab56ca2f4a492d52b232343236d151ca2c49cd55b2522acf4c494f2d51d2512a2ca954b232aee5aa1e5536aa6cb82b6360646266616563e7e0e4e2e6e1e5e3171014121611151397909492969195935750545256515553d7d0d4d2d6d1d5d3370019676a666e6169656d636b670f00a66ef309',
};
// zstd frame written without a content size (streaming encoders do this)
const ZSTD_NO_SIZE =
  '28b52ffd00007d030034067b226f72646572223a313233342c226974656d223a22776964676574222c22717479223a337d0a000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3035363738393a3b3c3d3e3f0200715304f0e254a59e';

const TYPES: CompressionType[] = ['NONE', 'LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'];

function sample(size: number, seed: number): Buffer {
  // Loosely JSON-like text with some randomness: compressible but not trivially.
  const words = ['"id":', '"name":', '"price":', '{', '}', ',', 'true', 'null', '"sku-', '"EUR"', ' '];
  const out = Buffer.alloc(size);
  let s = seed;
  for (let i = 0; i < size;) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    if (s >>> 28 < 3) {
      out[i++] = 0x30 + ((s >>> 8) % 10);
      continue;
    }
    const w = words[(s >>> 16) % words.length]!;
    i += out.write(w, i);
  }
  return out;
}

before(async () => {
  assert.equal(isCompressionReady('ZSTD'), false);
  await initCompression();
  assert.equal(isCompressionReady('ZSTD'), true);
});

test('reference-library vectors decode to the original bytes', () => {
  for (const [type, hexBytes] of Object.entries(VECTORS) as [CompressionType, string][]) {
    assert.deepEqual(decompress(type, Buffer.from(hexBytes, 'hex'), SRC.length), SRC, type);
  }
  assert.deepEqual(decompress('ZSTD', Buffer.from(ZSTD_NO_SIZE, 'hex'), SRC.length), SRC);
});

test('every codec round-trips empty, tiny, edge-sized and large payloads', () => {
  const sizes = [0, 1, 5, 12, 13, 14, 17, 64, 255, 256, 1000, 65535, 65536, 65537, 300000];
  for (const type of TYPES) {
    for (const size of sizes) {
      for (const data of [sample(size, size + 1), Buffer.alloc(size, 7), randomBytes(size, size)]) {
        const packed = compress(type, data);
        assert.deepEqual(decompress(type, packed, data.length), data, `${type} ${size}`);
      }
    }
  }
});

test('compressible data actually shrinks with every real codec', () => {
  const data = sample(100000, 3);
  for (const type of TYPES.filter((t) => t !== 'NONE')) {
    const packed = compress(type, data);
    // this sample is only moderately compressible: the reference lz4 gets 48%, snappy 41%, zstd 27%
    assert.ok(packed.length < data.length * 0.6, `${type}: ${packed.length} of ${data.length}`);
  }
});

function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed * 7919 + 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

/** Walks an LZ4 block and checks the format's end-of-block rules that reference decoders enforce. */
function checkLz4EndRules(block: Buffer, size: number): void {
  let ip = 0;
  let op = 0;
  let lastMatchStart = -1;
  for (;;) {
    const token = block[ip++]!;
    let lit = token >> 4;
    if (lit === 15) for (let b = 255; b === 255;) lit += b = block[ip++]!;
    ip += lit;
    op += lit;
    if (ip === block.length) break;
    ip += 2;
    let ml = token & 15;
    if (ml === 15) for (let b = 255; b === 255;) ml += b = block[ip++]!;
    lastMatchStart = op;
    op += ml + 4;
    assert.ok(op <= size - 5, `match ends inside the last 5 bytes (${op} of ${size})`);
  }
  if (lastMatchStart >= 0)
    assert.ok(lastMatchStart <= size - 12, `last match starts at ${lastMatchStart} of ${size}`);
}

test('our LZ4 blocks respect MFLIMIT (12) and LASTLITERALS (5) at every small size', () => {
  for (let size = 0; size < 300; size++) {
    for (const data of [
      Buffer.alloc(size, 1),
      sample(size, size),
      randomBytes(size, size).map((b) => b & 3),
    ]) {
      const block = compress('LZ4', data);
      checkLz4EndRules(block, size);
      assert.deepEqual(decompress('LZ4', block, size), Buffer.from(data));
    }
  }
});

test('corrupt or mis-sized payloads are K2P_PLS_COMPRESSION', () => {
  const isComp = (e: unknown) => isK2pError(e, 'K2P_PLS_COMPRESSION');
  for (const [type, hexBytes] of Object.entries(VECTORS) as [CompressionType, string][]) {
    const packed = Buffer.from(hexBytes, 'hex');
    assert.throws(() => decompress(type, packed, SRC.length + 1), isComp, `${type} wrong size`);
    assert.throws(
      () => decompress(type, packed.subarray(0, packed.length >> 1), SRC.length),
      isComp,
      `${type} truncated`,
    );
  }
  assert.throws(() => decompress('NONE', Buffer.from('abc'), 2), isComp);
  // LZ4 offset pointing before the start of output
  assert.throws(() => lz4DecompressBlock(Buffer.from('1061ffff00', 'hex'), 10), isComp);
  // snappy: every truncation and every single-byte corruption of the preamble/tags must be caught or
  // decode to the right length (never a silently short or zero-padded buffer)
  const snap = Buffer.from(VECTORS.SNAPPY, 'hex');
  for (let cut = 0; cut < snap.length; cut++) {
    assert.throws(() => decompress('SNAPPY', snap.subarray(0, cut), SRC.length), isComp, `snappy cut ${cut}`);
  }
  // copy with offset beyond what was decoded: literal 'a' then copy len 4 offset 2
  assert.throws(() => snappyDecompress(Buffer.from('05' + '0061' + '0102', 'hex'), 5), isComp);
});
