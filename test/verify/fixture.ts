// Shared by the verification tests: one small Kafka source topic with known records (keys, binary and repeated
// headers, tombstones, timestamps), a Pulsar copy made by the real Mirror, and Pulsar topics written directly
// by our producer — the messages toPulsarMessage makes from the same records, with one fault injected.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { Mirror } from '../../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { toPulsarMessage, type KafkaRecord } from '../../src/mirror/record-mapping.js';
import {
  partitionTopic,
  type MessageId,
  type OutgoingMessage,
  type PulsarClient,
} from '../../src/pulsar/client/index.js';
import type { VerifyReport } from '../../src/verify/index.js';
import { freshTopic } from '../helpers/kafka-transactions.js';
import { admin } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

export const kafka = new Kafka({
  brokers: [...STACK.kafkaBrokers],
  clientId: 'k2p-verify-test',
  logLevel: logLevel.NOTHING,
});
/** The connector of the same cluster: verify then reads Kafka with our fetch client (src/kafka/wire). */
export const kafkaConnector = { name: 'kafka-local', brokers: [...STACK.kafkaBrokers] };
export const MAPPING = { provenance: true, headerEncoding: 'lossless' as const };
const root = fileURLToPath(new URL('../..', import.meta.url));

/** records[p][i] is the record at offset i of Kafka partition p. */
export interface Source {
  topic: string;
  records: KafkaRecord[][];
}

/**
 * Record timestamps: recent. Kafka deletes whole segments whose newest timestamp is older than its retention
 * (7 days by default) at its next check (every 5 minutes), so records stamped in 2023 vanished at a random
 * moment of a run — an "identical" run then compared fewer records than written, or none.
 */
const BASE_TIME = Date.now() - 3_600_000;

export function recordAt(partition: number, i: number, topic: string): KafkaRecord {
  const n = partition * 1000 + i;
  return {
    topic,
    partition,
    offset: String(i),
    key: i % 13 === 12 ? null : Buffer.from(`key-${n % 7}`),
    value: i % 10 === 9 ? null : Buffer.from(`value-${n}-${'x'.repeat(n % 17)}`),
    timestamp: String(BASE_TIME + n),
    headers: [
      { key: 'trace', value: Buffer.from(`t${n}`) },
      { key: 'bin', value: Buffer.from([n & 255, 0, 0xff]) },
      { key: 'rep', value: Buffer.from('a') },
      { key: 'rep', value: Buffer.from('b') },
    ],
  };
}

/** A fresh, empty Kafka topic named `<prefix>-<unique>`, deleted after the test file. */
export function freshKafkaTopic(prefix: string, partitions: number): Promise<string> {
  return freshTopic(kafka, prefix, partitions);
}

/** A fresh Kafka topic with `perPartition` records on each partition (offsets 0..perPartition-1). */
export async function createSource(partitions: number, perPartition: number): Promise<Source> {
  const topic = await freshKafkaTopic('verify-src', partitions);
  const records = Array.from({ length: partitions }, (_, p) =>
    Array.from({ length: perPartition }, (_, i) => recordAt(p, i, topic)),
  );
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const list of records) {
    await producer.send({
      topic,
      messages: list.map((r) => ({
        partition: r.partition,
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
        headers: kafkaHeaders(r),
      })),
    });
  }
  await producer.disconnect();
  return { topic, records };
}

function kafkaHeaders(r: KafkaRecord): Record<string, Buffer | Buffer[]> {
  const out: Record<string, Buffer | Buffer[]> = {};
  for (const h of r.headers as { key: string; value: Buffer }[]) {
    const prev = out[h.key];
    if (prev === undefined) out[h.key] = h.value;
    else out[h.key] = Array.isArray(prev) ? [...prev, h.value] : [prev, h.value];
  }
  return out;
}

