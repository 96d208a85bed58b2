// A compacted Kafka topic (cleanup.policy=compact) mirrored into Pulsar: keys updated several times, some
// deleted by tombstones (one deleted and then written again). After Pulsar compaction (triggered through the
// admin client) a read_compacted reader sees exactly the latest value per key and no deleted key — our reader
// and the official Python client (C++ core) alike.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { Mirror } from '../../src/mirror/mirror.js';
import { applyPlan } from '../../src/mirror/provision.js';
import { closePair, mirrorPairs, planPair } from '../../src/mirror/setup.js';
import { MessageId } from '../../src/pulsar/client/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-compaction-test', logLevel: logLevel.NOTHING });
const PARTITIONS = 2;
const KEYS = 40;
const ROUNDS = 5;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The official Python client reads each partition with a read_compacted reader; prints key → value. */
const PYTHON_READER = `
import base64, json, sys, pulsar
client = pulsar.Client(sys.argv[1], operation_timeout_seconds=30, logger=pulsar.FileLogger(pulsar.LoggerLevel.Warn, "/dev/stderr"))
for topic in sys.argv[2:]:
    reader = client.create_reader(topic, pulsar.MessageId.earliest, is_read_compacted=True)
    while reader.has_message_available():
        m = reader.read_next(30000)
        print(json.dumps({"topic": topic, "key": m.partition_key(), "value_b64": base64.b64encode(m.data()).decode(), "null_value": m.has_null_value()}), flush=True)
    reader.close()
client.close()
`;

