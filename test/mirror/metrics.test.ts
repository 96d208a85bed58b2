// The mirror's Prometheus metrics and progress, from a real run: Kafka → Pulsar, then the counters, the
// lag and the backfill percentage must say exactly what happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { MirrorMetrics } from '../../src/mirror/metrics.js';
import { Mirror } from '../../src/mirror/mirror.js';
import { topicProgress } from '../../src/mirror/progress.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { mirrorTopics } from '../helpers/mirror-fault.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { STACK, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-metrics-test', logLevel: logLevel.NOTHING });

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  assert.ok(line, `${name}{${labels}} in:\n${text}`);
  return Number(line.split(' ').pop());
}

test('records, bytes, lag and send latency per partition; progress reaches 100% with lag 0', { timeout: 180_000 }, async () => {
  const { source, target } = await mirrorTopics(kafka, 'metrics', 2, false);
  const producer = kafka.producer();
  await producer.connect();
  // 300 records on partition 0 (10 bytes each), 100 on partition 1.
  await producer.send({ topic: source, messages: Array.from({ length: 300 }, (_, i) => ({ partition: 0, value: `v-${String(i).padStart(8, '0')}` })) });
  await producer.send({ topic: source, messages: Array.from({ length: 100 }, (_, i) => ({ partition: 1, value: `w-${String(i).padStart(8, '0')}` })) });
  await producer.disconnect();
  await applyPlan(admin, await planTopic(admin, { name: source, partitions: 2 }, target, new KnownState(admin)));

  const metrics = new MirrorMetrics();
  const client = testClient();
  const mirror = new Mirror({ kafka, pulsar: client, groupId: uniqueName('k2p-metrics'), observer: metrics, topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }] });
  await mirror.start();
  const deadline = Date.now() + 90_000;
  while (mirror.status().reduce((n, p) => n + p.records, 0) < 400) {
    assert.ok(Date.now() < deadline, 'mirror did not finish');
    await new Promise((r) => setTimeout(r, 200));
  }
  await mirror.stop();
  await client.close();

  const text = await metrics.text();
  assert.equal(metricValue(text, 'k2p_mirror_records_total', `topic="${source}",partition="0"`), 300);
  assert.equal(metricValue(text, 'k2p_mirror_records_total', `topic="${source}",partition="1"`), 100);
  assert.equal(metricValue(text, 'k2p_mirror_bytes_total', `topic="${source}",partition="0"`), 300 * 10);
  assert.equal(metricValue(text, 'k2p_mirror_lag_records', `topic="${source}",partition="0"`), 0);
  assert.equal(metricValue(text, 'k2p_mirror_lag_records', `topic="${source}",partition="1"`), 0);
  assert.ok(metricValue(text, 'k2p_mirror_pulsar_send_seconds_count', `topic="${source}"`) >= 2, 'one latency sample per batch at least');

  const [progress] = topicProgress(mirror.status(), new Map(), 1000);
  assert.deepEqual({ ...progress, rate: 0 }, { topic: source, partitions: 2, records: 400, deadLetters: 0, rate: 0, lag: 0, backfillPercent: 100, paused: 0 });
});

test('progress: backfill percent and lag from offsets; rate from the previous snapshot', () => {
  const base = { records: 0, duplicates: 0, deadLetters: 0, bytes: 0 };
  const rows = [
    { ...base, topic: 't', partition: 0, startOffset: 0n, committedOffset: 49n, highWatermark: 100n, records: 50 },
    { ...base, topic: 't', partition: 1, startOffset: 10n, committedOffset: 109n, highWatermark: 110n, records: 100 },
  ];
  const [p] = topicProgress(rows, new Map([['t', 100]]), 2000);
  // (50 + 100) of (100 + 100) offsets done; lag 50 + 0; 50 records in 2 s.
  assert.deepEqual(p, { topic: 't', partitions: 2, records: 150, deadLetters: 0, rate: 25, lag: 50, backfillPercent: 75, paused: 0 });
});
