// Shared by the mirror fault tests: a mirror in a child process, a steady Kafka writer, and the exactness
// check (Pulsar partition p holds Kafka partition p's offsets 0..end-1, each once, in order).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka } from 'kafkajs';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { MessageId, type PulsarClient } from '../../src/pulsar/client/index.js';
import { admin } from './pulsar.js';
import { cleanup, uniqueName } from './stack.js';

const runner = fileURLToPath(new URL('./mirror-process.ts', import.meta.url));

export interface MirrorProcess {
  child: ChildProcess;
  /** Records this process has written (duplicates not counted), from its progress lines. */
  records(): number;
  exited: Promise<void>;
}

export function startMirrorProcess(args: { source: string; target: string; groupId: string }): MirrorProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = 0;
  child.stdout!.on('data', (d: Buffer) => {
    const line = d.toString().trim().split('\n').pop();
    if (line) last = (JSON.parse(line) as { records: number }).records;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, records: () => last, exited };
}

/** Writes `total` keyed records in batches of 10,000 with a pause between them (a steady stream). */
export async function writeSteadily(kafka: Kafka, topic: string, total: number, pauseMs: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let start = 0; start < total; start += 10_000) {
    await producer.send({
      topic,
      messages: Array.from({ length: Math.min(10_000, total - start) }, (_, j) => ({ key: `k${(start + j) % 1009}`, value: `v${start + j}`, headers: { i: String(start + j) } })),
    });
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  await producer.disconnect();
}

/** Every Kafka offset of every partition is in the Pulsar partition once, in order, nothing after. */
export async function assertPulsarEqualsKafka(client: PulsarClient, target: string, ends: Map<number, number>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [p, end] of ends) {
    const reader = await client.createReader({ topic: `${target}-partition-${p}`, startMessageId: MessageId.earliest });
    let expected = 0;
    while (expected < end) {
      assert.ok(Date.now() < deadline, `partition ${p} stuck at offset ${expected} of ${end}`);
      const m = await reader.readNext(60_000);
      const offset = Number(m.properties['k2p.offset']);
      assert.equal(offset, expected, `partition ${p}: offset ${offset} where ${expected} was expected (duplicate or gap)`);
      assert.equal(Number(m.properties['k2p.partition']), p);
      expected++;
    }
    await assert.rejects(reader.readNext(1500), /K2P_PLS_TIMEOUT/, `partition ${p}: nothing after the last Kafka record`);
    await reader.close();
  }
}

/**
 * A fresh Kafka source topic and Pulsar target name, both removed after the test file; the target is
 * provisioned as the mirror would (partitions 1:1, deduplication) unless `provision` is false.
 */
export async function mirrorTopics(
  kafka: Kafka,
  prefix: string,
  partitions: number,
  provision = true,
): Promise<{ source: string; target: string; kafkaAdmin: Admin }> {
  const source = uniqueName(`${prefix}-src`);
  const target = `persistent://public/default/${uniqueName(`${prefix}-dst`)}`;
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [source] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: [{ topic: source, numPartitions: partitions }], waitForLeaders: true });
  if (provision) await applyPlan(admin, await planTopic(admin, { name: source, partitions }, target, new KnownState(admin)));
  return { source, target, kafkaAdmin };
}
