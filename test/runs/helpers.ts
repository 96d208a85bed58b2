// Shared by the run tests: a small Kafka estate (topics with records, a consumer group stopped part-way),
// config files for it in a temp folder (connectors on the local stack, a mapping taking exactly these
// topics and the group), and checks of what Pulsar holds against what Kafka holds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { Gateway } from '../../src/runs/index.js';
import type { Run } from '../../src/runs/index.js';
import { MessageId, type PulsarClient } from '../../src/pulsar/client/index.js';
import { admin } from '../helpers/pulsar.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';

/** Deletes every Redis key matching `pattern` (a test's own prefix): tests leave the shared Redis clean. */
export async function dropKeys(pattern: string): Promise<void> {
  const redis = new Redis(STACK.redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-runs-test', logLevel: logLevel.NOTHING });

export interface Estate {
  prefix: string;
  topics: string[];
  group: string;
  files: string[];
  dir: string;
  /** Pulsar topic of a Kafka topic. */
  target(topic: string): string;
}

/** Connector and mapping files for topics `<prefix>-*` and group `<prefix>-g`. */
export function writeConfig(prefix: string): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-runs-test-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const connectors = `connectors:
  kafka-t: { kind: kafka, brokers: ${JSON.stringify(STACK.kafkaBrokers)} }
  pulsar-t: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }
  redis-t: { kind: redis, url: "${STACK.redisUrl}" }
`;
  const mapping = `source: kafka-t
target: pulsar-t
topics:
  - match: /^${prefix}-t.*/
    to: persistent://public/default/{topic}
groups:
  - match: ${prefix}-g
    subscription: ${prefix}-sub
    type: Failover
    whenNoOffset: earliest
`;
  writeFileSync(join(dir, 'connectors.yaml'), connectors);
  writeFileSync(join(dir, 'mapping.yaml'), mapping);
  return { dir, files: [join(dir, 'connectors.yaml'), join(dir, 'mapping.yaml')] };
}

/** `topics` topics of `partitions` partitions with `records` records each; the group consumed `consumed` of each partition. */
export async function createEstate(options: { topics: number; partitions: number; records: number; consumed?: number }): Promise<Estate> {
  const prefix = uniqueName('k2prun');
  const topics = Array.from({ length: options.topics }, (_, i) => `${prefix}-t${i}`);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    for (const t of topics) await admin.topics.delete(`persistent://public/default/${t}`, { force: true }).catch(() => undefined);
    // The offsets module's keys for these topics and this group (its own default prefixes).
    await dropKeys(`k2p:offset-index:persistent://public/default/${prefix}-*`);
    const redis = new Redis(STACK.redisUrl);
    await redis.hdel('k2p:offsets:groups:kafka-t→pulsar-t', `${prefix}-g`).finally(() => redis.disconnect());
  });
  await kafkaAdmin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: options.partitions })), waitForLeaders: true });
  if (options.records > 0) await produce(topics, options.partitions, 0, options.records);
  const group = `${prefix}-g`;
  if (options.consumed !== undefined) {
    await kafkaAdmin.setOffsets({ groupId: group, topic: topics[0]!, partitions: Array.from({ length: options.partitions }, (_, partition) => ({ partition, offset: String(options.consumed) })) });
  }
  const { dir, files } = writeConfig(prefix);
  return { prefix, topics, group, files, dir, target: (t) => `persistent://public/default/${t}` };
}

/** Records [from, to) per partition of every topic: key k<p>-<i>, value v<p>-<i>. */
export async function produce(topics: string[], partitions: number, from: number, to: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const topic of topics) {
    for (let start = from; start < to; start += 5000) {
      const end = Math.min(to, start + 5000);
      await producer.send({
        topic,
        messages: Array.from({ length: partitions }, (_, p) => Array.from({ length: end - start }, (_, j) => ({ partition: p, key: `k${p}-${start + j}`, value: `v${p}-${start + j}` }))).flat(),
      });
    }
  }
  await producer.disconnect();
}

/** Waits until `check(run)` holds (polling the store), failing with the run's state after `timeoutMs`. */
export async function waitRun(gateway: Pick<Gateway, 'store'>, id: string, check: (run: Run) => boolean, timeoutMs = 240_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  let run: Run | undefined;
  while (Date.now() < deadline) {
    run = await gateway.store.get(id);
    if (run && check(run)) return run;
    if (run?.status === 'failed' && !check(run)) assert.fail(`run ${id} failed: ${JSON.stringify(run.error)} (steps ${JSON.stringify(run.steps)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`run ${id} not as expected after ${timeoutMs} ms: ${JSON.stringify(run)}`);
}

/** Pulsar partition p of the target holds Kafka offsets 0..end-1 of partition p, each once, in order, with the same key and value. */
export async function assertPulsarEqualsKafka(client: PulsarClient, topic: string, target: string, partitions: number): Promise<number> {
  const ka = kafka.admin();
  await ka.connect();
  const ends = new Map((await ka.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  await ka.disconnect();
  let n = 0;
  for (let p = 0; p < partitions; p++) {
    const end = ends.get(p) ?? 0;
    const reader = await client.createReader({ topic: `${target}-partition-${p}`, startMessageId: MessageId.earliest });
    try {
      for (let expected = 0; expected < end; expected++) {
        const m = await reader.readNext(60_000);
        assert.equal(Number(m.properties['k2p.offset']), expected, `${topic}[${p}]: offset ${m.properties['k2p.offset']} where ${expected} was expected`);
        assert.equal(m.key, `k${p}-${expected}`);
        assert.equal(m.payload.toString(), `v${p}-${expected}`);
        n++;
      }
      await assert.rejects(reader.readNext(1500), /K2P_PLS_TIMEOUT/, `${topic}[${p}]: nothing after the last Kafka record`);
    } finally {
      await reader.close();
    }
  }
  return n;
}
