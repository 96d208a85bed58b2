// `npm run bench:verify`: verification speed against the raw read throughput of both sides, one run, same
// machine, same brokers.
//   K = Kafka consume-only with kafkajs (a group, eachBatch, read_committed, from the beginning, the fetch
//       sizes verify's Kafka reader used to use) until every partition's end;
//   K' = Kafka read-only with verify's own fetch reader (KafkaFetchReader: read_committed, records packed
//       from the wire bytes, in this thread), every batch taken as it comes, nothing compared;
//   P = Pulsar read-only with our client, its fastest read — verify's own: one non-durable subscription per
//       partition with verify's receive queue and flow control, entries taken as they came (rawEntries,
//       receiveEntries) and every message and every property walked in place (BatchCursor), until the end;
//       P(msg) = the same read with a Message object per message (receiveBatch), for comparison only;
//   V = verify() (src/verify) on the same pair as `k2p verify` runs it (clients built from connector files,
//       Kafka read in a worker thread, Pulsar in this one): both sides read, every record compared.
//       BENCH_KAFKA_THREAD=0: Kafka read in the calling thread instead; BENCH_PULSAR_THREAD=1: Pulsar in a
//       worker thread of its own (verify's opt-in pulsarThread);
//   B = both raw reads at once (K' in a worker thread, P in this thread), nothing compared.
// K, K', P and B are measured before and after V and averaged (the machine is shared: load drifts). Prints
// every figure, the ratios V / min(K', P) (the target, >= 0.8: against our own fastest reader of each side),
// V / min(K, P) (against kafkajs) and V / B, verify's peak RSS (bounded memory: it must not grow with the topic; run with NODE_OPTIONS=--max-old-space-size=256 to cap the heap), the CPU seconds each phase
// took (this process with its threads, each broker) and how busy the machine was, then one JSON line.
// BENCH_RECORDS (default 1,000,000) on 8 partitions, ~300-byte records with 3 headers, stamped within the
// last hour (older ones would be deleted by Kafka's 7-day retention during the run). Every topic and group
// created is deleted. Not a test: nothing is asserted.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { toPulsarMessage, type KafkaRecord } from '../src/mirror/record-mapping.js';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { BatchCursor, MessageId, PulsarClient, partitionTopic } from '../src/pulsar/client/index.js';
import { verify } from '../src/verify/index.js';
import { KafkaFetchReader } from '../src/verify/kafka-fetch-source.js';
import { KAFKA_FETCH } from '../src/verify/kafka-source.js';
import { KafkaThreadReader } from '../src/verify/kafka-thread.js';

const brokers = (process.env.K2P_KAFKA_BROKERS ?? 'localhost:9092').split(',');
const serviceUrl = process.env.K2P_PULSAR_URL ?? 'pulsar://localhost:6650';
const adminUrl = process.env.K2P_PULSAR_ADMIN_URL ?? 'http://localhost:8080';
const admin = new PulsarAdmin({ url: adminUrl });
const client = new PulsarClient({ serviceUrl });
const kafka = new Kafka({ brokers, clientId: 'k2p-bench-verify', logLevel: logLevel.NOTHING });
const TOTAL = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const PARTITIONS = 8;
const MAPPING = { provenance: true, headerEncoding: 'lossless' as const };
const run = randomUUID().slice(0, 8);
const source = `bench-verify-${run}`;
const target = `persistent://public/default/bench-verify-${run}`;
const groups: string[] = [];
const BASE_TIME = Date.now() - 3_600_000;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (bytes: number) => bytes / 1024 / 1024;
const perPartition = (p: number) => Math.floor(TOTAL / PARTITIONS) + (p < TOTAL % PARTITIONS ? 1 : 0);

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

