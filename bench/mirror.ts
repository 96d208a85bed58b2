// `npm run bench:mirror`: the mirror against its two ceilings, one run, same machine, same brokers.
//   A = Kafka consume-only throughput with the mirror's Kafka client (kafkajs group, eachBatch, from the
//       beginning, read_committed, the mirror's fetch settings);
//   B = Pulsar produce-only throughput with our client (8 partition producers configured as the mirror's
//       PartitionWriter configures them: LZ4, 5 ms batching delay, sequence id, dedup on the topic);
//   M = the Mirror (src/mirror/mirror.ts) on a fresh target, from start() until every partition is committed
//       at its end offset.
// 1 KiB records on 8 partitions (400k by default; BENCH_SCALE multiplies). Then end-to-end latency at a fixed
// rate (Kafka produce timestamp → received by a Pulsar consumer of our client), the peak RSS, and many
// small topics (2,000 × BENCH_SCALE) mirrored by one Mirror. Every topic created is deleted.
// Prints every figure and the ratios, then one JSON line. Not a test: nothing is asserted.
// Avro phase: the same framed Avro records mirrored bytes-only and with schema translation (ratio typed / bytes).
// BENCH_PHASES=throughput,avro,latency,topics selects phases (default all; `mirror` = only M, for profiling).
// Opt-in phase `headers`: the mirror on records whose kafkajs header object cannot give the header order (each
// record read again with our fetch client, src/mirror/header-order.ts) vs the same records with one header.
import { randomBytes, randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Kafka, logLevel, type Consumer as KafkaConsumer, type Message as KafkaMessage } from 'kafkajs';
import { Mirror, type MirroredTopic } from '../src/mirror/mirror.js';
import { PartitionWriter } from '../src/mirror/partition-writer.js';
import { applyPlan, KnownState, planTopic } from '../src/mirror/provision.js';
import { toPulsarMessage } from '../src/mirror/record-mapping.js';
import { SchemaConverter, pulsarSchemaTarget } from '../src/mirror/schema-converter.js';
import { RegistryClient, SchemaTranslator, frameHeader } from '../src/schema/index.js';
import avro from 'avsc';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { MessageId, PulsarClient, partitionTopic, type OutgoingMessage } from '../src/pulsar/client/index.js';

const brokers = (process.env.K2P_KAFKA_BROKERS ?? 'localhost:9092').split(',');
const serviceUrl = process.env.K2P_PULSAR_URL ?? 'pulsar://localhost:6650';
const admin = new PulsarAdmin({ url: process.env.K2P_PULSAR_ADMIN_URL ?? 'http://localhost:8080' });
const client = new PulsarClient({ serviceUrl });
const kafka = new Kafka({ brokers, clientId: 'k2p-bench-mirror', logLevel: logLevel.NOTHING });
const scale = Number(process.env.BENCH_SCALE ?? 1);
const phases = new Set((process.env.BENCH_PHASES ?? 'throughput,avro,latency,topics').split(','));

const PARTITIONS = 8;
const RECORD_BYTES = 1024;
const MAPPING = { provenance: true, headerEncoding: 'lossless' as const };
const run = randomUUID().slice(0, 8);

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (bytes: number) => bytes / 1024 / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

// ---- cleanup: every topic and group created is registered here and removed at the end, whatever happened.
const kafkaTopics = new Set<string>();
const pulsarTopics = new Set<string>();
const groups = new Set<string>();

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Retries a cleanup step (a broker may be briefly unreachable). */
async function retried(what: string, fn: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (attempt === 5) return void console.error(`cleanup: ${what}: ${(err as Error).message}`);
      await sleep(2000);
    }
  }
}

