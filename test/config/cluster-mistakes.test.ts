// Config mistakes only the clusters can reveal, met as a user meets them: `k2p mirror -c <files>` against the
// local stack refuses with K2P_MIRROR_CONFIG naming the Kafka topic, the Pulsar target and what is wrong —
// before any record flows (the Pulsar side stays empty). One test per class:
// - a partition count that cannot match (Pulsar has more partitions than Kafka);
// - a target that exists as a non-partitioned topic;
// - a non-persistent dead-letter topic.
// (File-level mistakes — unknown connector, wrong kind, bad regex, missing variable, ... — are in mistakes.test.ts.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { admin } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';
import { writeFiles } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-cluster-mistakes-test', logLevel: logLevel.NOTHING });

/** A Kafka topic with 2 partitions holding one record, removed after the file. */
async function kafkaTopic(): Promise<string> {
  const topic = uniqueName('k2pcfg').replace(/-/g, '');
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
  });
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'must not reach Pulsar' }] });
  await producer.disconnect();
  return topic;
}

/** Runs `k2p mirror` on the files; it must exit non-zero by itself. */
function mirror(t: TestContext, mapping: string): Promise<{ code: number | null; output: string }> {
  const dir = writeFiles(t, {
    'connectors.yaml': `connectors:\n  kafka-local: { kind: kafka, brokers: ${JSON.stringify(STACK.kafkaBrokers)} }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`,
    'mapping.yaml': `source: kafka-local\ntarget: pulsar-local\n${mapping}`,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/k2p.js'), 'mirror', '-c', join(dir, 'connectors.yaml'), '-c', join(dir, 'mapping.yaml'), '--group', uniqueName('cfg'), '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`k2p mirror did not stop by itself within 90 s:\n${output}`));
    }, 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('a partition count that cannot match: K2P_MIRROR_CONFIG before data flows', { timeout: 120_000 }, async (t) => {
  const topic = await kafkaTopic();
  const target = `persistent://public/default/${topic}`;
  await admin.topics.createPartitioned(target, 3);
  cleanup(() => admin.topics.delete(target, { force: true }).catch(() => undefined));
  const { code, output } = await mirror(t, `topics:\n  - match: ${topic}\n    to: persistent://public/default/{topic}\n`);
  assert.notEqual(code, 0, output);
  assert.match(output, /K2P_MIRROR_CONFIG/);
  assert.ok(output.includes(`${target} has 3 partitions, more than Kafka topic ${topic} (2); Pulsar cannot remove partitions`), output);
  assert.equal((await admin.topics.partitionedStats(target)).msgInCounter, 0, 'nothing written');
});

test('a target that exists as a non-partitioned topic: K2P_MIRROR_CONFIG before data flows', { timeout: 120_000 }, async (t) => {
  const topic = await kafkaTopic();
  const target = `persistent://public/default/${topic}`;
  await admin.topics.createNonPartitioned(target);
  cleanup(() => admin.topics.delete(target, { force: true }).catch(() => undefined));
  const { code, output } = await mirror(t, `topics:\n  - match: ${topic}\n    to: persistent://public/default/{topic}\n`);
  assert.notEqual(code, 0, output);
  assert.match(output, /K2P_MIRROR_CONFIG/);
  assert.ok(output.includes(`${target} exists as a non-partitioned topic; Kafka topic ${topic} has 2 partitions`), output);
  assert.equal((await admin.topics.stats(target)).msgInCounter, 0, 'nothing written');
});

test('a non-persistent dead-letter topic: K2P_MIRROR_CONFIG before anything is created', { timeout: 120_000 }, async (t) => {
  const topic = await kafkaTopic();
  const target = `persistent://public/default/${topic}`;
  cleanup(() => admin.topics.delete(target, { force: true }).catch(() => undefined));
  const { code, output } = await mirror(t, `topics:\n  - match: ${topic}\n    to: persistent://public/default/{topic}\n    deadLetter: non-persistent://public/default/dlq-{topic}\n`);
  assert.notEqual(code, 0, output);
  assert.match(output, /K2P_MIRROR_CONFIG/);
  assert.ok(output.includes(`dead-letter topic non-persistent://public/default/dlq-${topic} must be persistent`), output);
  const existing = [...(await admin.topics.list('public/default')), ...(await admin.topics.listPartitioned('public/default'))];
  assert.ok(!existing.some((name) => name.startsWith(target)), 'the target was not created');
});
