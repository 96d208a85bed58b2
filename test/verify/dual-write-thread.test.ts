// Dual-write mode as `k2p verify` runs it: clients built from the connector files, so Kafka is read in the
// worker thread (src/verify/kafka-thread.ts). An application wrote 3,000 records to Kafka (2 partitions) and
// to Pulsar (3 partitions) itself; one never reached Pulsar, one value differs and one is in Pulsar twice, both
// copies read before their Kafka record (its timestamp is later than their publish times). Each is found at
// its coordinates and everything else is paired — the same answer as with Kafka read in this thread.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { OutgoingMessage } from '../../src/pulsar/client/index.js';
import { formatReport, verify } from '../../src/verify/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { freshKafkaTopic, freshTarget, kafka, mappingFile } from './fixture.js';

const connectors = fileURLToPath(new URL('../../connectors/local.yaml', import.meta.url));
const client = testClient();
const RECORDS = 3000;
const LOST = 1234; // written to Kafka only
const CHANGED = 2345; // another value in Pulsar
const DOUBLED = RECORDS - 1; // twice in Pulsar; the last record of its Kafka partition, stamped later
const TOLERANCE = 3000;

test('dual-write with Kafka read in the worker thread: the lost, the changed and the doubled record, nothing else', { timeout: 180_000 }, async () => {
  const topic = await freshKafkaTopic('verify-dual-thread', 2);
  const target = await freshTarget(topic, 3, 'dual');

  // Written now: dual-write mode pairs within a time window (Kafka timestamp vs Pulsar publish time).
  const now = Date.now();
  const kafkaOut = [];
  const pulsarOut: OutgoingMessage[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const id = `id-${i}`;
    const timestamp = i === DOUBLED ? now + 2000 : now + (i >> 4);
    kafkaOut.push({ partition: i % 2, key: `k${i % 7}`, value: `order ${i}`, timestamp: String(timestamp), headers: { 'k2p-id': id } });
    if (i === LOST) continue;
    const message = { key: `k${i % 7}`, payload: Buffer.from(i === CHANGED ? `order ${i}!` : `order ${i}`), eventTime: timestamp, properties: { 'k2p-id': id } };
    pulsarOut.push(message);
    if (i === DOUBLED) pulsarOut.push({ ...message });
  }
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: kafkaOut });
  await producer.disconnect();
  const pulsarProducer = await client.createProducer({ topic: target });
  await pulsarProducer.sendBatch(pulsarOut);
  await pulsarProducer.close();

  // Pulsar was written a moment after Kafka: the tolerance covers that, and everything is older than it.
  await new Promise((r) => setTimeout(r, TOLERANCE + 500));
  const options = { topics: [topic], mode: 'dual-write' as const, dualWrite: { toleranceMs: TOLERANCE } };
  const threaded = await verify({ ...options, config: [connectors, mappingFile(topic, target)] });
  const t = threaded.topics[0]!;
  assert.equal(t.kafkaRecords, RECORDS, formatReport(threaded));
  assert.equal(t.pulsarMessages, RECORDS);
  assert.equal(t.matched, RECORDS - 1, formatReport(threaded)); // the changed record is paired, then differs
  assert.deepEqual(threaded.divergences.map((d) => d.kind).sort(), ['duplicate', 'missing', 'value'], formatReport(threaded));
  assert.match(threaded.divergences.find((d) => d.kind === 'duplicate')!.detail, new RegExp(`identity h:id-${DOUBLED} is in Pulsar a second time`));
  const missing = threaded.divergences.find((d) => d.kind === 'missing')!;
  assert.match(missing.detail, new RegExp(`identity h:id-${LOST}\\b`));
  assert.deepEqual(missing.kafka, { topic, partition: LOST % 2, offset: String(Math.floor(LOST / 2)) });
  const value = threaded.divergences.find((d) => d.kind === 'value')!;
  assert.deepEqual(value.kafka, { topic, partition: CHANGED % 2, offset: String(Math.floor(CHANGED / 2)) });
  assert.equal(threaded.identical, false);

  // The same comparison with Kafka read in this thread gives the same report.
  const inline = await verify({ ...options, kafka, pulsar: client, pulsarAdmin: admin, pairs: [{ kafkaTopic: topic, pulsarTopic: target }] });
  assert.deepEqual(
    inline.divergences.map((d) => [d.kind, d.kafka, d.pulsar]),
    threaded.divergences.map((d) => [d.kind, d.kafka, d.pulsar]),
  );
  assert.equal(inline.topics[0]!.matched, t.matched);
});
