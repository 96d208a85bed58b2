// `k2p mirror` as a user runs it, from files: a topic created after the start that matches the pattern is
// provisioned and mirrored, only committed transactional data reaches Pulsar, SIGTERM stops it cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { admin, receiveN, nothingMore, testClient } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-cli-mirror-test', logLevel: logLevel.NOTHING });

test('k2p mirror: a new matching topic is mirrored within seconds, aborted transactions never arrive', { timeout: 180_000 }, async () => {
  const prefix = uniqueName('k2pe2e').replace(/-/g, '');
  const topic = `${prefix}.orders`;
  const target = `persistent://public/default/${topic}`;
  const dir = mkdtempSync(join(tmpdir(), 'k2p-mirror-'));
  const mapping = join(dir, 'mapping.yaml');
  writeFileSync(
    mapping,
    `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: /^${prefix}\\..*/\n    to: persistent://public/default/{topic}\n`,
  );
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
  });

  const child = spawn(process.execPath, [join(root, 'bin/k2p.js'), 'mirror', '-c', join(root, 'connectors/local.yaml'), '-c', mapping, '--discovery-interval', '1000', '--group', uniqueName('e2e'), '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise((r) => setTimeout(r, 3000)); // running, with no matching topic yet

  // The topic appears after the start; its records are written in transactions, one aborted.
  const created = Date.now();
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ transactionalId: uniqueName('txn'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const [label, commit] of [['a', true], ['x', false], ['b', true]] as const) {
    const txn = await producer.transaction();
    await txn.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `${label}${i}` })) });
    if (commit) await txn.commit();
    else await txn.abort();
  }
  await producer.disconnect();

  // Provisioned by the mirror: 3 partitions on Pulsar.
  for (;;) {
    const partitions = await admin.topics.partitions(target).catch(() => 0);
    if (partitions === 3) break;
    assert.ok(Date.now() - created < 30_000, `target not provisioned; mirror said:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const client = testClient();
  const consumer = await client.subscribe({ topic: target, subscription: 'check', initialPosition: 'Earliest' });
  const got = await receiveN(consumer, 20, 30_000);
  const seconds = (Date.now() - created) / 1000;
  assert.deepEqual(got.map((m) => m.payload.toString()).sort(), [...Array.from({ length: 10 }, (_, i) => `a${i}`), ...Array.from({ length: 10 }, (_, i) => `b${i}`)].sort());
  assert.equal(await nothingMore(consumer, 2000), undefined, 'no aborted record');
  console.log(`# topic created → 20 committed records readable on Pulsar in ${seconds.toFixed(1)} s`);
  await consumer.close();

  child.kill('SIGTERM');
  assert.equal(await exited, 0, `clean exit on SIGTERM; stderr:\n${stderr}`);
  assert.match(stderr, /topics-changed/);
});
