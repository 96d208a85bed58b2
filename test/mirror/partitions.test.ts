// Partitions added on Kafka while the mirror runs (admin createPartitions) are added on Pulsar by discovery
// and their records mirrored, partition p → partition p, each record once, in order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { isK2pError } from '../../src/errors.js';
import { Mirror } from '../../src/mirror/mirror.js';
import { applyPlan } from '../../src/mirror/provision.js';
import { closePair, discoverer, mirrorPairs, planPair } from '../../src/mirror/setup.js';
import { MessageId } from '../../src/pulsar/client/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-partitions-test', logLevel: logLevel.NOTHING });
const DISCOVERY_MS = 2000;

async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, diagnostics: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `${what} not within ${timeoutMs} ms ${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function configFor(dir: string, prefix: string): ReturnType<typeof loadConfig> {
  writeFileSync(
    join(dir, 'connectors.yaml'),
    `connectors:\n  kafka-local: { kind: kafka, brokers: ${JSON.stringify(STACK.kafkaBrokers)} }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`,
  );
  writeFileSync(join(dir, 'mapping.yaml'), `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: /^${prefix}\\..*/\n    to: persistent://public/default/{topic}\n`);
  return loadConfig([join(dir, 'connectors.yaml'), join(dir, 'mapping.yaml')]);
}

test('partitions added on Kafka are added on Pulsar and their records mirrored', { timeout: 300_000 }, async () => {
  const prefix = uniqueName('k2ppart').replace(/-/g, '');
  const topic = `${prefix}.grows`;
  const target = `persistent://public/default/${topic}`;
  const dir = mkdtempSync(join(tmpdir(), 'k2p-partitions-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const config = configFor(dir, prefix);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });

  const [bare] = mirrorPairs(config);
  const pair = await planPair(config, bare!);
  cleanup(() => closePair(pair));
  assert.equal(pair.topics[0]?.partitions, 2, 'MirroredTopic carries the Kafka partition count');
  for (const plan of pair.plans) await applyPlan(pair.admin, plan);
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const mirror = new Mirror({
    kafka: pair.kafka,
    pulsar: pair.pulsar,
    topics: pair.topics,
    groupId: uniqueName('k2p-partitions'),
    discover: discoverer(config, pair),
    discoveryIntervalMs: DISCOVERY_MS,
    log: (event, fields) => events.push({ event, fields }),
  });
  await mirror.start();
  cleanup(() => mirror.stop());
  const eventLog = (): string => `\nevents: ${JSON.stringify(events.slice(-30))}\nstatus: ${JSON.stringify(mirror.status(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`;

  /** Kafka partition → values written, in order. */
  const written = new Map<number, string[]>();
  const write = async (partitions: number, perPartition: number, label: string): Promise<void> => {
    // A fresh producer each time: kafkajs's producer keeps its metadata and silently drops records for a
    // partition it does not know yet.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = [];
    for (let p = 0; p < partitions; p++) {
      for (let i = 0; i < perPartition; i++) {
        const value = `${label}-p${p}-${i}`;
        messages.push({ partition: p, key: `k${i % 7}`, value });
        written.set(p, [...(written.get(p) ?? []), value]);
      }
    }
    await producer.send({ topic, messages });
    await producer.disconnect();
    const ends = await kafkaAdmin.fetchTopicOffsets(topic);
    for (const [p, values] of written) assert.equal(ends.find((o) => o.partition === p)?.high, String(values.length), `Kafka partition ${p} holds what was written`);
  };
  const mirroredAll = (partitions: number) => () => {
    const rows = mirror.status().filter((r) => r.topic === topic);
    if (rows.length !== partitions) return undefined;
    return rows.every((r) => r.committedOffset === BigInt((written.get(r.partition)?.length ?? 0) - 1)) ? true : undefined;
  };

  await write(2, 50, 'before');
  await waitFor('first records mirrored', 120_000, mirroredAll(2), eventLog);

  // Kafka grows to 5 partitions; records go to every partition, the new ones included.
  const grown = Date.now();
  await kafkaAdmin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
  await waitFor('Kafka metadata shows 5 partitions', 30_000, async () => ((await kafkaAdmin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length === 5 ? true : undefined));
  await write(5, 40, 'after');
  await waitFor('Pulsar partitions added', DISCOVERY_MS + 60_000, async () => ((await admin.topics.partitions(target)) === 5 ? true : undefined), eventLog);
  console.log(`# Kafka partitions 2 → 5: Pulsar had 5 partitions ${Date.now() - grown} ms later`);
  await waitFor('records of the new partitions mirrored', 120_000, mirroredAll(5), eventLog);
  console.log(`# and every record of the 5 partitions mirrored ${Date.now() - grown} ms after the change`);
  const change = events.find((e) => e.event === 'topics-changed' && (e.fields.partitions as { topic: string }[]).some((c) => c.topic === topic));
  assert.ok(change, `a topics-changed event names the partition change${eventLog()}`);
  assert.deepEqual(change.fields.partitions, [{ topic, from: 2, to: 5 }]);

  // Pulsar partition p holds Kafka partition p, each record once, in order.
  const client = testClient();
  for (const [p, values] of [...written].sort((a, b) => a[0] - b[0])) {
    const reader = await client.createReader({ topic: `${target}-partition-${p}`, startMessageId: MessageId.earliest });
    for (const [offset, value] of values.entries()) {
      const m = await reader.readNext(60_000);
      assert.equal(m.payload.toString(), value, `partition ${p} offset ${offset}`);
      assert.equal(m.properties['k2p.offset'], String(offset));
      assert.equal(m.properties['k2p.partition'], String(p));
    }
    // Every record was committed, so stored, before this read: nothing stored after them.
    assert.equal(await reader.hasMessageAvailable(), false, `partition ${p}: nothing more`);
    await reader.close();
  }
  assert.equal(events.filter((e) => e.event === 'discovery-failed').length, 0, eventLog());
  await mirror.stop();
});

test('a partition count that cannot match (Pulsar has more) stops planning with K2P_MIRROR_CONFIG before any data flows', { timeout: 120_000 }, async () => {
  const prefix = uniqueName('k2ppart').replace(/-/g, '');
  const topic = `${prefix}.fewer`;
  const target = `persistent://public/default/${topic}`;
  const dir = mkdtempSync(join(tmpdir(), 'k2p-partitions-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const config = configFor(dir, prefix);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.topics.createPartitioned(target, 3);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'must not reach Pulsar' }] });
  await producer.disconnect();

  const [bare] = mirrorPairs(config);
  const err = await planPair(config, bare!).then(
    () => undefined,
    (e: unknown) => e,
  );
  await closePair(bare!);
  assert.ok(isK2pError(err, 'K2P_MIRROR_CONFIG'), `expected K2P_MIRROR_CONFIG, got ${String(err)}`);
  assert.match(err.message, new RegExp(`${target.replace(/[.]/g, '\\.')} has 3 partitions, more than Kafka topic ${topic.replace(/[.]/g, '\\.')} \\(2\\)`));
  const stats = await admin.topics.partitionedStats(target);
  assert.equal(stats.msgInCounter ?? 0, 0, 'nothing written to Pulsar');
});
