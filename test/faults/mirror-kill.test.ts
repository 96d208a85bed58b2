// Fault: the mirror process is killed with SIGKILL at random moments (5 times) during a 500k-record run
// and restarted each time. Afterwards Pulsar holds exactly what Kafka holds: every record once, in order.
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { assertPulsarEqualsKafka, mirrorTopics, startMirrorProcess, writeSteadily } from '../helpers/mirror-fault.js';
import { testClient } from '../helpers/pulsar.js';
import { STACK, uniqueName } from '../helpers/stack.js';

const TOTAL = Number(process.env.K2P_MIRROR_FAULT_RECORDS ?? 500_000);
const PARTITIONS = 4;
const KILLS = 5;
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-fault-test', logLevel: logLevel.NOTHING });

test(`mirror killed ${KILLS} times with SIGKILL during ${TOTAL} records: Pulsar equals Kafka exactly`, { timeout: 900_000 }, async () => {
  const { source, target, kafkaAdmin } = await mirrorTopics(kafka, 'fault', PARTITIONS);

  // The source is written (~50 s) while the mirror runs and gets killed.
  const writing = writeSteadily(kafka, source, TOTAL, 600);
  const args = { source, target, groupId: uniqueName('k2p-fault') };
  const runStart = Date.now();
  let mirror = startMirrorProcess(args);
  for (let kill = 1; kill <= KILLS; kill++) {
    // Kill once this process is writing (or after 20 s), at a random moment.
    const since = Date.now();
    while (mirror.records() === 0 && Date.now() - since < 20_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Math.random() * 2000));
    mirror.child.kill('SIGKILL');
    await mirror.exited;
    console.log(`# kill ${kill} after ${((Date.now() - runStart) / 1000).toFixed(1)} s: that process had mirrored ${mirror.records()} records`);
    mirror = startMirrorProcess(args);
  }
  await writing;
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(source)).map((o) => [o.partition, Number(o.high)]));
  await assertPulsarEqualsKafka(testClient(), target, ends);
  mirror.child.kill('SIGTERM');
  await mirror.exited;
});
