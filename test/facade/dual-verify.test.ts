// Route dual under load, then verification in dual-write mode: 20,000 records produced through the facade
// over HTTP by concurrent keep-alive clients (single-record and multi-record v2 requests, so concurrent requests
// are coalesced into shared broker sends), every reported offset checked against what Kafka holds at it, and
// verify({ mode: 'dual-write' }) reports both sides identical. Then one record written to Kafka alone is found
// (the comparison can fail).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, verify } from '../../src/verify/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { cleanup } from '../helpers/stack.js';
import { b64, fixture, kafka, readKafka, V2_BINARY } from './fixture.js';

const PARTITIONS = 4;
const RECORDS = Number(process.env.K2P_DUAL_VERIFY_RECORDS ?? 20_000);
const CLIENTS = 16;
const TOLERANCE_MS = 1_500;

test(`route dual: ${RECORDS} records from ${CLIENTS} concurrent clients, offsets exact, then dual-write verify: identical; an injected difference is found`, { timeout: 600_000 }, async () => {
  const f = await fixture('fct-dual-verify', 'dual', PARTITIONS);
  const url = await f.app.listen({ port: 0, host: '127.0.0.1' });
  const client = testClient();
  cleanup(() => client.close());

  // Each client sends requests of 1 to 8 records (half of them single-record) until RECORDS are taken.
  let next = 0;
  const reported = new Map<string, { partition: number; offset: number }>();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let r = 0; next < RECORDS; r++) {
        const n = Math.min(RECORDS - next, r % 2 === 0 ? 1 : 1 + ((r * 7 + c) % 8));
        const ids = Array.from({ length: n }, () => next++);
        const res = await fetch(`${url}/topics/${f.topic}`, {
          method: 'POST',
          headers: { 'content-type': V2_BINARY },
          body: JSON.stringify({ records: ids.map((i) => ({ key: b64(`key-${i % 997}`), value: b64(`value-${i}`) })) }),
        });
        const text = await res.text();
        assert.equal(res.status, 200, text);
        const offsets = (JSON.parse(text) as { offsets: { partition: number; offset: number | null; error_code: number | null; error: string | null }[] }).offsets;
        assert.equal(offsets.length, n);
        offsets.forEach((o, k) => {
          assert.equal(o.error_code, null, `record ${ids[k]}: ${o.error}`);
          reported.set(`value-${ids[k]}`, { partition: o.partition, offset: o.offset! });
        });
      }
    }),
  );
  assert.equal(reported.size, RECORDS);
  const sends = f.core.dual.batchStats(f.topic)!;
  assert.ok(sends.sends < sends.requests, `concurrent requests shared Kafka sends (${sends.requests} requests in ${sends.sends} sends)`);

  // Every record is in Kafka at exactly the partition and offset it was given; offsets 0..n-1 per partition.
  const onKafka = await readKafka(f.topic, RECORDS, 120_000);
  assert.equal(onKafka.length, RECORDS);
  const perPartition = new Map<number, number>();
  for (const rec of onKafka) {
    const at = reported.get(rec.value!);
    assert.ok(at, `${rec.value} was reported`);
    assert.deepEqual({ partition: rec.partition, offset: BigInt(at.offset) }, { partition: at.partition, offset: rec.offset }, `${rec.value} is where the facade said`);
    assert.equal(rec.offset, BigInt(perPartition.get(rec.partition) ?? 0), `partition ${rec.partition} has no gap`);
    perPartition.set(rec.partition, (perPartition.get(rec.partition) ?? 0) + 1);
  }

  await new Promise((resolve) => setTimeout(resolve, TOLERANCE_MS + 500)); // every record older than the tolerance
  const options = { kafka, pulsar: client, pulsarAdmin: admin, pairs: [{ kafkaTopic: f.topic, pulsarTopic: f.pulsarTopic }], mode: 'dual-write' as const, dualWrite: { toleranceMs: TOLERANCE_MS }, positions: false };
  const report = await verify(options);
  const t = report.topics[0]!;
  assert.ok(report.identical, formatReport(report));
  assert.equal(t.kafkaRecords, RECORDS, formatReport(report));
  assert.equal(t.pulsarMessages, RECORDS, formatReport(report));
  assert.equal(t.matched, RECORDS, formatReport(report));
  assert.equal(report.divergenceCount, 0);

  // One record written to Kafka alone (not through the facade): the sides now differ by exactly that record.
  const producer = kafka.producer();
  await producer.connect();
  const [injected] = await producer.send({ topic: f.topic, messages: [{ partition: 2, key: 'injected', value: 'only in Kafka' }] });
  await producer.disconnect();
  await new Promise((resolve) => setTimeout(resolve, TOLERANCE_MS + 500));
  const after = await verify(options);
  assert.equal(after.identical, false, formatReport(after));
  assert.equal(after.divergenceCount, 1, formatReport(after));
  const d = after.divergences[0]!;
  assert.equal(d.kind, 'missing', formatReport(after));
  assert.deepEqual(d.kafka, { topic: f.topic, partition: 2, offset: injected!.baseOffset }, formatReport(after));
  assert.equal(after.topics[0]!.matched, RECORDS);
});