/** A fresh partitioned Pulsar topic named after the Kafka topic (`<topic>-<suffix>`), deleted after the test file. */
export async function freshTarget(kafkaTopic: string, partitions: number, suffix = 'copy'): Promise<string> {
  const target = `persistent://public/default/${uniqueName(`${kafkaTopic}-${suffix}`)}`;
  await admin.topics.createPartitioned(target, partitions);
  cleanup(() => admin.topics.delete(target, { force: true }).catch(() => undefined));
  return target;
}

/** The source mirrored into a fresh target by the real Mirror, until every partition is committed at its end. */
export async function mirrorSource(client: PulsarClient, source: Source): Promise<string> {
  const target = `persistent://public/default/${uniqueName(`${source.topic}-mirror`)}`;
  cleanup(() => admin.topics.delete(target, { force: true }).catch(() => undefined));
  const plan = await planTopic(
    admin,
    { name: source.topic, partitions: source.records.length },
    target,
    new KnownState(admin),
  );
  await applyPlan(admin, plan);
  const groupId = uniqueName('verify-mirror');
  const mirror = new Mirror({
    kafka,
    pulsar: client,
    groupId,
    topics: [{ source: source.topic, target, persistent: true, mapping: MAPPING }],
  });
  await mirror.start();
  const deadline = Date.now() + 120_000;
  try {
    const done = () =>
      mirror.status().length === source.records.length &&
      mirror.status().every((p) => p.committedOffset === BigInt(source.records[p.partition]!.length - 1));
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(
          `mirror stalled: ${JSON.stringify(mirror.status(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await mirror.stop();
  }
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.deleteGroups([groupId]).catch(() => undefined);
  await kafkaAdmin.disconnect();
  return target;
}

/** What toPulsarMessage makes of a record. Injected copies carry no caller sequence id (the producer numbers
 * them), so our producer sends duplicates and out-of-order copies as they are; the provenance properties
 * say which Kafka offset each stands for. */
export function messageOf(r: KafkaRecord): OutgoingMessage {
  const m = toPulsarMessage(r, MAPPING);
  delete m.sequenceId;
  return m;
}

/** Writes the messages of each partition, in order, to a fresh target; the ids in the same order. */
export async function writeTarget(
  client: PulsarClient,
  kafkaTopic: string,
  partitions: OutgoingMessage[][],
): Promise<{ target: string; ids: MessageId[][] }> {
  const target = await freshTarget(kafkaTopic, partitions.length, 'fault');
  const ids: MessageId[][] = [];
  for (let p = 0; p < partitions.length; p++) {
    const producer = await client.createProducer({ topic: partitionTopic(target, p) });
    ids.push(await Promise.all(partitions[p]!.map((m) => producer.send(m))));
    await producer.close();
  }
  return { target, ids };
}

/** A mapping file taking exactly `source` to `target` (named `<source>-...`), and the groups given. */
export function mappingFile(
  source: string,
  target: string,
  groups: { match: string; subscription: string; type?: string }[] = [],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-verify-'));
  const file = join(dir, 'mapping.yaml');
  const groupLines =
    groups.length > 0
      ? `groups:\n${groups.map((g) => `  - match: ${g.match}\n    subscription: ${g.subscription}\n    type: ${g.type ?? 'Failover'}\n`).join('')}`
      : '';
  const to = target.replace(`/${source}-`, '/{topic}-');
  writeFileSync(
    file,
    `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: ${source}\n    to: ${to}\n${groupLines}`,
  );
  return file;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `k2p <args>` as a user runs it. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [join(root, 'bin/k2p.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** `k2p verify -c connectors/local.yaml -c <mapping> --json ...`: exit code and parsed report. */
export async function verifyCli(
  mapping: string,
  extra: string[] = [],
): Promise<{ code: number | null; report: VerifyReport; stderr: string }> {
  const run = await runCli([
    'verify',
    '-c',
    join(root, 'connectors/local.yaml'),
    '-c',
    mapping,
    '--json',
    ...extra,
  ]);
  let report: VerifyReport;
  try {
    report = JSON.parse(run.stdout) as VerifyReport;
  } catch {
    throw new Error(`k2p verify printed no JSON report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, report, stderr: run.stderr };
}
