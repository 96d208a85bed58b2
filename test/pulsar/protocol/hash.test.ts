import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  javaStringHash,
  murmur3Hash,
  murmur3_32,
  partitionForKey,
} from '../../../src/pulsar/protocol/hash.js';

// Expected values printed by a JVM (java H.java: k.hashCode() & Integer.MAX_VALUE), not derived from our code.
const JAVA: [string, number][] = [
  ['', 0],
  ['hello', 99162322],
  ['The quick brown fox jumps over the lazy dog', 1538055507],
  ['ключ', 33309882],
  ['日本語キー', 1289065926],
  ['emoji-\uD83D\uDE00-key', 1573774940], // surrogate pair = two UTF-16 units
  ['lone-\uD800-high', 1400598018], // unpaired surrogate
  ['polygenelubricants', 0], // hashCode() is Integer.MIN_VALUE
  ['order-42', 1234255197],
];

test('javaStringHash matches Java String.hashCode() & 0x7fffffff', () => {
  for (const [key, want] of JAVA) assert.equal(javaStringHash(key), want, JSON.stringify(key));
});

// Expected values from Python mmh3.hash(key.encode('utf-8'), 0, signed=False) & 0x7fffffff.
const MURMUR: [string, number][] = [
  ['', 0],
  ['hello', 613153351],
  ['The quick brown fox jumps over the lazy dog', 776992547],
  ['ключ', 442048578],
  ['日本語キー', 1610471384],
  ['emoji-😀-key', 1928808793],
  ['x', 1050319643],
];

test('murmur3Hash matches Murmur3 x86_32 seed 0 over UTF-8 & 0x7fffffff', () => {
  for (const [key, want] of MURMUR) assert.equal(murmur3Hash(key), want, JSON.stringify(key));
  assert.equal(murmur3_32(Buffer.from('hello')), 0x248bfa47);
  assert.equal(murmur3Hash(Buffer.from('hello')), 613153351);
});

test('partitionForKey uses the chosen scheme', () => {
  assert.equal(partitionForKey('hello', 7), 99162322 % 7);
  assert.equal(partitionForKey('hello', 7, 'Murmur3_32Hash'), 613153351 % 7);
});
