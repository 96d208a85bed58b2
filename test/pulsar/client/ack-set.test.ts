// Batch-index bit sets in java.util.BitSet.toLongArray layout (signed 64-bit words).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allExcept, isSet, rangeSet } from '../../../src/pulsar/client/ack-set.js';

test('rangeSet and allExcept lay bits out as BitSet.toLongArray does', () => {
  assert.deepEqual(allExcept(3, [1]), [5n]);
  assert.deepEqual(rangeSet(70, 64, 70), [0n, 63n]);
  assert.deepEqual(rangeSet(64, 63, 64), [-(2n ** 63n)], 'bit 63 makes the signed word negative');
  assert.deepEqual(allExcept(64, []), [-1n]);
  assert.deepEqual(allExcept(100, [0, 99]), [-2n, (1n << 35n) - 1n]);
});

test('isSet reads what rangeSet writes, including negative words', () => {
  const words = rangeSet(130, 60, 70);
  for (let i = 0; i < 130; i++) assert.equal(isSet(words, i), i >= 60 && i < 70, `bit ${i}`);
  assert.equal(isSet(words, 500), false);
});