// CPU seconds per phase (Linux /proc; NaN elsewhere): this process (its worker threads included), each broker
// of the local stack (shared: other clients' work counts too) and how busy the whole machine was — on a small
// shared machine V, which reads both sides at once, is bound by the CPU it gets.
const TICK = 100; // USER_HZ
function brokerPids(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.startsWith('java')) continue;
      if (cmd.includes('.stack/pulsar/')) out.pulsar = Number(d);
      else if (cmd.includes('.stack/kafka/')) out.kafka = Number(d);
    }
  } catch {
    // not Linux: no broker figures
  }
  return out;
}
const brokerPid = brokerPids();
function procSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return NaN;
  }
}
function machineTicks(): { busy: number; all: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const all = f.reduce((a, b) => a + b, 0);
    return { busy: all - f[3]! - f[4]!, all };
  } catch {
    return { busy: NaN, all: NaN };
  }
}
interface CpuMark {
  at: number;
  self: NodeJS.CpuUsage;
  brokers: Record<string, number>;
  machine: { busy: number; all: number };
}
interface CpuUse {
  seconds: number;
  selfCpu: number;
  brokerCpu: Record<string, number>;
  machineBusy: number;
  text: string;
}
function cpuMark(): CpuMark {
  const brokers: Record<string, number> = {};
  for (const [name, pid] of Object.entries(brokerPid)) brokers[name] = procSeconds(pid);
  return { at: performance.now(), self: process.cpuUsage(), brokers, machine: machineTicks() };
}
/** What a phase used since `m`: "CPU this process 1.9 s, pulsar 0.8 s, kafka 0.6 s in 2.2 s; machine 97% busy". */
function cpuSince(m: CpuMark): CpuUse {
  const now = cpuMark();
  const seconds = (now.at - m.at) / 1000;
  const selfCpu = (now.self.user - m.self.user + now.self.system - m.self.system) / 1e6;
  const brokerCpu: Record<string, number> = {};
  for (const name of Object.keys(now.brokers)) brokerCpu[name] = now.brokers[name]! - m.brokers[name]!;
  const machineBusy = (now.machine.busy - m.machine.busy) / (now.machine.all - m.machine.all);
  const parts = [`this process ${fmt(selfCpu, 1)} s`];
  for (const [name, cpu] of Object.entries(brokerCpu)) parts.push(`${name} ${fmt(cpu, 1)} s`);
  const text = `CPU ${parts.join(', ')} in ${fmt(seconds, 1)} s; machine ${fmt(machineBusy * 100, 0)}% busy`;
  return { seconds, selfCpu, brokerCpu, machineBusy, text };
}
const round2 = (n: number) => Math.round(n * 100) / 100;

function record(p: number, i: number, filler: Buffer): KafkaRecord {
  return {
    topic: source,
    partition: p,
    offset: String(i),
    key: Buffer.from(`key-${(p * 7919 + i) % 10_007}`),
    value: Buffer.concat([Buffer.from(`${p}:${i}:`), filler]),
    timestamp: String(BASE_TIME + i),
    headers: [
      { key: 'trace', value: Buffer.from(`t-${p}-${i}`) },
      { key: 'bin', value: Buffer.from([i & 255, 0, 255]) },
      { key: 'src', value: Buffer.from('bench') },
    ],
  };
}

/** Kafka: the records, in batches per partition. Pulsar: the same records as toPulsarMessage maps them. */
async function populate(): Promise<void> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({
    topics: [{ topic: source, numPartitions: PARTITIONS }],
    waitForLeaders: true,
  });
  await kafkaAdmin.disconnect();
  await admin.topics.createPartitioned(target, PARTITIONS);
  // A durable subscription holds the partitions for the whole run: the broker deletes a topic with neither
  // producers nor subscriptions after 60 s (brokerDeleteInactiveTopicsEnabled), and on a busy machine the
  // partitions written first sat idle that long — the reads then waited forever on empty topics.
  await admin.subscriptions.create(target, 'bench-verify-hold', 'earliest');
  const filler = randomBytes(240);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = performance.now();
  for (let p = 0; p < PARTITIONS; p++) {
    const pulsar = await client.createProducer({
      topic: partitionTopic(target, p),
      compression: 'LZ4',
      batchingMaxDelayMs: 5,
    });
    for (let start = 0; start < perPartition(p); start += 2000) {
      const records = Array.from({ length: Math.min(2000, perPartition(p) - start) }, (_, j) =>
        record(p, start + j, filler),
      );
      const kafkaSend = producer.send({
        topic: source,
        messages: records.map((r) => ({
          partition: p,
          key: r.key,
          value: r.value,
          timestamp: r.timestamp,
          headers: Object.fromEntries(
            (r.headers as { key: string; value: Buffer }[]).map((h) => [h.key, h.value]),
          ),
        })),
      });
      await Promise.all([kafkaSend, ...records.map((r) => pulsar.send(toPulsarMessage(r, MAPPING)))]);
    }
    await pulsar.close();
  }
  await producer.disconnect();
  console.log(
    `populated ${fmt(TOTAL)} records on ${PARTITIONS} partitions of both sides in ${fmt((performance.now() - started) / 1000, 1)} s`,
  );
}

