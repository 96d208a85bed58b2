// Topic discovery against real Kafka and Pulsar, driven by config files as `k2p mirror` is: a topic created
// after the start that matches the pattern is provisioned and mirrored within the discovery interval, in each
// Kafka compression codec (gzip, snappy, lz4, zstd: the topic's compression.type forces the codec on the
// broker, the producer writes it too), content exact; a deleted topic is reported and the others keep flowing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { registerKafkaCodecs } from '../../src/kafka/index.js';
import { Mirror } from '../../src/mirror/mirror.js';
import { applyPlan } from '../../src/mirror/provision.js';
import { fromPulsarMessage } from '../../src/mirror/record-mapping.js';
import { closePair, discoverer, mirrorPairs, planPair } from '../../src/mirror/setup.js';
import { MessageId } from '../../src/pulsar/client/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { RECENT_TIMESTAMP, STACK, cleanup, uniqueName } from '../helpers/stack.js';

const { CompressionTypes, Kafka, logLevel } = kafkajs;
registerKafkaCodecs(); // the test's producer writes snappy, lz4 and zstd with the gateway's codecs
const kafka = new Kafka({
  brokers: [...STACK.kafkaBrokers],
  clientId: 'k2p-discovery-test',
  logLevel: logLevel.NOTHING,
});

const DISCOVERY_MS = 2000;
const PARTITIONS = 2;
const RECORDS = 300;
const CODECS = [
  { name: 'gzip', type: CompressionTypes.GZIP },
  { name: 'snappy', type: CompressionTypes.Snappy },
  { name: 'lz4', type: CompressionTypes.LZ4 },
  { name: 'zstd', type: CompressionTypes.ZSTD },
] as const;

interface Expected {
  key: string;
  value: Buffer | null;
  timestamp: string;
  headers: [string, string][];
}

function recordsFor(label: string, n: number, from = 0): Expected[] {
  return Array.from({ length: n }, (_, j) => {
    const i = from + j;
    return {
      key: `${label}-k${i % 17}`,
      // compressible and not: repeated text plus a few bytes that differ per record; every 25th a tombstone
      value:
        i % 25 === 24
          ? null
          : Buffer.concat([
              Buffer.from(`${label} value ${i} `.repeat(8)),
              Buffer.from([i & 255, 0x00, 0xff]),
            ]),
      timestamp: String(RECENT_TIMESTAMP + i),
      headers: [
        ['i', String(i)],
        ['codec', label],
      ],
    };
  });
}