async function cleanupAll(): Promise<void> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    const topics = [...kafkaTopics];
    for (let i = 0; i < topics.length; i += 100) {
      const slice = topics.slice(i, i + 100);
      await retried(`kafka delete ${slice.length} topics`, async () => {
        const existing = new Set(await kafkaAdmin.listTopics());
        const left = slice.filter((t) => existing.has(t));
        if (left.length > 0) await kafkaAdmin.deleteTopics({ topics: left, timeout: 60_000 });
      });
    }
    if (groups.size > 0) await retried('kafka delete groups', () => kafkaAdmin.deleteGroups([...groups]));
  } finally {
    await kafkaAdmin.disconnect();
  }
  await pool([...pulsarTopics], 16, (t) =>
    retried(`pulsar delete ${t}`, async () => {
      if (await admin.topics.exists(t)) await admin.topics.delete(t, { force: true });
    }),
  );
}

/** RSS sampled every 20 ms (process.memoryUsage.rss(): the same figure as memoryUsage().rss, without the heap walk). */
function rssSampler(): { stop(): { startMiB: number; peakMiB: number } } {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return { startMiB: mib(start), peakMiB: mib(peak) };
    },
  };
}

/** A Kafka whose consumers report when they joined their group (the Mirror's consumer is private). */
function joinWatchingKafka(onJoin: () => void): Kafka {
  const watched = Object.create(kafka) as Kafka;
  watched.consumer = (config) => {
    const consumer = kafka.consumer(config);
    consumer.on(consumer.events.GROUP_JOIN, onJoin);
    return consumer;
  };
  return watched;
}

/** A Kafka topic and its provisioned Pulsar target (partitions 1:1, dedup on), both registered for cleanup. */
async function topicPair(name: string, partitions: number, kafkaAdmin: ReturnType<Kafka['admin']>): Promise<MirroredTopic> {
  const source = `bench-mirror-${run}-${name}`;
  const target = `persistent://public/default/bench-mirror-${run}-${name}`;
  kafkaTopics.add(source);
  await kafkaAdmin.createTopics({ topics: [{ topic: source, numPartitions: partitions }], waitForLeaders: true });
  pulsarTopics.add(target);
  await applyPlan(admin, await planTopic(admin, { name: source, partitions }, target, new KnownState(admin)));
  return { source, target, persistent: true, mapping: MAPPING };
}

const values = Array.from({ length: 64 }, () => randomBytes(RECORD_BYTES));
type Headers = (i: number) => KafkaMessage['headers'];
const oneHeader: Headers = (i) => ({ trace: `t-${i}` });
function kafkaRecord(i: number, timestamp = Date.now(), headers = oneHeader): KafkaMessage {
  return { key: `key-${i % 1000}`, value: values[i % values.length]!, timestamp: String(timestamp), headers: headers(i) };
}

/** Writes `perPartition` 1 KiB records to every partition (one send in flight per partition). */
async function fillKafka(topic: string, perPartition: number, headers = oneHeader): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, partition) => {
      // 500 records per send: a Kafka record batch stays below the broker's 1 MB message.max.bytes.
      for (let i = 0; i < perPartition; i += 500) {
        const n = Math.min(500, perPartition - i);
        await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ ...kafkaRecord(i + j, Date.now(), headers), partition })) });
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  return seconds;
}

/** Ceiling A: the mirror's Kafka consumer settings, doing nothing with the records. */
async function ceilingA(topic: string, total: number): Promise<{ seconds: number; afterJoinSeconds: number }> {
  const groupId = `bench-mirror-${run}-ceiling-a`;
  groups.add(groupId);
  let joined = 0;
  const consumer: KafkaConsumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false, maxBytesPerPartition: 1024 * 1024, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  consumer.on(consumer.events.GROUP_JOIN, () => (joined ||= performance.now()));
  let got = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const start = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return;
      got += batch.messages.length;
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      if (got >= total) done();
      await heartbeat();
    },
  });
  await finished;
  const end = performance.now();
  await consumer.disconnect();
  return { seconds: (end - start) / 1000, afterJoinSeconds: (end - joined) / 1000 };
}

