// Dual-write mode against real brokers: an application wrote each record to Kafka (2 partitions) and to
// Pulsar (3 partitions) itself, so offsets and partitions do not correspond; records are paired by the
// identity header and every fault is reported at its coordinates; a record younger than the tolerance is
// only counted as in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageId, type OutgoingMessage } from '../../src/pulsar/client/index.js';
import { formatReport, verify } from '../../src/verify/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { freshKafkaTopic, freshTarget, kafka, kafkaConnector } from './fixture.js';

const client = testClient();
const TOLERANCE = 1500;

test(
  'dual-write: missing, extra, changed and duplicated records found by identity; in-flight ones only counted',
  { timeout: 120_000 },
  async () => {
    const topic = await freshKafkaTopic('verify-dual', 2);
    const target = await freshTarget(topic, 3, 'dual');
    const kafkaProducer = kafka.producer();
    await kafkaProducer.connect();
    const pulsarProducer = await client.createProducer({ topic: target, batching: false });

    const now = Date.now();
    const kafkaOut: {
      partition: number;
      key: string;
      value: string;
      timestamp: string;
      headers: Record<string, string>;
    }[] = [];
    const pulsarOut: OutgoingMessage[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `id-${i}`;
      const ts = now + i;
      const record = {
        partition: i % 2,
        key: `k${i % 5}`,
        value: `order ${i}`,
        timestamp: String(ts),
        headers: { 'k2p-id': id, src: 'app' },
      };
      if (i !== 20) kafkaOut.push(record); // id-20: Pulsar only
      const message: OutgoingMessage = {
        key: record.key,
        payload: Buffer.from(i === 30 ? 'order thirty' : record.value),
        eventTime: ts,
        properties: { 'k2p-id': id, src: 'app' },
      };
      if (i !== 10) pulsarOut.push(message); // id-10: Kafka only
      if (i === 40) pulsarOut.push({ ...message }); // id-40 twice in Pulsar
    }
    await kafkaProducer.send({ topic, messages: kafkaOut });
    const ids: MessageId[] = [];
    for (const m of pulsarOut) ids.push(await pulsarProducer.send(m));
    await new Promise((r) => setTimeout(r, TOLERANCE + 1000)); // everything above is older than the tolerance
    await kafkaProducer.send({
      topic,
      messages: [{ partition: 1, key: 'late', value: 'in flight', headers: { 'k2p-id': 'id-late' } }],
    }); // not yet in Pulsar
    await kafkaProducer.disconnect();
    await pulsarProducer.close();

    const report = await verify({
      kafka,
      kafkaConnector,
      pulsar: client,
      pulsarAdmin: admin,
      pairs: [{ kafkaTopic: topic, pulsarTopic: target }],
      mode: 'dual-write',
      dualWrite: { toleranceMs: TOLERANCE },
    });
    const t = report.topics[0]!;
    assert.equal(t.kafkaRecords, 60, formatReport(report));
    assert.equal(t.pulsarMessages, 60);
    assert.equal(t.matched, 58);
    assert.equal(t.inFlight, 1, 'the late record is in flight, not missing');
    assert.deepEqual(
      [...report.divergences].map((d) => d.kind).sort(),
      ['duplicate', 'extra', 'missing', 'value'],
      formatReport(report),
    );
    const find = (kind: string) => report.divergences.find((d) => d.kind === kind)!;
    // id-10 went to partition 0 after id-0, 2, 4, 6, 8: offset 5.
    const missing = find('missing');
    assert.match(missing.detail, /identity h:id-10/);
    assert.deepEqual(missing.kafka, { topic, partition: 0, offset: '5' });
    const pulsarId = (i: number) => {
      const id = ids[i]!;
      return id.toString();
    };
    const extra = find('extra');
    assert.match(extra.detail, /identity h:id-20/);
    assert.equal(
      extra.pulsar!.messageId.split(':').slice(0, 2).join(':'),
      pulsarId(19).split(':').slice(0, 2).join(':'),
    ); // pulsarOut[19] is id-20 (id-10 skipped)
    const value = find('value');
    assert.equal(
      value.pulsar!.messageId.split(':').slice(0, 2).join(':'),
      pulsarId(29).split(':').slice(0, 2).join(':'),
    );
    assert.match(value.detail, /value differs/);
    const duplicate = find('duplicate');
    assert.equal(
      duplicate.pulsar!.messageId.split(':').slice(0, 2).join(':'),
      pulsarId(40).split(':').slice(0, 2).join(':'),
    ); // the second copy
    assert.equal(report.identical, false);
  },
);
