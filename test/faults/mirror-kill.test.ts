// Fault: the mirror process is killed with SIGKILL at random moments (5 times) during a 500k-record run
// and restarted each time. Afterwards Pulsar holds exactly what Kafka holds: every record once, in order.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { MessageId } from '../../src/pulsar/client/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const TOTAL = Number(process.env.K2P_MIRROR_FAULT_RECORDS ?? 500_000);
const PARTITIONS = 4;
const KILLS = 5;
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-fault-test', logLevel: logLevel.NOTHING });
const runner = fileURLToPath(new URL('../helpers/mirror-process.ts', import.meta.url));

function startMirror(args: object): { child: ChildProcess; records: () => number } {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = 0;
  child.stdout!.on('data', (d: Buffer) => {
    const line = d.toString().trim().split('\n').pop();
    if (line) last = (JSON.parse(line) as { records: number }).records;
  });
  return { child, records: () => last };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

test(`mirror killed ${KILLS} times with SIGKILL during ${TOTAL} records: Pulsar equals Kafka exactly`, { timeout: 900_000 }, async () => {
  const source = uniqueName('fault-src');
  const target = `persistent://public/default/${uniqueName('fault-dst')}`;
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [source] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
  });
  await kafkaAdmin.createTopics({ topics: [{ topic: source, numPartitions: PARTITIONS }], waitForLeaders: true });
  await applyPlan(admin, await planTopic(admin, { name: source, partitions: PARTITIONS }, target, new KnownState(admin)));

  // The source is written while the mirror runs and gets killed.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const writing = (async () => {
    for (let start = 0; start < TOTAL; start += 10_000) {
      await producer.send({
        topic: source,
        messages: Array.from({ length: 10_000 }, (_, j) => ({ key: `k${(start + j) % 1009}`, value: `v${start + j}`, headers: { i: String(start + j) } })),
      });
      await new Promise((r) => setTimeout(r, 600)); // a steady stream (~50 s), so the kills land mid-run
    }
    await producer.disconnect();
  })();

  const args = { source, target, groupId: uniqueName('k2p-fault') };
  const runStart = Date.now();
  let mirror = startMirror(args);
  for (let kill = 1; kill <= KILLS; kill++) {
    // Kill once this process is writing (or after 20 s), at a random moment.
    const since = Date.now();
    while (mirror.records() === 0 && Date.now() - since < 20_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Math.random() * 2000));
    mirror.child.kill('SIGKILL');
    await exited(mirror.child);
    console.log(`# kill ${kill} after ${((Date.now() - runStart) / 1000).toFixed(1)} s: that process had mirrored ${mirror.records()} records`);
    mirror = startMirror(args);
  }
  await writing;
  // Let the last process finish, then compare.
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(source)).map((o) => [o.partition, Number(o.high)]));
  const client = testClient();
  const deadline = Date.now() + 300_000;
  for (let p = 0; p < PARTITIONS; p++) {
    const reader = await client.createReader({ topic: `${target}-partition-${p}`, startMessageId: MessageId.earliest });
    let expectedOffset = 0;
    while (expectedOffset < ends.get(p)!) {
      assert.ok(Date.now() < deadline, `partition ${p} stuck at offset ${expectedOffset} of ${ends.get(p)}`);
      const m = await reader.readNext(60_000);
      const offset = Number(m.properties['k2p.offset']);
      assert.equal(offset, expectedOffset, `partition ${p}: offset ${offset} where ${expectedOffset} was expected (duplicate or gap)`);
      assert.equal(Number(m.properties['k2p.partition']), p);
      expectedOffset++;
    }
    // Nothing after the last Kafka record.
    await assert.rejects(reader.readNext(1500));
    await reader.close();
  }
  mirror.child.kill('SIGTERM');
  await exited(mirror.child);
});