/** Ceiling B: 8 PartitionWriters (the mirror's producer settings) on a provisioned topic, records as mapped. */
async function ceilingB(target: string, perPartition: number): Promise<number> {
  const CHUNK = 500; // a Kafka batch's worth
  const start = performance.now();
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, partition) => {
      const writer = await PartitionWriter.open(client, {
        topic: partitionTopic(target, partition),
        producerName: `bench-ceiling-b-${run}-${partition}`,
        maxPending: 5000,
        chunking: true,
        persistent: true,
      });
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < perPartition; i += CHUNK) {
        const records: OutgoingMessage[] = [];
        for (let j = i; j < Math.min(i + CHUNK, perPartition); j++) {
          const r = kafkaRecord(j);
          records.push(toPulsarMessage({ topic: 'ceiling-b', partition, offset: String(j), key: Buffer.from(r.key as string), value: r.value as Buffer, timestamp: r.timestamp!, headers: r.headers! }, MAPPING));
        }
        inFlight.push(writer.write(records));
        // Keep ~10 chunks queued: the producer's own 5,000-record bound is what limits it, not this loop.
        if (inFlight.length >= 10) await inFlight.shift();
      }
      await Promise.all(inFlight);
      await writer.close();
    }),
  );
  return (performance.now() - start) / 1000;
}

interface MirrorRun {
  seconds: number;
  afterJoinSeconds: number;
  rss: { startMiB: number; peakMiB: number };
  records: number;
}

/** Runs a Mirror until every partition of `topics` is committed at its end offset (or the deadline). */
async function mirrorUntilDone(topics: MirroredTopic[], ends: Map<string, bigint>, deadlineMs: number, onTopicDone?: (topic: string, ms: number) => void): Promise<MirrorRun & { complete: boolean }> {
  const groupId = `bench-mirror-${run}-${randomUUID().slice(0, 6)}`;
  groups.add(groupId);
  let joined = 0;
  const mirror = new Mirror({ kafka: joinWatchingKafka(() => (joined ||= performance.now())), kafkaConnector: { name: 'bench', brokers }, pulsar: client, groupId, topics });
  collectGarbage();
  const sampler = rssSampler();
  const start = performance.now();
  await mirror.start();
  const done = new Set<string>();
  let complete = false;
  while (performance.now() - start < deadlineMs) {
    for (const p of mirror.status()) {
      const key = `${p.topic}/${p.partition}`;
      if (!done.has(key) && p.committedOffset === ends.get(key)) {
        done.add(key);
        onTopicDone?.(p.topic, performance.now() - start);
      }
    }
    if (done.size === ends.size) {
      complete = true;
      break;
    }
    await sleep(ends.size > 100 ? 50 : 10);
  }
  const end = performance.now();
  const rss = sampler.stop();
  const records = mirror.status().reduce((n, p) => n + p.records, 0);
  await mirror.stop();
  return { seconds: (end - start) / 1000, afterJoinSeconds: (end - (joined || start)) / 1000, rss, records, complete };
}

/** Waits until every topic has a leader (kafkajs's waitForLeaders gives up on a topic the metadata does not list yet). */
async function leadersFor(kafkaAdmin: ReturnType<Kafka['admin']>, topics: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const { topics: meta } = await kafkaAdmin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`no leaders for ${topics.length} new topics after 60 s`);
    await sleep(200);
  }
}

