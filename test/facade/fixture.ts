// A facade over the real local stack for tests: a fresh Kafka topic, its Pulsar target provisioned as the
// mirror provisions it (partitions 1:1, deduplication), config files naming both, the core and the app.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type GatewayConfig } from '../../src/config/index.js';
import type { FacadeCore } from '../../src/facade/facade.js';
import { buildFacadeApp, type FacadeHttpOptions } from '../../src/facade/server.js';
import { facadeCore } from '../../src/facade/start.js';
import type { Route } from '../../src/facade/route-table.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { admin } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

export const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-facade-test', logLevel: logLevel.NOTHING });

export interface Fixture {
  topic: string;
  pulsarTopic: string;
  config: GatewayConfig;
  core: FacadeCore;
  app: FastifyInstance;
}

/** Config files for one topic mapping (`{topic}-p` in public/default) with the given route. */
export function writeConfig(topic: string, route: Route, withRedis = false): GatewayConfig {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-facade-'));
  writeFileSync(
    join(dir, 'connectors.yaml'),
    `connectors:\n  kafka-local: { kind: kafka, brokers: ["${STACK.kafkaBrokers[0]}"] }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n` +
      (withRedis ? `  redis-local: { kind: redis, url: "${STACK.redisUrl}" }\n` : ''),
  );
  writeFileSync(
    join(dir, 'mappings.yaml'),
    `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: ${topic}\n    to: persistent://public/default/{topic}-p\n    route: ${route}\n`,
  );
  return loadConfig([join(dir, 'connectors.yaml'), join(dir, 'mappings.yaml')]);
}

/** Creates the Kafka topic and its provisioned Pulsar target; both removed after the test file. */
export async function topics(prefix: string, partitions: number): Promise<{ topic: string; pulsarTopic: string }> {
  const topic = uniqueName(prefix);
  const pulsarTopic = `persistent://public/default/${topic}-p`;
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(pulsarTopic, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await applyPlan(admin, await planTopic(admin, { name: topic, partitions }, pulsarTopic, new KnownState(admin)));
  return { topic, pulsarTopic };
}

export interface ConsumerSettings {
  /** Consumer-instance state in the stack's Redis under this key prefix (else in process memory). */
  redisPrefix?: string;
  instanceTimeoutMs?: number;
}

export async function fixture(prefix: string, route: Route, partitions = 3, http: FacadeHttpOptions = {}, consumers: ConsumerSettings = {}): Promise<Fixture> {
  const { topic, pulsarTopic } = await topics(prefix, partitions);
  const config = writeConfig(topic, route, consumers.redisPrefix !== undefined);
  const f = { topic, pulsarTopic, config, ...secondFacade(config, http, consumers) };
  return f;
}

/** Another gateway process's facade over the same config: its own clients, core and app. */
export function secondFacade(config: GatewayConfig, http: FacadeHttpOptions = {}, consumers: ConsumerSettings = {}): { core: FacadeCore; app: FastifyInstance } {
  const core = facadeCore(config, { flipTimeoutMs: 60_000, consumerKeyPrefix: consumers.redisPrefix, consumerInstanceTimeoutMs: consumers.instanceTimeoutMs });
  const app = buildFacadeApp(core, http);
  cleanup(async () => {
    await app.close();
    await core.close();
  });
  return { core, app };
}

export const V2_BINARY = 'application/vnd.kafka.binary.v2+json';
export const V2_JSON_FMT = 'application/vnd.kafka.json.v2+json';
export const V2 = 'application/vnd.kafka.v2+json';
export const b64 = (s: string): string => Buffer.from(s).toString('base64');

export interface SideRecord {
  partition: number;
  offset: bigint;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** Every record of a Kafka topic (read_committed), by a fresh consumer group; waits for `expected` records. */
export async function readKafka(topic: string, expected: number, timeoutMs = 60_000): Promise<SideRecord[]> {
  const out: SideRecord[] = [];
  if (expected === 0) return out;
  const consumer = kafka.consumer({ groupId: uniqueName('facade-read') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ partition, offset: BigInt(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers, timestamp: message.timestamp });
        if (out.length >= expected) done();
      },
    });
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${out.length} of ${expected} Kafka records within ${timeoutMs} ms`)), timeoutMs))]);
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

/** Every message of every partition of a Pulsar topic, as records (offset = sequence id). */
export async function readPulsar(pulsarTopic: string, partitions: number): Promise<SideRecord[]> {
  const { MessageId } = await import('../../src/pulsar/client/index.js');
  const { fromPulsarMessage } = await import('../../src/mirror/record-mapping.js');
  const { testClient, admin: pulsarAdmin } = await import('../helpers/pulsar.js');
  const client = testClient();
  const out: SideRecord[] = [];
  for (let p = 0; p < partitions; p++) {
    // An empty partition: nothing to read (the reader's hasMessageAvailable says true there).
    if ((await pulsarAdmin.topics.lastMessageId(`${pulsarTopic}-partition-${p}`)).entryId < 0n) continue;
    const reader = await client.createReader({ topic: `${pulsarTopic}-partition-${p}`, startMessageId: MessageId.earliest });
    while (await reader.hasMessageAvailable()) {
      const m = await reader.readNext(10_000);
      const r = fromPulsarMessage(m);
      const headers: Record<string, string> = {};
      for (const h of r.headers) headers[h.key] = h.value?.toString() ?? '';
      out.push({ partition: p, offset: m.sequenceId, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, headers, timestamp: r.timestamp });
    }
    await reader.close();
  }
  return out;
}