/** K: kafkajs consume-only, from the beginning to every partition's end. */
async function kafkaRaw(): Promise<number> {
  const groupId = `bench-verify-raw-${run}`;
  groups.push(groupId);
  const started = performance.now(); // from the start, as V: group join included
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxBytesPerPartition: KAFKA_FETCH.maxBytesPerPartition,
    maxBytes: KAFKA_FETCH.maxBytes,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [source], fromBeginning: true });
  let count = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        count += batch.messages.length;
        if (count >= TOTAL) resolve();
      },
    });
  });
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return TOTAL / seconds;
}

/** K': verify's fetch reader alone, every partition from 0 to its end, each batch dropped once counted. */
async function kafkaFetchRaw(): Promise<number> {
  const started = performance.now();
  const plans = Array.from({ length: PARTITIONS }, (_, p) => ({
    partition: p,
    ranges: [{ from: 0n, to: BigInt(perPartition(p)) }],
  }));
  const reader = new KafkaFetchReader({ name: 'bench', brokers }, source, PARTITIONS, plans);
  let count = 0;
  try {
    await reader.start();
    await Promise.all(
      plans.map(async ({ partition }) => {
        const stream = reader.stream(partition);
        for (let r = await stream.next(); !r.done; r = await stream.next()) count += r.value.count;
      }),
    );
  } finally {
    await reader.close();
  }
  if (count !== TOTAL) throw new Error(`K' read ${count} records, not ${TOTAL}`);
  return TOTAL / ((performance.now() - started) / 1000);
}

/** B: both raw reads at once, the way verify reads them (K' in a worker thread, P in this thread), nothing
 * compared — how fast any verifier could read the pair on this machine, both brokers serving at once. */
async function bothRaw(): Promise<number> {
  const started = performance.now();
  const plans = Array.from({ length: PARTITIONS }, (_, p) => ({
    partition: p,
    ranges: [{ from: 0n, to: BigInt(perPartition(p)) }],
  }));
  const reader = new KafkaThreadReader({ name: 'bench', brokers }, source, PARTITIONS, plans);
  let count = 0;
  try {
    await reader.start();
    await Promise.all([
      ...plans.map(async ({ partition }) => {
        const stream = reader.stream(partition);
        for (let r = await stream.next(); !r.done; r = await stream.next()) count += r.value.count;
      }),
      pulsarRaw(),
    ]);
  } finally {
    await reader.close();
  }
  if (count !== TOTAL) throw new Error(`B read ${count} Kafka records, not ${TOTAL}`);
  return TOTAL / ((performance.now() - started) / 1000);
}

/** P: our client read-only, every partition at once: a non-durable subscription (a reader) with verify's
 * queue settings taking entries as they came and walking every message and property in place (its Pulsar
 * ceiling; the bench's messages are all batched); with
 * `messages`, taking Message objects instead (receiveBatch, the read verify's Pulsar side used before). */
async function pulsarRaw(messages = false): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, p) => {
      const reader = await client.subscribe({
        topic: partitionTopic(target, p),
        subscription: `bench-verify-raw-${run}-${p}`,
        subscriptionType: 'Exclusive',
        durable: false,
        startMessageId: MessageId.earliest,
        startMessageIdInclusive: true,
        initialPosition: 'Earliest',
        receiverQueueSize: 2000,
        preciseFlowControl: true,
        rawEntries: !messages,
      });
      let n = 0;
      const cursor = new BatchCursor();
      while (n < perPartition(p)) {
        if (messages) n += (await reader.receiveBatch(1000, 30_000)).length;
        else {
          for (const entry of await reader.receiveEntries(1000, 30_000)) {
            cursor.reset(entry.payload, entry.metadata.numMessagesInBatch ?? 0);
            while (cursor.next()) {
              cursor.firstProperty();
              while (cursor.nextProperty());
              n++;
            }
            if (cursor.odd) throw new Error(`P: entry ${entry.ledgerId}:${entry.entryId} not walked in place`);
          }
        }
      }
      await reader.close();
    }),
  );
  return TOTAL / ((performance.now() - started) / 1000);
}

