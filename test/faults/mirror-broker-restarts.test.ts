// Fault: during a mirror run, the Pulsar broker is restarted, then the Kafka broker. The mirror recovers
// by itself (no restart of the mirror process) and Pulsar still holds exactly what Kafka holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { main as stack } from '../../stack/cli.js';
import { assertPulsarEqualsKafka, mirrorTopics, startMirrorProcess } from '../helpers/mirror-fault.js';
import { testClient } from '../helpers/pulsar.js';
import { STACK, uniqueName } from '../helpers/stack.js';

const PARTITIONS = 4;
const BATCHES = 40; // of 2,000 records, one every 500 ms: ~20 s of writing around the restarts
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-restart-test', logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 5000 } });

test('Pulsar restarted, then Kafka restarted, mid-run: the mirror recovers and Pulsar equals Kafka', { timeout: 900_000 }, async () => {
  const { source, target, kafkaAdmin } = await mirrorTopics(kafka, 'restart', PARTITIONS);

  const mirror = startMirrorProcess({ source, target, groupId: uniqueName('k2p-restart') });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let written = 0;
  const writing = (async () => {
    for (let b = 0; b < BATCHES; b++) {
      // Writes go on through the Kafka restart: the idempotent producer retries without duplicating.
      for (;;) {
        try {
          await producer.send({ topic: source, messages: Array.from({ length: 2000 }, (_, j) => ({ key: `k${(written + j) % 101}`, value: `v${written + j}` })) });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      written += 2000;
      await new Promise((r) => setTimeout(r, 500));
    }
  })();

  while (mirror.records() < 10_000) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await stack(['down', 'pulsar']), 0);
  assert.equal(await stack(['up', 'pulsar']), 0);
  console.log(`# pulsar restarted; mirror had ${mirror.records()} records`);
  const beforeKafka = mirror.records();
  while (mirror.records() <= beforeKafka) await new Promise((r) => setTimeout(r, 100)); // recovered
  assert.equal(await stack(['down', 'kafka']), 0);
  assert.equal(await stack(['up', 'kafka']), 0);
  console.log(`# kafka restarted; mirror had ${mirror.records()} records`);
  await writing;
  await producer.disconnect();

  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(source)).map((o) => [o.partition, Number(o.high)]));
  await assertPulsarEqualsKafka(testClient(), target, ends);
  console.log(`# ${written} records written, mirror process wrote ${mirror.records()} of them (the rest were resends it recognised)`);
  mirror.child.kill('SIGTERM');
  await mirror.exited;
});