function runPython(args: string[]): Promise<{ topic: string; key: string; value_b64: string; null_value: boolean }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, '.venv', 'bin', 'python'), ['-c', PYTHON_READER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python reader exited ${code}: ${err.slice(-2000)}`));
      else resolve(out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { topic: string; key: string; value_b64: string; null_value: boolean }));
    });
  });
}

test('compacted topic: after Pulsar compaction a read_compacted reader sees the latest value per key and no deleted key', { timeout: 600_000 }, async () => {
  const prefix = uniqueName('k2pcompact').replace(/-/g, '');
  const topic = `${prefix}.state`;
  const target = `persistent://public/default/${topic}`;
  const dir = mkdtempSync(join(tmpdir(), 'k2p-compaction-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'connectors.yaml'),
    `connectors:\n  kafka-local: { kind: kafka, brokers: ${JSON.stringify(STACK.kafkaBrokers)} }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`,
  );
  writeFileSync(join(dir, 'mapping.yaml'), `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: ${topic}\n    to: persistent://public/default/{topic}\n`);
  const config = loadConfig([join(dir, 'connectors.yaml'), join(dir, 'mapping.yaml')]);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }], waitForLeaders: true });

  // Every key written ROUNDS times; every 5th key's last record is a tombstone; key 7 is deleted in round 2
  // and written again after; every record of a key goes to the same partition (Kafka's key partitioning).
  const latest = new Map<string, string | null>();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const messages = Array.from({ length: KEYS }, (_, k) => {
      const key = `key-${k}`;
      const tombstone = (k % 5 === 0 && round === ROUNDS - 1) || (k === 7 && round === 2);
      const value = tombstone ? null : `${key}=v${round}`;
      latest.set(key, value);
      return { key, value };
    });
    await producer.send({ topic, messages });
    total += messages.length;
  }
  await producer.disconnect();
  const live = new Map([...latest].filter(([, v]) => v !== null)) as Map<string, string>;
  assert.equal(live.size, KEYS - KEYS / 5);
  assert.equal(live.get('key-7'), 'key-7=v4', 'deleted, then written again');

  // Plan from the files: cleanup.policy=compact is carried over as a compaction threshold.
  const [bare] = mirrorPairs(config);
  const pair = await planPair(config, bare!);
  cleanup(() => closePair(pair));
  assert.ok(pair.plans[0]!.actions.some((a) => a.kind === 'set-compaction-threshold'), JSON.stringify(pair.plans[0]!.actions));
  for (const plan of pair.plans) await applyPlan(pair.admin, plan);
  assert.equal(await admin.topics.getCompactionThreshold(target), 100 * 1024 * 1024);

  const mirror = new Mirror({ kafka: pair.kafka, pulsar: pair.pulsar, topics: pair.topics, groupId: uniqueName('k2p-compaction') });
  await mirror.start();
  cleanup(() => mirror.stop());
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high) - 1n]));
  const started = Date.now();
  while (mirror.status().length < PARTITIONS || !mirror.status().every((p) => p.committedOffset === ends.get(p.partition))) {
    assert.ok(Date.now() - started < 120_000, `mirror stalled: ${JSON.stringify(mirror.status(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await mirror.stop();
  assert.equal(
    mirror.status().reduce((n, p) => n + p.records, 0),
    total,
  );

  // Compaction of each partition, triggered now, waited for.
  for (let p = 0; p < PARTITIONS; p++) {
    const partition = `${target}-partition-${p}`;
    await admin.topics.triggerCompaction(partition);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { status, lastError } = await admin.topics.compactionStatus(partition);
      assert.notEqual(status, 'ERROR', `compaction of ${partition} failed: ${lastError}`);
      if (status === 'SUCCESS') break;
      assert.ok(Date.now() < deadline, `compaction of ${partition} still ${status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  // Our reader, read_compacted: one message per key, a live key with its latest value; a deleted key has no
  // value left — at most its tombstone (Pulsar keeps the latest tombstone in the compacted view, as Kafka keeps
  // tombstones for delete.retention.ms), never an earlier value.
  const client = testClient();
  const ours = new Map<string, string>();
  const tombstones = new Set<string>();
  for (let p = 0; p < PARTITIONS; p++) {
    const reader = await client.createReader({ topic: `${target}-partition-${p}`, startMessageId: MessageId.earliest, readCompacted: true });
    while (await reader.hasMessageAvailable()) {
      const m = await reader.readNext(30_000);
      assert.ok(m.key !== undefined, 'keyed');
      assert.ok(!ours.has(m.key) && !tombstones.has(m.key), `${m.key} seen twice: the reader did not read the compacted view`);
      if (m.nullValue) tombstones.add(m.key);
      else ours.set(m.key, m.payload.toString());
    }
    await reader.close();
  }
  assert.deepEqual(new Map([...ours].sort()), new Map([...live].sort()));
  for (const key of tombstones) assert.equal(latest.get(key), null, `${key}: a tombstone in the compacted view, but the key is live`);

  // The official client's read_compacted reader sees the same.
  const lines = await runPython([STACK.pulsarServiceUrl, ...Array.from({ length: PARTITIONS }, (_, p) => `${target}-partition-${p}`)]);
  const theirs = new Map<string, string>();
  const theirTombstones = new Set<string>();
  // The C++ core (3.x) hands over the batch slots compaction marked compacted_out as messages without key or
  // payload (it does so for its own batches too); every record of this topic has a key, so they are those.
  const placeholders = lines.filter((l) => l.key === '' && l.value_b64 === '' && !l.null_value);
  for (const l of lines.filter((x) => !placeholders.includes(x))) {
    assert.ok(!theirs.has(l.key) && !theirTombstones.has(l.key), `python: ${l.key} seen twice`);
    if (l.null_value) theirTombstones.add(l.key);
    else theirs.set(l.key, Buffer.from(l.value_b64, 'base64').toString());
  }
  assert.deepEqual(new Map([...theirs].sort()), new Map([...live].sort()));
  assert.deepEqual([...theirTombstones].sort(), [...tombstones].sort());
  console.log(
    `# ${total} records over ${KEYS} keys (${KEYS - live.size} deleted) → ${ours.size} live keys with their latest value + ${tombstones.size} tombstones in the compacted view, ours and the official client's (which also hands over ${placeholders.length} compacted-out slots)`,
  );
});