/** BENCH_PROFILE=<file.cpuprofile>: a CPU profile of verify alone. */
async function profiled<T>(what: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_PROFILE;
  if (!file) return what();
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await what();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function cleanup(): Promise<void> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin
    .deleteTopics({ topics: [source] })
    .catch((e: Error) => console.error(`cleanup kafka topic: ${e.message}`));
  if (groups.length > 0) await kafkaAdmin.deleteGroups(groups).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await admin.topics
    .delete(target, { force: true })
    .catch((e: Error) => console.error(`cleanup pulsar topic: ${e.message}`));
  await client.close();
}

/** Connector and mapping files for this pair, as a user of `k2p verify` writes them. */
function configFiles(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-bench-verify-'));
  const connectors = join(dir, 'connectors.yaml');
  writeFileSync(
    connectors,
    `connectors:\n  kafka-bench:\n    kind: kafka\n    brokers: ${JSON.stringify(brokers)}\n  pulsar-bench:\n    kind: pulsar\n    serviceUrl: ${JSON.stringify(serviceUrl)}\n    adminUrl: ${JSON.stringify(adminUrl)}\n`,
  );
  const mapping = join(dir, 'mapping.yaml');
  writeFileSync(
    mapping,
    `source: kafka-bench\ntarget: pulsar-bench\ntopics:\n  - match: ${source}\n    to: persistent://public/default/{topic}\n`,
  );
  return [connectors, mapping];
}

