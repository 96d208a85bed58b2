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
export function writeConfig(topic: string, route: Route): GatewayConfig {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-facade-'));
  writeFileSync(
    join(dir, 'connectors.yaml'),
    `connectors:\n  kafka-local: { kind: kafka, brokers: ["${STACK.kafkaBrokers[0]}"] }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`,
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

export async function fixture(prefix: string, route: Route, partitions = 3, http: FacadeHttpOptions = {}): Promise<Fixture> {
  const { topic, pulsarTopic } = await topics(prefix, partitions);
  const config = writeConfig(topic, route);
  const core = facadeCore(config, { flipTimeoutMs: 60_000 });
  const app = buildFacadeApp(core, http);
  cleanup(async () => {
    await app.close();
    await core.close();
  });
  return { topic, pulsarTopic, config, core, app };
}

export const V2_BINARY = 'application/vnd.kafka.binary.v2+json';
export const V2_JSON_FMT = 'application/vnd.kafka.json.v2+json';
export const V2 = 'application/vnd.kafka.v2+json';
export const b64 = (s: string): string => Buffer.from(s).toString('base64');
