// Shared by the schema translation tests: registry subjects removed after the file, a mirror run until every
// partition is handled, dead letters read back.
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { Mirror, type MirroredTopic } from '../../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { SchemaConverter, pulsarSchemaTarget, type SchemaConverterOptions } from '../../src/mirror/schema-converter.js';
import { RegistryClient, SchemaTranslator } from '../../src/schema/index.js';
import type { PulsarClient } from '../../src/pulsar/client/index.js';
import { admin } from './pulsar.js';
import { STACK, cleanup, uniqueName } from './stack.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function registryCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${STACK.registryUrl}${path}`, {
    method,
    headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Deletes the subject (soft, then permanently) after the test file. */
export function dropSubjectAfter(subject: string): void {
  cleanup(async () => {
    await registryCall('DELETE', `/subjects/${encodeURIComponent(subject)}`).catch(() => undefined);
    await registryCall('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`).catch(() => undefined);
  });
}

/** Registers a schema under a subject (removed after the file); answers its id. */
export async function registerSchema(subject: string, schema: string, schemaType?: 'AVRO' | 'JSON' | 'PROTOBUF', references?: unknown[]): Promise<number> {
  dropSubjectAfter(subject);
  const answer = await registryCall('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
    schema,
    ...(schemaType && schemaType !== 'AVRO' ? { schemaType } : {}),
    ...(references ? { references } : {}),
  });
  assert.equal(answer.status, 200, `register ${subject}: ${JSON.stringify(answer.body)}`);
  return answer.body.id as number;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));

/** Runs a Mirror on the topics until every partition's committed offset reaches the Kafka end (or paused). */
export async function mirrorUntil(
  kafka: Kafka,
  client: PulsarClient,
  topics: MirroredTopic[],
  done: (mirror: Mirror) => boolean,
  timeoutMs = 120_000,
): Promise<Mirror> {
  const logs: string[] = [];
  const mirror = new Mirror({ kafka, pulsar: client, groupId: uniqueName('k2p-schema'), topics, log: (event, fields) => logs.push(`${event} ${json(fields)}`) });
  await mirror.start();
  const started = Date.now();
  try {
    while (!done(mirror)) {
      assert.ok(Date.now() - started < timeoutMs, `mirror did not finish: ${json(mirror.status())}\n${logs.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await mirror.stop();
  }
  return mirror;
}

/** True when every partition of `ends` (partition → end offset) is committed at its last record. */
export function committedTo(mirror: Mirror, ends: Map<number, number>): boolean {
  const status = mirror.status();
  return [...ends].every(([p, end]) => end === 0 || status.some((s) => s.partition === p && s.committedOffset === BigInt(end - 1)));
}

export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * A Kafka topic, its provisioned Pulsar target (`targetOf` the source, or a name of its own) and a dead-letter
 * topic; all (and `<source>-value`) removed after the file.
 */
export async function schemaTopics(kafka: Kafka, prefix: string, partitions: number, targetOf?: (source: string) => string): Promise<{ source: string; target: string; deadLetter: string }> {
  const source = uniqueName(`${prefix}-src`);
  const target = targetOf?.(source) ?? `persistent://public/default/${uniqueName(`${prefix}-dst`)}`;
  const deadLetter = `persistent://public/default/${uniqueName(`${prefix}-dlq`)}`;
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [source] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
    await admin.topics.delete(deadLetter, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: [{ topic: source, numPartitions: partitions }], waitForLeaders: true });
  await applyPlan(admin, await planTopic(admin, { name: source, partitions }, target, new KnownState(admin), deadLetter));
  dropSubjectAfter(`${source}-value`);
  return { source, target, deadLetter };
}

/** A registry SchemaConverter for a topic, on the local registry and broker. */
export function registryConverter(client: PulsarClient, topic: { source: string; target: string }, extra: Partial<SchemaConverterOptions> = {}): SchemaConverter {
  return new SchemaConverter({
    schema: 'registry',
    mapping: { provenance: true, headerEncoding: 'lossless' },
    source: topic.source,
    target: topic.target,
    persistent: true,
    pulsar: pulsarSchemaTarget(client, admin),
    translator: new SchemaTranslator(new RegistryClient({ url: STACK.registryUrl })),
    ...extra,
  });
}
