// The library entry point as docs/verify.md shows it: a user's own test suite proving that a topic and its
// Pulsar copy hold the same records. (The docs' example imports 'kafka-pulsar-gateway/verify'; inside this
// repository the same module is imported by path.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodedComparator, formatReport, verify } from '../../src/verify/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { fileURLToPath } from 'node:url';
import { createSource, kafka, kafkaConnector, mappingFile, messageOf, mirrorSource, writeTarget } from './fixture.js';

const connectors = fileURLToPath(new URL('../../connectors/local.yaml', import.meta.url));

const client = testClient();
const source = await createSource(2, 40);

test('docs example: the mirrored copy of a topic is identical', { timeout: 180_000 }, async () => {
  const target = await mirrorSource(client, source);
  // As docs/verify.md: connector and mapping files, one topic.
  const report = await verify({
    config: [connectors, mappingFile(source.topic, target)],
    topics: [source.topic],
  });
  assert.ok(report.identical, formatReport(report));
  assert.equal(report.topics[0]!.matched, 80);
});

test(
  'a decoding value comparator sees through different encodings of the same value',
  { timeout: 120_000 },
  async () => {
    // Pulsar holds the values re-encoded (here: upper-cased text); decoded, they are the same.
    const parts = source.records.map((list) =>
      list.map((r) => {
        const m = messageOf(r);
        if (m.payload) m.payload = Buffer.from(Buffer.from(m.payload).toString('utf8').toUpperCase());
        return m;
      }),
    );
    const { target } = await writeTarget(client, source.topic, parts);
    const pairs = [{ kafkaTopic: source.topic, pulsarTopic: target }];
    const bytes = await verify({ kafka, kafkaConnector, pulsar: client, pulsarAdmin: admin, pairs, maxDivergences: 5 });
    assert.equal(bytes.identical, false);
    assert.equal(
      bytes.topics[0]!.value,
      72,
      'every non-null value differs as bytes (8 of 80 are tombstones)',
    );
    const decoded = await verify({
      kafka,
      kafkaConnector,
      pulsar: client,
      pulsarAdmin: admin,
      pairs,
      valueComparator: decodedComparator({
        decodeKafka: (b) => b.toString('utf8').toUpperCase(),
        decodePulsar: (b) => b.toString('utf8'),
      }),
    });
    assert.ok(decoded.identical, formatReport(decoded));
  },
);

test('--from / --to as offsets: only that range is compared', { timeout: 120_000 }, async () => {
  const parts = source.records.map((list) => list.map(messageOf));
  parts[0]!.splice(5, 1); // outside the range: not seen
  parts[1]!.splice(25, 1); // inside: missing
  const { target } = await writeTarget(client, source.topic, parts);
  const report = await verify({
    kafka,
    kafkaConnector,
    pulsar: client,
    pulsarAdmin: admin,
    pairs: [{ kafkaTopic: source.topic, pulsarTopic: target }],
    from: { offset: 10n },
    to: { offset: 30n },
  });
  // From connector files with Pulsar read in a worker thread (opt-in; packed batches): the same findings.
  const threaded = await verify({
    config: [connectors, mappingFile(source.topic, target)],
    topics: [source.topic],
    positions: false,
    pulsarThread: true,
    from: { offset: 10n },
    to: { offset: 30n },
  });
  assert.deepEqual(threaded.divergences, report.divergences);
  assert.deepEqual(threaded.topics, report.topics);
  assert.equal(report.divergenceCount, 1, formatReport(report));
  assert.deepEqual(report.divergences[0]!.kafka, { topic: source.topic, partition: 1, offset: '25' });
  assert.deepEqual(
    report.topics[0]!.partitions.map((p) => [p.kafkaRecords, p.matched]),
    [
      [20, 20],
      [20, 19],
    ],
  );
});

test(
  'sampling: random windows, the fault found when its window is drawn, the confidence stated when clean',
  { timeout: 120_000 },
  async () => {
    const parts = source.records.map((list) => list.map(messageOf));
    parts[1]![33]!.properties!.trace = 'tampered';
    const { target } = await writeTarget(client, source.topic, parts);
    const pairs = [{ kafkaTopic: source.topic, pulsarTopic: target }];
    // 8 windows of 10 offsets = every window: the fault is found.
    const all = await verify({
      kafka,
      kafkaConnector,
      pulsar: client,
      pulsarAdmin: admin,
      pairs,
      sample: { windows: 8, windowSize: 10, seed: 1 },
    });
    assert.equal(all.divergenceCount, 1, formatReport(all));
    assert.equal(all.samples![0]!.divergentWindows, 1);
    // The same sample read from connector files (Pulsar in a worker thread, opt-in; each window from its own
    // position): the same findings.
    const threaded = await verify({
      config: [connectors, mappingFile(source.topic, target)],
      topics: [source.topic],
      positions: false,
      pulsarThread: true,
      sample: { windows: 8, windowSize: 10, seed: 1 },
    });
    assert.deepEqual(threaded.divergences, all.divergences);
    assert.deepEqual(threaded.topics, all.topics);
    assert.deepEqual(threaded.samples, all.samples);
    // 3 windows on partition 0 only: clean, with the bound the sample supports.
    const some = await verify({
      kafka,
      kafkaConnector,
      pulsar: client,
      pulsarAdmin: admin,
      pairs,
      sample: { windows: 3, windowSize: 10, partitions: 1, seed: 7 },
    });
    const someThreaded = await verify({
      config: [connectors, mappingFile(source.topic, target)],
      topics: [source.topic],
      positions: false,
      pulsarThread: true,
      sample: { windows: 3, windowSize: 10, partitions: 1, seed: 7 },
    });
    assert.deepEqual(someThreaded.topics, some.topics);
    assert.deepEqual(someThreaded.samples, some.samples);
    const s = some.samples![0]!;
    assert.deepEqual(
      some.topics[0]!.partitions.map((p) => p.partition),
      [0],
      'seed 7 draws partition 0 (the clean one)',
    );
    assert.ok(some.identical, formatReport(some));
    assert.equal(s.windows, 3);
    assert.equal(s.population, 4);
    assert.equal(s.recordsChecked, 30);
    assert.equal(s.maxDivergentWindows, 1, s.statement); // 3 of 4 clean: at most the one unchecked window can diverge
    assert.match(s.statement, /95\.0% confidence at most 1 windows/);
  },
);
