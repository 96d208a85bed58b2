// Fault: two mirror processes share the partitions through the Kafka consumer group; one is killed with
// SIGKILL mid-run. The survivor takes its partitions over (fencing the dead one's producers) and Pulsar
// still holds exactly what Kafka holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { assertPulsarEqualsKafka, mirrorTopics, startMirrorProcess, writeSteadily } from '../helpers/mirror-fault.js';
import { testClient } from '../helpers/pulsar.js';
import { STACK, uniqueName } from '../helpers/stack.js';

const TOTAL = Number(process.env.K2P_MIRROR_FAULT_RECORDS ?? 300_000);
const PARTITIONS = 6;
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-two-gateways', logLevel: logLevel.NOTHING });

test(`two gateways share ${PARTITIONS} partitions; one is killed mid-run: Pulsar equals Kafka exactly`, { timeout: 900_000 }, async () => {
  const { source, target, kafkaAdmin } = await mirrorTopics(kafka, 'two', PARTITIONS);

  const args = { source, target, groupId: uniqueName('k2p-two') };
  const first = startMirrorProcess(args);
  const second = startMirrorProcess(args);
  const writing = writeSteadily(kafka, source, TOTAL, 500);
  // Both must be working before one dies.
  const deadline = Date.now() + 60_000;
  while (first.records() === 0 || second.records() === 0) {
    assert.ok(Date.now() < deadline, `both gateways should get partitions: ${first.records()} / ${second.records()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
  first.child.kill('SIGKILL');
  await first.exited;
  console.log(`# killed one gateway after it mirrored ${first.records()} records; the other had ${second.records()}`);
  await writing;
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(source)).map((o) => [o.partition, Number(o.high)]));
  await assertPulsarEqualsKafka(testClient(), target, ends);
  console.log(`# the survivor mirrored ${second.records()} records in all`);
  second.child.kill('SIGTERM');
  await second.exited;
});
