// Kafka compression codecs judged by librdkafka: confluent-kafka (from PyPI) produces batches in gzip,
// snappy, lz4 and zstd and kafkajs, through our client factory, reads every record back byte for byte; then
// kafkajs produces in each codec through our codecs and confluent-kafka reads them. A counting wrapper
// proves each batch really went through the codec under test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import kafkajs, { CompressionTypes, type Admin, type Kafka } from 'kafkajs';
import { kafkaClient } from '../../src/kafka/client.js';
import { runReferee } from '../helpers/python.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const CODECS = [
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;

const { CompressionCodecs } = kafkajs;
let kafka: Kafka;
let admin: Admin;
const calls = { compress: new Map<number, number>(), decompress: new Map<number, number>() };

before(async () => {
  kafka = kafkaClient({ name: 'codec-test', brokers: [...STACK.kafkaBrokers] });
  admin = kafka.admin();
  await admin.connect();
  // Count codec use (kafkajs looks the codec up for every batch).
  const table = CompressionCodecs as unknown as Record<number, () => { compress(e: unknown): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> }>;
  for (const [, type] of CODECS) {
    const original = table[type]!;
    table[type] = () => {
      const codec = original();
      return {
        compress: (e) => (calls.compress.set(type, (calls.compress.get(type) ?? 0) + 1), codec.compress(e)),
        decompress: (b) => (calls.decompress.set(type, (calls.decompress.get(type) ?? 0) + 1), codec.decompress(b)),
      };
    };
  }
});
after(async () => {
  await admin.disconnect();
});

interface Rec {
  partition: number;
  key: string | null;
  value: Buffer | null;
}

/** Compressible and incompressible values, a null key and a tombstone, a 300 KB value (several blocks). */
function records(n: number): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    let value: Buffer | null;
    if (i === 7) value = null;
    else if (i === 11) value = Buffer.alloc(0);
    else if (i === 13) value = Buffer.from('ab'.repeat(150_000) + 'xyz'.repeat(1000));
    else if (i % 5 === 0) value = randomBytes(200 + i);
    else value = Buffer.from(JSON.stringify({ id: i, customer: `customer-${i % 9}`, text: 'lorem ipsum dolor '.repeat(1 + (i % 20)) }));
    out.push({ partition: i % 2, key: i === 3 ? null : `key-${i}`, value });
  }
  return out;
}

/** Reads `want` records with kafkajs from the beginning; keyed by partition/offset. */
async function readAll(topic: string, want: number): Promise<Map<string, { key: string | null; value: Buffer | null }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('codec-read') });
  const seen = new Map<string, { key: string | null; value: Buffer | null }>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${seen.size} of ${want} records in 60 s`)), 60_000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.set(`${partition}/${message.offset}`, { key: message.key?.toString() ?? null, value: message.value });
            if (seen.size >= want) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

for (const [name, type] of CODECS) {
  test(`${name}: batches written by librdkafka are read by kafkajs through our client`, async () => {
    const topic = uniqueName(`codec-${name}`);
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    cleanup(() => admin.deleteTopics({ topics: [topic] }).catch(() => undefined));
    const recs = records(300);
    const produced = await runReferee<{ partition: number; offset: number; key: string | null }>(
      '../../kafka/python/kafka_codec_referee.py',
      ['--bootstrap-servers', STACK.kafkaBrokers.join(','), 'produce', topic, '--compression', name],
      recs.map((r) => ({ key: r.key, value: r.value?.toString('base64') ?? null, partition: r.partition })),
    );
    assert.equal(produced.lines.length, recs.length, produced.stderr);
    const before = calls.decompress.get(type) ?? 0;
    const seen = await readAll(topic, recs.length);
    assert.ok((calls.decompress.get(type) ?? 0) > before, `kafkajs decompressed ${name} batches`);
    // Delivery reports come in produce order per partition: pair them with the records sent.
    const perPartition = [0, 1].map((p) => recs.filter((r) => r.partition === p));
    const reports = [0, 1].map((p) => produced.lines.filter((l) => l.partition === p));
    for (const p of [0, 1]) {
      assert.equal(reports[p]!.length, perPartition[p]!.length);
      reports[p]!.forEach((report, i) => {
        const sent = perPartition[p]![i]!;
        const got = seen.get(`${p}/${report.offset}`);
        assert.ok(got, `${p}/${report.offset} read`);
        assert.equal(got.key, sent.key);
        assert.deepEqual(got.value, sent.value, `${name} ${p}/${report.offset}`);
      });
    }
  });

  test(`${name}: batches written by kafkajs through our codecs are read by librdkafka`, async () => {
    const topic = uniqueName(`codec-w-${name}`);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    cleanup(() => admin.deleteTopics({ topics: [topic] }).catch(() => undefined));
    const recs = records(120).map((r) => ({ ...r, partition: 0 }));
    const producer = kafka.producer();
    await producer.connect();
    const before = calls.compress.get(type) ?? 0;
    try {
      await producer.send({
        topic,
        compression: type,
        messages: recs.map((r) => ({ key: r.key, value: r.value, partition: 0 })),
      });
    } finally {
      await producer.disconnect();
    }
    assert.ok((calls.compress.get(type) ?? 0) > before, `kafkajs compressed with ${name}`);
    const read = await runReferee<{ offset: number; key: string | null; value: string | null }>(
      '../../kafka/python/kafka_codec_referee.py',
      ['--bootstrap-servers', STACK.kafkaBrokers.join(','), 'consume', topic, '-n', String(recs.length)],
    );
    assert.equal(read.lines.length, recs.length);
    read.lines.sort((a, b) => a.offset - b.offset);
    read.lines.forEach((line, i) => {
      assert.equal(line.key, recs[i]!.key);
      assert.equal(line.value, recs[i]!.value?.toString('base64') ?? null, `${name} offset ${line.offset}`);
    });
  });
}
