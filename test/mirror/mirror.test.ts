// The mirror against real Kafka and Pulsar: partition for partition, every record exactly once in Kafka
// order, key / value / headers / timestamp intact — read back by the official Pulsar client (Python).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Mirror } from '../../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { fromPulsarMessage } from '../../src/mirror/record-mapping.js';
import { mirrorTopics } from '../helpers/mirror-fault.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { runReferee } from '../helpers/python.js';
import { RECENT_TIMESTAMP, STACK, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-mirror-test', logLevel: logLevel.NOTHING });
const PARTITIONS = 8;
const TOTAL = Number(process.env.K2P_MIRROR_TEST_RECORDS ?? 200_000);

interface PyMessage {
  topic: string;
  key: string | null;
  payload_b64: string;
  properties: Record<string, string>;
  event_time: number;
  null_value?: boolean;
}

test(`${TOTAL} keyed records with headers and tombstones on ${PARTITIONS} partitions arrive exactly once, in order`, { timeout: 600_000 }, async () => {
  const { source, target, kafkaAdmin } = await mirrorTopics(kafka, 'mirror', PARTITIONS, false);

  // Kafka side: keyed records, headers (one binary, one repeated), every 50th a tombstone.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let start = 0; start < TOTAL; start += 5000) {
    await producer.send({
      topic: source,
      messages: Array.from({ length: Math.min(5000, TOTAL - start) }, (_, j) => {
        const i = start + j;
        return {
          key: `key-${i % 997}`,
          value: i % 50 === 49 ? null : `value-${i}`,
          timestamp: String(RECENT_TIMESTAMP + i),
          headers: { i: String(i), bin: Buffer.from([i & 255, 0xff, 0x00]), rep: ['a', 'b'] },
        };
      }),
    });
  }
  await producer.disconnect();

  // Provision, then mirror until every partition is committed at its end offset.
  const plan = await planTopic(admin, { name: source, partitions: PARTITIONS }, target, new KnownState(admin));
  await applyPlan(admin, plan);
  await admin.subscriptions.create(target, 'referee', 'earliest');
  const client = testClient();
  const mirror = new Mirror({
    kafka,
    pulsar: client,
    groupId: uniqueName('k2p-mirror'),
    topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }],
  });
  const started = Date.now();
  await mirror.start();
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(source)).map((o) => [o.partition, BigInt(o.high) - 1n]));
  while (!mirror.status().every((p) => p.committedOffset === ends.get(p.partition)) || mirror.status().length < PARTITIONS) {
    assert.ok(Date.now() - started < 300_000, `mirror stalled: ${JSON.stringify(mirror.status(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (Date.now() - started) / 1000;
  await mirror.stop();
  const mirrored = mirror.status().reduce((n, p) => n + p.records, 0);
  assert.equal(mirrored, TOTAL);
  console.log(`# mirrored ${TOTAL} records in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)} records/s)`);

  // The official client reads everything back.
  const { lines } = await runReferee<PyMessage>('pulsar_referee.py', ['--service-url', STACK.pulsarServiceUrl, 'consume', target, '-s', 'referee', '-n', String(TOTAL), '--timeout', '120'], [], 300_000);
  assert.equal(lines.length, TOTAL);
  const lastByPartition = new Map<string, number>();
  const seen = new Set<number>();
  for (const m of lines) {
    const i = Number(fromPulsarMessage({ payload: Buffer.alloc(0), nullValue: false, properties: m.properties }).headers[0]?.value?.toString());
    assert.ok(!seen.has(i), `record ${i} twice`);
    seen.add(i);
    const partition = m.topic.slice(m.topic.lastIndexOf('-partition-') + '-partition-'.length);
    assert.equal(Number(m.properties['k2p.partition']), Number(partition), 'Kafka partition p → Pulsar partition p');
    const previous = lastByPartition.get(partition) ?? -1;
    assert.ok(Number(m.properties['k2p.offset']) > previous, `partition ${partition}: Kafka order`);
    lastByPartition.set(partition, Number(m.properties['k2p.offset']));
    assert.equal(m.key, `key-${i % 997}`);
    assert.equal(m.event_time, RECENT_TIMESTAMP + i);
    if (i % 50 === 49) assert.equal(m.null_value, true, `record ${i} is a tombstone`);
    else assert.equal(Buffer.from(m.payload_b64, 'base64').toString(), `value-${i}`);
    // Headers come back as Kafka had them: binary value and repeated name included, in order.
    const back = fromPulsarMessage({
      keyBytes: m.key === null ? undefined : Buffer.from(m.key),
      payload: Buffer.from(m.payload_b64, 'base64'),
      nullValue: m.null_value ?? false,
      properties: m.properties,
      eventTime: m.event_time,
    });
    assert.deepEqual(
      back.headers.map((h) => [h.key, h.value?.toString('hex')]),
      [
        ['i', Buffer.from(String(i)).toString('hex')],
        ['bin', Buffer.from([i & 255, 0xff, 0x00]).toString('hex')],
        ['rep', Buffer.from('a').toString('hex')],
        ['rep', Buffer.from('b').toString('hex')],
      ],
    );
  }
  assert.equal(seen.size, TOTAL);
});
