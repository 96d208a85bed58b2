// Shared by the schema mirror tests: a one-file config (Kafka, Pulsar and registry connectors on the local
// stack, one mapping kafka-t → pulsar-t) in a temp folder, and Kafka topics that are deleted — with their
// Pulsar targets — when the test ends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { admin } from './pulsar.js';
import { cleanup, STACK } from './stack.js';

const kafka = new kafkajs.Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-test-topics', logLevel: kafkajs.logLevel.NOTHING });

/**
 * Writes `k2p.yaml` with the connectors kafka-t, pulsar-t, registry-t (at `registryUrl`, default the stack's)
 * and a mapping whose `topics:` are the given flow-style lines; `extra` files go next to it.
 */
export function writeRegistryMirrorConfig(topicLines: string[], options: { registryUrl?: string; extra?: Record<string, string> } = {}): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-mirror-config-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(options.extra ?? {})) writeFileSync(join(dir, name), content);
  const file = join(dir, 'k2p.yaml');
  writeFileSync(
    file,
    [
      'connectors:',
      `  kafka-t: { kind: kafka, brokers: ["${STACK.kafkaBrokers[0]}"] }`,
      `  pulsar-t: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }`,
      `  registry-t: { kind: schema-registry, url: "${options.registryUrl ?? STACK.registryUrl}" }`,
      'source: kafka-t',
      'target: pulsar-t',
      'registry: registry-t',
      'topics:',
      ...topicLines.map((line) => `  - ${line}`),
      '',
    ].join('\n'),
  );
  return { dir, file };
}

/** Creates Kafka topics (leaders ready); when the test ends they are deleted, and so are the Pulsar topics named. */
export async function kafkaTopicsForTest(topics: string[], partitions: number, pulsarTopics: string[] = []): Promise<void> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    for (const t of pulsarTopics) await admin.topics.delete(t, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
}