try {
  await populate();
  const kCpu: CpuUse[] = [];
  const pCpu: CpuUse[] = [];
  let mark = cpuMark();
  const k1 = await kafkaRaw();
  console.log(
    `K  Kafka consume-only (kafkajs):        ${fmt(k1)} records/s   (${(kCpu[0] = cpuSince(mark)).text})`,
  );
  const kfCpu: CpuUse[] = [];
  mark = cpuMark();
  const kf1 = await kafkaFetchRaw();
  console.log(
    `K' Kafka read-only (our fetch reader):  ${fmt(kf1)} records/s   (${(kfCpu[0] = cpuSince(mark)).text})`,
  );
  mark = cpuMark();
  const p1 = await pulsarRaw();
  console.log(
    `P  Pulsar read-only (our reader):        ${fmt(p1)} messages/s   (${(pCpu[0] = cpuSince(mark)).text})`,
  );
  const pmCpu: CpuUse[] = [];
  mark = cpuMark();
  const pm1 = await pulsarRaw(true);
  console.log(
    `P(msg) Pulsar read-only, Message objects: ${fmt(pm1)} messages/s   (${(pmCpu[0] = cpuSince(mark)).text})`,
  );
  const bCpu: CpuUse[] = [];
  mark = cpuMark();
  const b1 = await bothRaw();
  console.log(
    `B  both read at once (K' thread + P):   ${fmt(b1)} pairs/s     (${(bCpu[0] = cpuSince(mark)).text})`,
  );
  const kafkaThread = process.env.BENCH_KAFKA_THREAD !== '0';
  const pulsarThread = process.env.BENCH_PULSAR_THREAD === '1'; // verify's default: off
  const config = configFiles();
  const rss = rssSampler();
  mark = cpuMark();
  const started = performance.now();
  const report = await profiled(() => verify({ config, topics: [source], positions: false, kafkaThread, pulsarThread }));
  const seconds = (performance.now() - started) / 1000;
  const memory = rss.stop();
  const verifyCpu = cpuSince(mark);
  mark = cpuMark();
  const k2 = await kafkaRaw();
  console.log(
    `K  Kafka consume-only again:             ${fmt(k2)} records/s   (${(kCpu[1] = cpuSince(mark)).text})`,
  );
  mark = cpuMark();
  const kf2 = await kafkaFetchRaw();
  console.log(
    `K' Kafka read-only again:               ${fmt(kf2)} records/s   (${(kfCpu[1] = cpuSince(mark)).text})`,
  );
  mark = cpuMark();
  const p2 = await pulsarRaw();
  console.log(
    `P  Pulsar read-only again:               ${fmt(p2)} messages/s   (${(pCpu[1] = cpuSince(mark)).text})`,
  );
  mark = cpuMark();
  const pm2 = await pulsarRaw(true);
  console.log(
    `P(msg) again:                            ${fmt(pm2)} messages/s   (${(pmCpu[1] = cpuSince(mark)).text})`,
  );
  mark = cpuMark();
  const b2 = await bothRaw();
  console.log(
    `B  both read at once again:              ${fmt(b2)} pairs/s     (${(bCpu[1] = cpuSince(mark)).text})`,
  );
  const both = (b1 + b2) / 2;
  const k = (k1 + k2) / 2;
  const kf = (kf1 + kf2) / 2;
  const p = (p1 + p2) / 2;
  const v = TOTAL / seconds;
  const slower = Math.min(k, p);
  console.log(
    `V  verify (both sides, every record):    ${fmt(v)} records/s (${fmt(seconds, 1)} s, Kafka ${kafkaThread ? 'in a worker thread' : 'in this thread'}), identical: ${report.identical}, matched ${fmt(report.topics[0]?.matched ?? 0)}`,
  );
  console.log(`   (${verifyCpu.text})`);
  console.log(
    `   peak RSS during verify: ${fmt(memory.peakMiB, 0)} MiB (at start ${fmt(memory.startMiB, 0)} MiB)`,
  );
  console.log(
    `V / min(K, P) = ${fmt(v / slower, 2)} (against kafkajs; K, P: mean of before and after V; slower side: ${k <= p ? 'Kafka' : 'Pulsar'})`,
  );
  console.log(
    `V / min(K', P) = ${fmt(v / Math.min(kf, p), 2)} (target >= 0.8, against our own fastest reader of each side; slower side: ${kf <= p ? "Kafka (K')" : 'Pulsar'})`,
  );
  console.log(
    `V / B = ${fmt(v / both, 2)} (B: both raw reads at once, nothing compared; B / min(K', P) = ${fmt(both / Math.min(kf, p), 2)} is the most any verifier reading both sides gets here)`,
  );
  console.log(
    JSON.stringify({
      bench: 'verify',
      records: TOTAL,
      partitions: PARTITIONS,
      kafkaRecordsPerSec: Math.round(k),
      kafkaFetchRecordsPerSec: Math.round(kf),
      pulsarMessagesPerSec: Math.round(p),
      pulsarMessageObjectsPerSec: Math.round((pm1 + pm2) / 2),
      bothRawPairsPerSec: Math.round(both),
      verifyRecordsPerSec: Math.round(v),
      kafkaThread,
      heapCap: /--max-old-space-size=(\d+)/.exec(process.env.NODE_OPTIONS ?? '')?.[1] ?? null,
      ratio: Number((v / slower).toFixed(3)),
      ratioOwnKafka: Number((v / Math.min(kf, p)).toFixed(3)),
      peakRssMiB: Math.round(memory.peakMiB),
      // CPU seconds of this process per phase (K, P: mean of both runs) and the machine's busy share during V.
      cpuSeconds: {
        kafka: round2((kCpu[0]!.selfCpu + kCpu[1]!.selfCpu) / 2),
        kafkaFetch: round2((kfCpu[0]!.selfCpu + kfCpu[1]!.selfCpu) / 2),
        pulsar: round2((pCpu[0]!.selfCpu + pCpu[1]!.selfCpu) / 2),
        pulsarMessages: round2((pmCpu[0]!.selfCpu + pmCpu[1]!.selfCpu) / 2),
        both: round2((bCpu[0]!.selfCpu + bCpu[1]!.selfCpu) / 2),
        verify: round2(verifyCpu.selfCpu),
      },
      machineBusyDuringVerify: round2(verifyCpu.machineBusy),
      identical: report.identical,
    }),
  );
} finally {
  await cleanup();
}
