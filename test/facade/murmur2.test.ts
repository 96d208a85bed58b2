// Kafka's murmur2 partitioner: the Java client's test vectors, and kafkajs's own implementation on random keys.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { murmur2, partitionForKey } from '../../src/facade/murmur2.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
const kafkajsDefault = (require('kafkajs') as { Partitioners: { DefaultPartitioner: () => (a: unknown) => number } }).Partitioners.DefaultPartitioner;

test('murmur2 gives the Java client test vectors (Kafka UtilsTest.testMurmur2)', () => {
  const cases: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [key, hash] of cases) assert.equal(murmur2(Buffer.from(key)), hash, key);
});

test('murmur2 equals kafkajs on 5000 random keys of every length 0..64', () => {
  for (let i = 0; i < 5000; i++) {
    const key = randomBytes(i % 65);
    assert.equal(murmur2(key), kafkajsMurmur2(key), key.toString('hex'));
  }
});

test('partitionForKey picks the partition kafkajs DefaultPartitioner picks', () => {
  const partitioner = kafkajsDefault();
  for (const n of [1, 3, 7, 12]) {
    const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0 }));
    for (let i = 0; i < 500; i++) {
      const key = randomBytes(1 + (i % 40));
      const expected = partitioner({ topic: 't', partitionMetadata, message: { key } });
      assert.equal(partitionForKey(key, n), expected);
    }
  }
});
