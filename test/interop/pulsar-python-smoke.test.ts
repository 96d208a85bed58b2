// The official Pulsar Python client (C++ core) produces and consumes on a 4-partition topic of our stack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PulsarAdmin } from '../../src/pulsar/admin/index.js';
import { runReferee } from '../helpers/python.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const admin = new PulsarAdmin({ url: STACK.pulsarAdminUrl });

test('the official Python client round-trips 200 keyed messages on a 4-partition topic', async () => {
  const topic = `persistent://public/default/${uniqueName('py-smoke')}`;
  await admin.topics.createPartitioned(topic, 4);
  cleanup(() => admin.topics.delete(topic, { force: true }));
  // Subscribe first so that every message is retained for the subscription.
  await admin.subscriptions.create(topic, 'smoke', 'earliest');

  const sent = Array.from({ length: 200 }, (_, i) => ({
    key: `key-${i % 20}`,
    payload_b64: Buffer.from(`message-${i}`).toString('base64'),
    properties: { i: String(i) },
    event_time: 1_700_000_000_000 + i,
  }));
  const produced = await runReferee<{ partition: number }>('pulsar_referee.py', ['--service-url', STACK.pulsarServiceUrl, 'produce', topic], sent);
  assert.equal(produced.lines.length, 200);
  assert.equal(new Set(produced.lines.map((l) => l.partition)).size, 4, 'keys spread over all 4 partitions');

  const consumed = await runReferee<{ payload_b64: string; key: string; properties: Record<string, string>; event_time: number }>(
    'pulsar_referee.py',
    ['--service-url', STACK.pulsarServiceUrl, 'consume', topic, '-s', 'smoke', '-n', '200'],
  );
  const byIndex = new Map(consumed.lines.map((m) => [Number(m.properties.i), m]));
  assert.equal(byIndex.size, 200);
  for (const [i, m] of byIndex) {
    assert.equal(Buffer.from(m.payload_b64, 'base64').toString(), `message-${i}`);
    assert.equal(m.key, `key-${i % 20}`);
    assert.equal(m.event_time, 1_700_000_000_000 + i);
  }
});
