// Snappy (raw and xerial-framed) and zstd (with and without a declared content size) with no broker.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import * as snappy from 'snappyjs';
import { compress, init } from '@bokuweb/zstd-wasm';
import { isXerialFramed, snappyKafkaCompress, snappyKafkaDecompress } from '../../../src/kafka/codecs/snappy-xerial.js';
import { zstdContentSize, zstdKafkaCompress, zstdKafkaDecompress } from '../../../src/kafka/codecs/zstd.js';
import { isK2pError } from '../../../src/errors.js';

const text = (n: number) => Buffer.from('lorem ipsum dolor sit amet, '.repeat(Math.ceil(n / 28)).slice(0, n));

test('snappy: xerial frames (several 32 KiB blocks) and raw blocks both decode', () => {
  for (const data of [Buffer.alloc(0), text(10), text(100_000), randomBytes(70_000)]) {
    const framed = snappyKafkaCompress(data);
    assert.ok(isXerialFramed(framed));
    assert.deepEqual(snappyKafkaDecompress(framed), data);
    assert.deepEqual(snappyKafkaDecompress(Buffer.from(snappy.compress(Uint8Array.from(data)))), data);
  }
  const framed = snappyKafkaCompress(text(100_000));
  assert.equal(framed.readInt32BE(8), 1);
  assert.throws(() => snappyKafkaDecompress(framed.subarray(0, framed.length - 10)), (e) => isK2pError(e, 'K2P_KFK_CODEC'));
});

test('zstd: frames with a content size, and streamed frames without one (buffer grows past 1 MiB)', async () => {
  const small = text(5000);
  const withSize = await zstdKafkaCompress(small);
  assert.equal(zstdContentSize(withSize), small.length);
  assert.deepEqual(await zstdKafkaDecompress(withSize), small);

  // A frame as a streaming compressor writes it: no content size, a window descriptor instead.
  await init();
  const big = text(3_000_000);
  const single = Buffer.from(compress(big, 3));
  const fhd = single[4]!;
  const singleSegment = (fhd & 0x20) !== 0;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fhd >> 6]!;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  assert.ok(fcsBytes > 0, 'the one-shot compressor declares the content size');
  // Same frame without the content size (window descriptor kept, or added for a single-segment frame).
  const window = singleSegment ? Buffer.from([(22 - 10) << 3]) : single.subarray(5, 6);
  const dict = single.subarray(singleSegment ? 5 : 6, (singleSegment ? 5 : 6) + dictBytes);
  const rest = single.subarray((singleSegment ? 5 : 6) + dictBytes + fcsBytes);
  const streamed = Buffer.concat([single.subarray(0, 4), Buffer.from([fhd & 0x1f]), window, dict, rest]);
  assert.equal(zstdContentSize(streamed), undefined);
  assert.deepEqual(await zstdKafkaDecompress(streamed), big);

  await assert.rejects(zstdKafkaDecompress(withSize.subarray(0, withSize.length - 3)), (e) => isK2pError(e, 'K2P_KFK_CODEC'));
});
