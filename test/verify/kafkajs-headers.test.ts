// Verify with only the caller's kafkajs client, on records whose header order kafkajs's object cannot give
// (interleaved repeats, integer-like names, names Object.prototype has). A correct mirror (made with the
// Kafka connector, so in wire order) must be identical, with those records counted as "header order not
// checked"; a changed or missing header on such a record must still be a `headers` divergence at its offset;
// with the connector the same copy is identical and nothing is left unchecked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaCluster } from '../../src/kafka/wire/cluster.js';
import { connectionSettings } from '../../src/kafka/wire/from-connector.js';
import { KafkaWireProducer } from '../../src/kafka/wire/producer.js';
import { Mirror } from '../../src/mirror/mirror.js';
import { fromPulsarMessage, type KafkaHeader } from '../../src/mirror/record-mapping.js';
import { formatReport, verify } from '../../src/verify/index.js';
import { mirrorTopics } from '../helpers/mirror-fault.js';
import { admin, readStored, testClient } from '../helpers/pulsar.js';
import { RECENT_TIMESTAMP, uniqueName } from '../helpers/stack.js';
import { kafka, kafkaConnector, MAPPING, messageOf, writeTarget } from './fixture.js';

const h = (key: string, value: string | null): KafkaHeader => ({ key, value: value === null ? null : Buffer.from(value) });
/** Each record's headers in wire order; `ambiguous`: kafkajs's object cannot give that order. */
const CASES: { headers: KafkaHeader[]; ambiguous: boolean }[] = [
  { headers: [], ambiguous: false },
  { headers: [h('trace', 't1'), h('span', 's1')], ambiguous: false },
  { headers: [h('a', '1'), h('b', '2'), h('a', '3')], ambiguous: true },
  { headers: [h('x', 'x1'), h('1', 'one'), h('y', 'y1'), h('0', 'zero')], ambiguous: true },
  { headers: [h('constructor', 'c'), h('z', '1')], ambiguous: true },
  { headers: [h('r', '1'), h('r', '2')], ambiguous: false },
  { headers: [h('a', null), h('b', '2'), h('a', '3'), h('b', null), h('c', '')], ambiguous: true },
  { headers: [h('__proto__', 'p'), h('constructor', 'c2'), h('q', '1'), h('constructor', 'c3')], ambiguous: true },
  { headers: [h('7', 'only')], ambiguous: false },
];
const AMBIGUOUS = CASES.filter((c) => c.ambiguous).length;

test('kafkajs-only verify: ambiguous header order is grouped, counted, and faults still found', { timeout: 240_000 }, async () => {
  const { source, target } = await mirrorTopics(kafka, 'verify-kafkajs-headers', 1);
  const cluster = new KafkaCluster(kafkaConnector.brokers, connectionSettings(kafkaConnector));
  let base: number;
  try {
    const [outcome] = await new KafkaWireProducer(cluster).send(source, [
      { partition: 0, records: CASES.map((c, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: RECENT_TIMESTAMP + i, headers: c.headers })) },
    ]);
    assert.equal(outcome!.error, undefined);
    base = outcome!.baseOffset!;
  } finally {
    cluster.close();
  }

  // The mirror, given the connector, writes every record in wire order.
  const client = testClient();
  const mirror = new Mirror({
    kafka,
    kafkaConnector,
    pulsar: client,
    groupId: uniqueName('k2p-verify-kafkajs-headers'),
    topics: [{ source, target, persistent: true, mapping: MAPPING }],
  });
  try {
    await mirror.start();
    const deadline = Date.now() + 90_000;
    while (mirror.status()[0]?.committedOffset !== BigInt(base + CASES.length - 1)) {
      assert.ok(Date.now() < deadline, 'mirror did not reach the last record');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await mirror.stop();
  }
  const pairs = [{ kafkaTopic: source, pulsarTopic: target }];
  const common = { kafka, pulsar: client, pulsarAdmin: admin, positions: false, readTimeoutMs: 30_000 } as const;

  // kafkajs only: identical; the ambiguous records' order is not claimed checked, and the report says so.
  const plain = await verify({ ...common, pairs });
  assert.ok(plain.identical, formatReport(plain));
  assert.equal(plain.topics[0]!.matched, CASES.length);
  assert.equal(plain.headerOrderUnchecked, AMBIGUOUS);
  assert.equal(plain.topics[0]!.partitions[0]!.headerOrderUnchecked, AMBIGUOUS);
  assert.match(formatReport(plain), new RegExp(`header order not checked for ${AMBIGUOUS} records \\(kafkajs cannot give it; pass kafkaConnector to check it\\)`));

  // With the connector: wire order compared, identical, nothing unchecked.
  const wire = await verify({ ...common, kafkaConnector, kafkaThread: false, pairs });
  assert.ok(wire.identical, formatReport(wire));
  assert.equal(wire.topics[0]!.matched, CASES.length);
  assert.equal(wire.headerOrderUnchecked, 0);
  assert.doesNotMatch(formatReport(wire), /header order not checked/);

  // Mirror-side faults on ambiguous records that grouping can see: a changed value (case 2, the second "a")
  // and a missing header (case 6, "c").
  const changed = base + 2;
  const dropped = base + 6;
  const messages = (await readStored(client, `${target}-partition-0`)).map((m) => {
    const offset = Number(m.properties['k2p.offset']);
    const back = fromPulsarMessage(m);
    let headers = back.headers;
    if (offset === changed) headers = headers.map((x, i) => (i === 2 ? { key: x.key, value: Buffer.from('4') } : x));
    if (offset === dropped) headers = headers.filter((x) => x.key !== 'c');
    return messageOf({ topic: source, partition: 0, offset: String(offset), key: back.key, value: back.value, timestamp: back.timestamp, headers });
  });
  assert.equal(messages.length, CASES.length);
  const fault = await writeTarget(client, source, [messages]);
  const bad = await verify({ ...common, pairs: [{ kafkaTopic: source, pulsarTopic: fault.target }] });
  assert.equal(bad.identical, false, formatReport(bad));
  assert.equal(bad.topics[0]!.headers, 2, formatReport(bad));
  assert.equal(bad.divergenceCount, 2, formatReport(bad));
  assert.deepEqual(
    bad.divergences.map((d) => [d.kind, d.kafka?.offset]),
    [
      ['headers', String(changed)],
      ['headers', String(dropped)],
    ],
  );
  assert.equal(bad.headerOrderUnchecked, AMBIGUOUS);
  await client.close();
});
