// A comparison that did not read both sides to their ends is never "identical". Once, every comparison of a
// full run read 0 Kafka records and passed: a batch kafkajs fetched before the reader's seek was dropped as
// stale, yet its end still moved the partition's position past every record. These tests pin down the
// guarantees: on identical data every planned record is read and matched on both sides, run after run; a
// side that cannot be read to its end is an error (K2P_VERIFY_INCOMPLETE), not a pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../src/errors.js';
import { formatReport, verify } from '../../src/verify/index.js';
import { KafkaTopicReader } from '../../src/verify/kafka-source.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { createSource, kafka, kafkaConnector, messageOf, writeTarget } from './fixture.js';

const client = testClient();
const PARTITIONS = 4;
const PER_PARTITION = 50;
const source = await createSource(PARTITIONS, PER_PARTITION);
const { target } = await writeTarget(
  client,
  source.topic,
  source.records.map((list) => list.map(messageOf)),
);
const pairs = [{ kafkaTopic: source.topic, pulsarTopic: target }];

test(
  'identical data: every planned record read on both sides and matched, three runs in a row',
  { timeout: 180_000 },
  async () => {
    for (let run = 1; run <= 3; run++) {
      const report = await verify({ kafka, kafkaConnector, pulsar: client, pulsarAdmin: admin, pairs, positions: false });
      assert.ok(report.identical, formatReport(report));
      const t = report.topics[0]!;
      assert.equal(t.kafkaRecords, PARTITIONS * PER_PARTITION, `run ${run}: Kafka records read`);
      assert.equal(t.pulsarMessages, PARTITIONS * PER_PARTITION, `run ${run}: Pulsar messages read`);
      assert.equal(t.matched, PARTITIONS * PER_PARTITION, `run ${run}: matched`);
      for (const p of t.partitions) {
        assert.deepEqual(
          [p.kafkaRecords, p.pulsarMessages, p.matched],
          [PER_PARTITION, PER_PARTITION, PER_PARTITION],
          `run ${run}, partition ${p.partition}`,
        );
      }
    }
  },
);

test(
  'a Kafka side not read to its end within the read timeout fails the run (K2P_VERIFY_INCOMPLETE), never identical',
  { timeout: 120_000 },
  async () => {
    // 1 ms: no consumer group joins that fast, so the Kafka side cannot reach its end in time (the kafkajs
    // reader: ours reads this small topic within the watchdog's first tick — its own timeout test is in
    // kafka-fetch-source.test.ts, with a partition held back by an open transaction).
    await assert.rejects(
      verify({ kafka, pulsar: client, pulsarAdmin: admin, pairs, positions: false, readTimeoutMs: 1 }),
      (err: unknown) => {
        assert.ok(isK2pError(err, 'K2P_VERIFY_INCOMPLETE'), String(err));
        assert.match((err as Error).message, /(Kafka .*no progress|Pulsar .*no message) for 1 ms before/);
        return true;
      },
    );
  },
);

test(
  'Kafka records deleted after the run planned them: the stream fails with K2P_VERIFY_INCOMPLETE instead of skipping them',
  { timeout: 120_000 },
  async () => {
    const gone = await createSource(1, 30);
    const reader = new KafkaTopicReader(kafka, gone.topic, 1, [
      { partition: 0, ranges: [{ from: 0n, to: 30n }] },
    ]);
    // The plan says 0..30; retention (here: deleteRecords) takes 0..9 before the read starts.
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.fetchTopicMetadata({ topics: [gone.topic] });
    await kafkaAdmin.deleteTopicRecords({ topic: gone.topic, partitions: [{ partition: 0, offset: '10' }] });
    await kafkaAdmin.disconnect();
    try {
      await reader.start();
      const stream = reader.stream(0);
      let read = 0;
      await assert.rejects(
        (async () => {
          for (;;) {
            const r = await stream.next();
            if (r.done) return;
            read += r.value.count;
          }
        })(),
        (err: unknown) => {
          assert.ok(isK2pError(err, 'K2P_VERIFY_INCOMPLETE'), String(err));
          assert.match((err as Error).message, /offsets 0\.\.9 cannot be read/);
          return true;
        },
      );
      assert.equal(read, 0, 'nothing handed over past the hole');
      assert.equal(reader.complete(0), false);
    } finally {
      await reader.close();
    }
  },
);