/** Frees what the previous phases left (the RSS figures are for the mirror alone, as far as V8 lets go). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function endOffsets(kafkaAdmin: ReturnType<Kafka['admin']>, topics: string[]): Promise<Map<string, bigint>> {
  const ends = new Map<string, bigint>();
  await pool(topics, 16, async (t) => {
    for (const o of await kafkaAdmin.fetchTopicOffsets(t)) ends.set(`${t}/${o.partition}`, BigInt(o.high) - 1n);
  });
  return ends;
}

async function throughput(results: Record<string, number | string>, kafkaAdmin: ReturnType<Kafka['admin']>, onlyMirror: boolean): Promise<void> {
  const perPartition = Math.max(1, Math.round((400_000 * scale) / PARTITIONS));
  const total = perPartition * PARTITIONS;
  const mb = (total * RECORD_BYTES) / 1e6;
  const data = await topicPair('data', PARTITIONS, kafkaAdmin);
  const fillSeconds = await fillKafka(data.source, perPartition);
  console.log(`${fmt(total)} records of ${RECORD_BYTES} bytes (key, 1 header) on ${PARTITIONS} partitions written to Kafka in ${fillSeconds.toFixed(1)} s (${fmt(total / fillSeconds)} records/s)`);
  const rate = (s: number) => `${fmt(total / s)} records/s (${fmt(mb / s, 1)} MB/s)`;

  let a = { seconds: NaN, afterJoinSeconds: NaN };
  let bSeconds = NaN;
  if (!onlyMirror) {
    a = await ceilingA(data.source, total);
    console.log(`  ceiling A  Kafka consume-only (kafkajs, eachBatch, read_committed)     ${rate(a.seconds)}   after group join ${rate(a.afterJoinSeconds)}`);
    const bTopic = await topicPair('ceiling-b', PARTITIONS, kafkaAdmin);
    bSeconds = await ceilingB(bTopic.target, perPartition);
    console.log(`  ceiling B  Pulsar produce-only (8 PartitionWriters, LZ4, 5 ms, dedup)  ${rate(bSeconds)}`);
  }

  const ends = await endOffsets(kafkaAdmin, [data.source]);
  const m = await mirrorUntilDone([data], ends, 600_000);
  if (!m.complete || m.records !== total) console.log(`  ! mirror incomplete: ${fmt(m.records)} of ${fmt(total)} records`);
  console.log(`  mirror M   Kafka → Pulsar (Mirror, fresh target, start → all committed) ${rate(m.seconds)}   after group join ${rate(m.afterJoinSeconds)}`);
  console.log(`  peak RSS during the mirror phase ${fmt(m.rss.peakMiB, 1)} MiB (${fmt(m.rss.startMiB, 1)} MiB at its start, +${fmt(m.rss.peakMiB - m.rss.startMiB, 1)} MiB)`);
  Object.assign(results, {
    records: total,
    record_bytes: RECORD_BYTES,
    partitions: PARTITIONS,
    kafka_fill_records_per_s: total / fillSeconds,
    mirror_records_per_s: total / m.seconds,
    mirror_after_join_records_per_s: total / m.afterJoinSeconds,
    mirror_seconds: m.seconds,
    mirror_rss_start_mib: m.rss.startMiB,
    mirror_rss_peak_mib: m.rss.peakMiB,
  });
  if (!onlyMirror) {
    const ceiling = Math.min(total / a.seconds, total / bSeconds);
    const ceilingAfterJoin = Math.min(total / a.afterJoinSeconds, total / bSeconds);
    const ratio = total / m.seconds / ceiling;
    const ratioAfterJoin = total / m.afterJoinSeconds / ceilingAfterJoin;
    console.log(`  M / min(A, B) = ${ratio.toFixed(2)} (target >= 0.8; binding ceiling ${total / a.seconds < total / bSeconds ? 'A' : 'B'})   group join excluded from A and M: ${ratioAfterJoin.toFixed(2)}`);
    Object.assign(results, {
      ceiling_a_records_per_s: total / a.seconds,
      ceiling_a_after_join_records_per_s: total / a.afterJoinSeconds,
      ceiling_b_records_per_s: total / bSeconds,
      ratio_m_over_min_ab: ratio,
      ratio_m_over_min_ab_after_join: ratioAfterJoin,
    });
  }
}

async function latency(results: Record<string, number | string>, kafkaAdmin: ReturnType<Kafka['admin']>): Promise<void> {
  const rate = 2000;
  const seconds = 10;
  const topic = await topicPair('latency', PARTITIONS, kafkaAdmin);
  const consumer = await client.subscribe({ topic: topic.target, subscription: 'bench-latency', receiverQueueSize: 1000 });
  const groupId = `bench-mirror-${run}-latency`;
  groups.add(groupId);
  const mirror = new Mirror({ kafka, pulsar: client, groupId, topics: [topic] });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const latencies: number[] = [];
  let received = 0;
  let measuring = false;
  const receiving = (async () => {
    for (;;) {
      const batch = await consumer.receiveBatch(1000, 30_000);
      if (batch.length === 0) return;
      const now = Date.now();
      for (const m of batch) {
        consumer.acknowledge(m);
        received++;
        // The warm-up records are all received before measuring starts.
        if (measuring && m.eventTime !== undefined) latencies.push(now - m.eventTime);
      }
      if (latencies.length >= rate * seconds) return;
    }
  })();
  collectGarbage();
  const sampler = rssSampler();
  await mirror.start();
  // Warm-up: one record per partition, so the writers (Pulsar producers) are open before measuring.
  await producer.send({ topic: topic.source, messages: Array.from({ length: PARTITIONS }, (_, p) => ({ ...kafkaRecord(p), partition: p })) });
  while (received < PARTITIONS) await sleep(10);
  measuring = true;
  const start = performance.now();
  let sent = 0;
  const sends: Promise<unknown>[] = [];
  while (sent < rate * seconds) {
    const due = Math.min(rate * seconds, Math.floor(((performance.now() - start) * rate) / 1000));
    if (due > sent) {
      const now = Date.now();
      sends.push(producer.send({ topic: topic.source, acks: -1, messages: Array.from({ length: due - sent }, (_, j) => kafkaRecord(sent + j, now)) }));
      sent = due;
    }
    await sleep(2);
  }
  await Promise.all(sends);
  await receiving;
  const rss = sampler.stop();
  await producer.disconnect();
  await mirror.stop();
  await consumer.close();
  latencies.sort((x, y) => x - y);
  const p50 = pct(latencies, 0.5);
  const p99 = pct(latencies, 0.99);
  console.log(`\nend-to-end latency at ${fmt(rate)} records/s for ${seconds} s (Kafka produce timestamp → our Pulsar consumer receives), ${fmt(latencies.length)} records:`);
  console.log(`  p50 ${p50} ms  p99 ${p99} ms  max ${latencies[latencies.length - 1]} ms   peak RSS ${fmt(rss.peakMiB, 1)} MiB`);
  Object.assign(results, { latency_rate_per_s: rate, latency_p50_ms: p50, latency_p99_ms: p99, latency_max_ms: latencies[latencies.length - 1]!, latency_rss_peak_mib: rss.peakMiB });
}

async function manyTopics(results: Record<string, number | string>, kafkaAdmin: ReturnType<Kafka['admin']>): Promise<void> {
  const count = Math.max(1, Math.round(2000 * scale));
  const perTopic = 5;
  const names = Array.from({ length: count }, (_, i) => `bench-mirror-${run}-small-${i}`);
  const setupStart = performance.now();
  for (let i = 0; i < count; i += 100) {
    const slice = names.slice(i, i + 100);
    for (const n of slice) kafkaTopics.add(n);
    await kafkaAdmin.createTopics({ topics: slice.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: false, timeout: 60_000 });
    await leadersFor(kafkaAdmin, slice);
  }
  const kafkaCreateSeconds = (performance.now() - setupStart) / 1000;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < count; i += 200) {
    await producer.sendBatch({ acks: -1, topicMessages: names.slice(i, i + 200).map((topic) => ({ topic, messages: Array.from({ length: perTopic }, (_, j) => kafkaRecord(j)) })) });
  }
  await producer.disconnect();
  const provisionStart = performance.now();
  const known = new KnownState(admin);
  const topics: MirroredTopic[] = names.map((source) => ({ source, target: `persistent://public/default/${source}`, persistent: true, mapping: MAPPING }));
  await pool(topics, 16, async (t) => {
    pulsarTopics.add(t.target);
    await applyPlan(admin, await planTopic(admin, { name: t.source, partitions: 1 }, t.target, known));
  });
  const provisionSeconds = (performance.now() - provisionStart) / 1000;
  console.log(`\n${fmt(count)} topics of 1 partition and ${perTopic} records each: Kafka topics created in ${kafkaCreateSeconds.toFixed(1)} s, Pulsar targets provisioned (partitioned, dedup on) in ${provisionSeconds.toFixed(1)} s`);

  const ends = await endOffsets(kafkaAdmin, names);
  const doneAt: number[] = [];
  const m = await mirrorUntilDone(topics, ends, 300_000, (_t, ms) => doneAt.push(ms));
  doneAt.sort((x, y) => x - y);
  const first = doneAt[0] ?? NaN;
  console.log(
    `  one Mirror: ${m.complete ? 'all' : `only ${fmt(doneAt.length)} of`} ${fmt(count)} topics mirrored ${m.complete ? 'in' : 'after'} ${m.seconds.toFixed(1)} s from start() (group joined after ${(m.seconds - m.afterJoinSeconds).toFixed(1)} s; first topic done at ${(first / 1000).toFixed(1)} s, p50 ${(pct(doneAt, 0.5) / 1000).toFixed(1)} s, p99 ${(pct(doneAt, 0.99) / 1000).toFixed(1)} s)`,
  );
  // What Pulsar really holds (the count above is the mirror's own): read every target back.
  let stored = 0;
  await pool(topics, 8, async (t) => {
    const reader = await client.createReader({ topic: partitionTopic(t.target, 0), startMessageId: MessageId.earliest });
    while (await reader.hasMessageAvailable()) {
      await reader.readNext(10_000);
      stored++;
    }
    await reader.close();
  });
  console.log(`  ${fmt(stored)} records read back from the ${fmt(count)} Pulsar targets`);
  results.small_topics_records_in_pulsar = stored;
  console.log(`  ${fmt(m.records)} records counted by Mirror.status() for ${fmt(count * perTopic)} in Kafka; peak RSS ${fmt(m.rss.peakMiB, 1)} MiB (${fmt(m.rss.startMiB, 1)} MiB at start, +${fmt(m.rss.peakMiB - m.rss.startMiB, 1)} MiB)`);
  Object.assign(results, {
    small_topics: count,
    small_topics_mirrored: doneAt.length,
    small_topics_records_counted: m.records,
    small_topics_records_in_kafka: count * perTopic,
    small_topics_seconds: m.seconds,
    small_topics_join_seconds: m.seconds - m.afterJoinSeconds,
    small_topics_p50_done_s: pct(doneAt, 0.5) / 1000,
    small_topics_p99_done_s: pct(doneAt, 0.99) / 1000,
    small_topics_provision_seconds: provisionSeconds,
    small_topics_rss_peak_mib: m.rss.peakMiB,
    small_topics_rss_start_mib: m.rss.startMiB,
  });
}

// ---- Header order: records written with headers a, a, b reach the mirror as { a: [..], b }, which could also
// be a, b, a: every record is read again with our fetch client (the slow path). Same records with one header
// (the common path) in the same run; ratio slow / common.
async function headerOrder(results: Record<string, number | string>, kafkaAdmin: ReturnType<Kafka['admin']>): Promise<void> {
  const perPartition = Math.max(1, Math.round((200_000 * scale) / PARTITIONS));
  const total = perPartition * PARTITIONS;
  const common = await topicPair('headers-common', PARTITIONS, kafkaAdmin);
  const slow = await topicPair('headers-reread', PARTITIONS, kafkaAdmin);
  await fillKafka(common.source, perPartition);
  await fillKafka(slow.source, perPartition, (i) => ({ a: [`t-${i}`, 'x'], b: 'y' }));
  const c = await mirrorUntilDone([common], await endOffsets(kafkaAdmin, [common.source]), 600_000);
  const s = await mirrorUntilDone([slow], await endOffsets(kafkaAdmin, [slow.source]), 600_000);
  for (const [name, m] of [['common', c], ['re-read', s]] as const) if (!m.complete || m.records !== total) console.log(`  ! ${name} mirror incomplete: ${fmt(m.records)} of ${fmt(total)} records`);
  const ratio = c.afterJoinSeconds / s.afterJoinSeconds;
  console.log(`\nheader order, ${fmt(total)} records of ${RECORD_BYTES} bytes on ${PARTITIONS} partitions, after group join:`);
  console.log(`  one header (common path)                     ${fmt(total / c.afterJoinSeconds)} records/s`);
  console.log(`  headers a, a, b (every record read again)    ${fmt(total / s.afterJoinSeconds)} records/s   re-read / common = ${ratio.toFixed(2)}`);
  Object.assign(results, { headers_records: total, headers_common_records_per_s: total / c.afterJoinSeconds, headers_reread_records_per_s: total / s.afterJoinSeconds, headers_ratio_reread_over_common: ratio });
}

// ---- Avro: the mirror with schema translation (registry framing stripped, schema version per message) vs the
// bytes-only mirror, same records, same run. Registry at K2P_REGISTRY_URL (the Confluent-compatible API).
async function avroThroughput(results: Record<string, number | string>, kafkaAdmin: ReturnType<Kafka['admin']>): Promise<void> {
  const registryUrl = process.env.K2P_REGISTRY_URL ?? 'http://localhost:8081/apis/ccompat/v7';
  const perPartition = Math.max(1, Math.round((400_000 * scale) / PARTITIONS));
  const total = perPartition * PARTITIONS;
  const schema = { type: 'record', name: `BenchOrder_${run}`, namespace: 'k2p.bench', fields: [{ name: 'id', type: 'long' }, { name: 'customer', type: 'string' }, { name: 'amount', type: 'double' }, { name: 'blob', type: 'bytes' }] };
  const typed = await topicPair('avro-typed', PARTITIONS, kafkaAdmin);
  const bytes = await topicPair('avro-bytes', PARTITIONS, kafkaAdmin);
  const subject = `${typed.source}-value`;
  const reg = await fetch(`${registryUrl}/subjects/${subject}/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(schema) }) });
  const { id } = (await reg.json()) as { id: number };
  try {
    const type = avro.Type.forSchema(schema as avro.Schema);
    // ~1 KiB framed Avro values (64 distinct bodies), as a Confluent serializer writes them.
    const avroValues = Array.from({ length: 64 }, (_, i) => Buffer.concat([frameHeader(id), type.toBuffer({ id: i, customer: `customer-${i}`, amount: i * 1.5, blob: randomBytes(RECORD_BYTES - 40) })]));
    for (const topic of [typed.source, bytes.source]) {
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      await Promise.all(
        Array.from({ length: PARTITIONS }, async (_, partition) => {
          for (let i = 0; i < perPartition; i += 500) {
            const n = Math.min(500, perPartition - i);
            await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ key: `key-${(i + j) % 1000}`, value: avroValues[(i + j) % 64]!, headers: { trace: `t-${i + j}` }, partition })) });
          }
        }),
      );
      await producer.disconnect();
    }
    const translator = new SchemaTranslator(new RegistryClient({ url: registryUrl }));
    typed.converter = new SchemaConverter({ schema: 'registry', mapping: MAPPING, source: typed.source, target: typed.target, persistent: true, pulsar: pulsarSchemaTarget(client, admin), translator, compatibility: 'keep' });
    const mb = (total * (avroValues[0]!.length)) / 1e6;
    const rate = (s: number) => `${fmt(total / s)} records/s (${fmt(mb / s, 1)} MB/s)`;
    const mBytes = await mirrorUntilDone([bytes], await endOffsets(kafkaAdmin, [bytes.source]), 600_000);
    console.log(`\nAvro topic, ${fmt(total)} framed records of ${avroValues[0]!.length} bytes on ${PARTITIONS} partitions:`);
    console.log(`  bytes-only mirror          ${rate(mBytes.seconds)}   after group join ${rate(mBytes.afterJoinSeconds)}`);
    const calls = translator.registry.calls;
    const mTyped = await mirrorUntilDone([typed], await endOffsets(kafkaAdmin, [typed.source]), 600_000);
    console.log(`  with schema translation    ${rate(mTyped.seconds)}   after group join ${rate(mTyped.afterJoinSeconds)}   (registry calls: ${translator.registry.calls - calls})`);
    if (!mBytes.complete || !mTyped.complete || mBytes.records !== total || mTyped.records !== total) console.log(`  ! incomplete: bytes ${fmt(mBytes.records)}, typed ${fmt(mTyped.records)} of ${fmt(total)}`);
    // What Pulsar holds: the typed topic's messages carry the schema version and the body without its header.
    const reader = await client.createReader({ topic: partitionTopic(typed.target, 0), startMessageId: MessageId.earliest });
    const first = await reader.readNext(10_000);
    await reader.close();
    const stored = await admin.schemas.all(typed.target);
    console.log(`  typed topic: ${stored.length} Pulsar schema version(s) (${stored.map((s) => s.type).join(', ')}); first message ${first.payload.length} bytes (Kafka value ${avroValues[0]!.length}), schema version ${first.schemaVersion ? Buffer.from(first.schemaVersion).toString('hex') : 'none'}`);
    const ratio = mTyped.seconds > 0 ? mBytes.seconds / mTyped.seconds : NaN;
    const ratioAfterJoin = mBytes.afterJoinSeconds / mTyped.afterJoinSeconds;
    console.log(`  typed / bytes = ${ratio.toFixed(2)} (target >= 0.9)   group join excluded: ${ratioAfterJoin.toFixed(2)}`);
    Object.assign(results, { avro_records: total, avro_bytes_records_per_s: total / mBytes.seconds, avro_typed_records_per_s: total / mTyped.seconds, avro_ratio_typed_over_bytes: ratio, avro_ratio_after_join: ratioAfterJoin });
  } finally {
    await fetch(`${registryUrl}/subjects/${subject}`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${registryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const results: Record<string, number | string> = { scale };
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const cleanupStart = performance.now();
  try {
    if (phases.has('throughput') || phases.has('mirror')) await throughput(results, kafkaAdmin, !phases.has('throughput'));
    if (phases.has('latency')) await latency(results, kafkaAdmin);
    if (phases.has('avro')) await avroThroughput(results, kafkaAdmin);
    if (phases.has('topics')) await manyTopics(results, kafkaAdmin);
    if (phases.has('headers')) await headerOrder(results, kafkaAdmin);
  } finally {
    await kafkaAdmin.disconnect();
    const t = performance.now();
    await cleanupAll();
    console.log(`\ncleanup: ${fmt(kafkaTopics.size)} Kafka topics, ${fmt(pulsarTopics.size)} Pulsar topics, ${groups.size} groups deleted in ${((performance.now() - t) / 1000).toFixed(1)} s (run ${((performance.now() - cleanupStart) / 1000).toFixed(0)} s)`);
    await client.close();
  }
  console.log(`\n${JSON.stringify({ bench: 'mirror', at: new Date().toISOString(), ...results })}`);
}

await main();
