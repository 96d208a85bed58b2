// Record mapping through a real Pulsar topic with our client: random Kafka records (binary keys, values
// and headers, repeated and colliding names, unicode, empty strings, empty and null keys, null values)
// are mapped, sent (batched, and one by one), read back and turned into the same records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromPulsarMessage, toPulsarMessage, type KafkaRecord, type KafkaHeader } from '../../src/mirror/record-mapping.js';
import { freshTopic, receiveN, testClient } from '../helpers/pulsar.js';
import { uniqueName } from '../helpers/stack.js';
import { randomCase, rng } from './record-mapping-cases.js';

const client = testClient();

for (const batching of [true, false]) {
  test(`random records round-trip through a Pulsar topic (batching ${batching})`, async () => {
    const topic = await freshTopic(`mapping-${batching ? 'batch' : 'single'}`);
    const r = rng(batching ? 11 : 12);
    const cases: { record: KafkaRecord; headers: KafkaHeader[] }[] = [];
    for (let i = 0; i < 400; i++) cases.push(randomCase(r, i));
    // Explicit edge cases: empty key, empty value, empty header value, no headers at all.
    const edge = { topic: 'edge', partition: 1, timestamp: '1700000000000', headers: [{ key: 'e', value: Buffer.alloc(0) }] };
    cases.push({ record: { ...edge, offset: String(400 * 1_000_003 + 1), key: Buffer.alloc(0), value: Buffer.alloc(0) }, headers: edge.headers });
    cases.push({ record: { ...edge, offset: String(400 * 1_000_003 + 2), key: Buffer.alloc(0), value: null, headers: [] }, headers: [] });

    const consumer = await client.subscribe({ topic, subscription: uniqueName('sub'), initialPosition: 'Earliest' });
    const producer = await client.createProducer({ topic, batching });
    const sends = cases.map((c, i) => producer.send(toPulsarMessage(c.record, { provenance: i % 2 === 0, headerEncoding: 'lossless' })));
    await producer.flush();
    await Promise.all(sends);
    const got = await receiveN(consumer, cases.length, 15_000);
    await producer.close();
    await consumer.close();

    got.forEach((msg, i) => {
      const { record, headers } = cases[i]!;
      const where = `message ${i} (offset ${record.offset})`;
      assert.equal(msg.sequenceId, BigInt(record.offset), where);
      const back = fromPulsarMessage(msg);
      assert.deepEqual(back.key, record.key, where);
      assert.deepEqual(back.value, record.value, where);
      assert.equal(back.timestamp, record.timestamp, where);
      assert.deepEqual(back.headers, headers, where);
      if (i % 2 === 0) assert.deepEqual(back.provenance, { topic: record.topic, partition: record.partition, offset: record.offset }, where);
      else assert.equal(back.provenance, undefined, where);
    });
  });
}