/** Reads `n` messages of one Pulsar partition from the start and compares them with what Kafka got, in order. */
async function assertPartition(
  client: ReturnType<typeof testClient>,
  target: string,
  partition: number,
  expected: Expected[],
  firstOffset = 0,
): Promise<void> {
  const reader = await client.createReader({
    topic: `${target}-partition-${partition}`,
    startMessageId: MessageId.earliest,
  });
  try {
    for (let k = 0; k < firstOffset; k++) await reader.readNext(60_000); // records checked before
    for (const [k, want] of expected.entries()) {
      const m = await reader.readNext(60_000);
      const back = fromPulsarMessage(m);
      const where = `${target}[${partition}] record ${k}`;
      assert.equal(back.provenance?.offset, String(firstOffset + k), `${where}: Kafka offset order`);
      assert.equal(back.provenance?.partition, partition);
      assert.equal(back.key?.toString(), want.key, where);
      assert.equal(
        back.value === null ? null : back.value.toString('hex'),
        want.value === null ? null : want.value.toString('hex'),
        where,
      );
      assert.equal(back.timestamp, want.timestamp, where);
      assert.deepEqual(
        back.headers.map((h) => [h.key, h.value?.toString()]),
        want.headers,
        where,
      );
    }
    // Called once the mirror committed these records (stored before committed): nothing stored after them.
    assert.equal(await reader.hasMessageAvailable(), false, `${target}[${partition}]: nothing more than Kafka has`);
  } finally {
    await reader.close();
  }
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  diagnostics: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    assert.ok(Date.now() < deadline, `${what} not within ${timeoutMs} ms ${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Once, in one full suite of about seven, the zstd topic here was discovered but never mirrored (no writer
// opened, no consumer crash). The mirror now bounds each step of a topic change (stopping the old consumer,
// starting the new one: 60 s each, logged as stalled), restarts a consumer that does not join its group
// within 45 s, and logs every group join with its assignment: a repeat would recover within the 120 s wait
// below, and the events printed on failure would say which step stalled.
test(
  'topics created after the start are mirrored within the discovery interval, one per compression codec; a deleted topic is reported',
  { timeout: 600_000 },
  async () => {
    const prefix = uniqueName('k2pdisc').replace(/-/g, '');
    const dir = mkdtempSync(join(tmpdir(), 'k2p-discovery-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'connectors.yaml'),
      `connectors:\n  kafka-local: { kind: kafka, brokers: ${JSON.stringify(STACK.kafkaBrokers)} }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`,
    );
    writeFileSync(
      join(dir, 'mapping.yaml'),
      `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: /^${prefix}\\..*/\n    to: persistent://public/default/{topic}\n`,
    );
    const config = loadConfig([join(dir, 'connectors.yaml'), join(dir, 'mapping.yaml')]);

    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const topics = [`${prefix}.plain`, ...CODECS.map((c) => `${prefix}.${c.name}`)];
    cleanup(async () => {
      await kafkaAdmin.deleteTopics({ topics }).catch(() => undefined);
      await kafkaAdmin.disconnect();
      for (const t of topics)
        await admin.topics.delete(`persistent://public/default/${t}`, { force: true }).catch(() => undefined);
    });

    // One topic before the start, mirrored from the first plan.
    await kafkaAdmin.createTopics({
      topics: [{ topic: `${prefix}.plain`, numPartitions: PARTITIONS }],
      waitForLeaders: true,
    });
    const [bare] = mirrorPairs(config);
    assert.ok(bare);
    const pair = await planPair(config, bare);
    cleanup(() => closePair(pair));
    assert.deepEqual(
      pair.topics.map((t) => t.source),
      [`${prefix}.plain`],
    );
    for (const plan of pair.plans) await applyPlan(pair.admin, plan);

    const events: { at: number; event: string; fields: Record<string, unknown> }[] = [];
    const mirror = new Mirror({
      kafka: pair.kafka,
      pulsar: pair.pulsar,
      topics: pair.topics,
      groupId: uniqueName('k2p-discovery'),
      discover: discoverer(config, pair),
      discoveryIntervalMs: DISCOVERY_MS,
      log: (event, fields) => events.push({ at: Date.now(), event, fields }),
    });
    await mirror.start();
    cleanup(() => mirror.stop());
    const client = testClient();
    const eventLog = (): string => `\nevents: ${JSON.stringify(events.slice(-30))}`;

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanup(() => producer.disconnect());
    const send = async (topic: string, records: Expected[], compression: number): Promise<void> => {
      for (let start = 0; start < records.length; start += 100) {
        await producer
          .send({
            topic,
            compression,
            messages: records.slice(start, start + 100).map((r, j) => ({
              partition: (start + j) % PARTITIONS,
              key: r.key,
              value: r.value,
              timestamp: r.timestamp,
              headers: Object.fromEntries(r.headers),
            })),
          })
          .catch((err: Error) => {
            throw new Error(`${topic}: send of records ${start}.. failed: ${err.message}`, { cause: err });
          });
      }
    };
    const byPartition = (records: Expected[]): Expected[][] =>
      Array.from({ length: PARTITIONS }, (_, p) => records.filter((_r, i) => i % PARTITIONS === p));

    await send(`${prefix}.plain`, recordsFor('plain', 50), CompressionTypes.None);

    const latencies: Record<string, { discoveredMs: number; mirroredMs: number }> = {};
    for (const codec of CODECS) {
      const topic = `${prefix}.${codec.name}`;
      const target = `persistent://public/default/${topic}`;
      const created = Date.now();
      await kafkaAdmin.createTopics({
        topics: [
          {
            topic,
            numPartitions: PARTITIONS,
            configEntries: [{ name: 'compression.type', value: codec.name }],
          },
        ],
        waitForLeaders: true,
      });
      const records = recordsFor(codec.name, RECORDS);
      await send(topic, records, codec.type);

      const discovered = await waitFor(
        `${topic} discovered`,
        DISCOVERY_MS + 30_000,
        () =>
          events.find((e) => e.event === 'topics-changed' && (e.fields.added as string[]).includes(topic)),
        eventLog,
      );
      assert.equal(
        await admin.topics.partitions(target),
        PARTITIONS,
        'provisioned with the Kafka partition count',
      );
      await waitFor(
        `${topic} mirrored`,
        120_000,
        () => {
          const rows = mirror.status().filter((p) => p.topic === topic);
          return rows.length === PARTITIONS &&
            rows.every((p) => p.committedOffset === BigInt(RECORDS / PARTITIONS - 1))
            ? true
            : undefined;
        },
        eventLog,
      );
      const mirrored = Date.now();
      latencies[codec.name] = { discoveredMs: discovered.at - created, mirroredMs: mirrored - created };
      console.log(
        `# ${codec.name}: topic created → discovered in ${discovered.at - created} ms, ${RECORDS} records mirrored in ${mirrored - created} ms (discovery interval ${DISCOVERY_MS} ms)`,
      );
      for (const [p, expected] of byPartition(records).entries())
        await assertPartition(client, target, p, expected);
    }
    for (const [p, expected] of byPartition(recordsFor('plain', 50)).entries())
      await assertPartition(client, `persistent://public/default/${prefix}.plain`, p, expected);
    // The bound: seen by the next discovery round. The round itself (list, plan, provision with deduplication
    // live) takes time on a busy machine, so the assertion allows it a generous margin; the figure is printed.
    for (const [codec, l] of Object.entries(latencies))
      assert.ok(l.discoveredMs < DISCOVERY_MS + 20_000, `${codec}: discovered after ${l.discoveredMs} ms`);

    // A deleted topic: reported (event + gone from status()), the mirror keeps going for the others.
    const deleted = `${prefix}.gzip`;
    const deletedAt = Date.now();
    await kafkaAdmin.deleteTopics({ topics: [deleted] });
    const report = await waitFor(
      'topic-deleted reported',
      DISCOVERY_MS + 30_000,
      () => events.find((e) => e.event === 'topic-deleted' && e.fields.topic === deleted),
      eventLog,
    );
    assert.equal(report.fields.target, `persistent://public/default/${deleted}`);
    assert.deepEqual(
      (report.fields.partitions as { partition: number; committedOffset: string }[])
        .map((p) => [p.partition, p.committedOffset])
        .sort(),
      Array.from({ length: PARTITIONS }, (_, p) => [p, String(RECORDS / PARTITIONS - 1)]),
      'the report says how far the deleted topic was mirrored',
    );
    assert.ok(
      events.some((e) => e.event === 'topics-changed' && (e.fields.removed as string[]).includes(deleted)),
    );
    assert.equal(
      mirror.status().filter((p) => p.topic === deleted).length,
      0,
      'a deleted topic leaves status()',
    );
    console.log(`# ${deleted} deleted → reported in ${report.at - deletedAt} ms`);

    const more = recordsFor('zstd', 40, RECORDS);
    await send(`${prefix}.zstd`, more, CompressionTypes.ZSTD);
    await waitFor(
      'the other topics keep flowing',
      120_000,
      () => {
        const rows = mirror.status().filter((p) => p.topic === `${prefix}.zstd`);
        return rows.length === PARTITIONS &&
          rows.every((p) => p.committedOffset === BigInt((RECORDS + 40) / PARTITIONS - 1))
          ? true
          : undefined;
      },
      eventLog,
    );
    for (const [p, expected] of byPartition(more).entries())
      await assertPartition(
        client,
        `persistent://public/default/${prefix}.zstd`,
        p,
        expected,
        RECORDS / PARTITIONS,
      );
    assert.equal(events.filter((e) => e.event === 'discovery-failed').length, 0, eventLog());
    await mirror.stop();
  },
);
