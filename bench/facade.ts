// `npm run bench:facade`: the REST Proxy facade against its two ceilings, one run, same machine.
//   N  = req/s of a no-op fastify route (keep-alive, C concurrent clients): the HTTP ceiling here;
//   S  = req/s of single-record JSON produce through the facade, same clients, per route, every record with the
//        same key (one partition: one Kafka send in flight at a time);
//   Sr = the same without a key: the facade spreads the records round-robin over the topic's partitions;
//   B  = records/s with 100-record v2 requests, per route;
//   V  = records/s of v3 streaming (C chunked requests, one report per record), per route;
//   K  = records/s of the native producer (kafkajs, 100-record sends, same concurrency) on the same topic;
//   K' = the same with the gateway's own Kafka producer (the facade's default; sends of a topic one at a time);
//   P  = records/s of our Pulsar producer (100-message sends, same concurrency), for routes pulsar and dual;
//   P' = the same producer sending the messages the record mapping makes of such records, as routes pulsar
//        and dual store them (provenance properties, event time, ordering key): the native cost of storing
//        the same data;
//   D  = records/s of a native dual writer (route dual's work without HTTP): our Kafka producer sends the 100
//        records, then our Pulsar producer sends the mapping's messages with sequence id = the Kafka offset, same
//        partition, as route dual stores them; same concurrency.
// Targets: S >= 0.5 N (Sr too); V >= 0.5 of the native producer: K' for route kafka, P' for pulsar, D for dual
// (printed beside the others: K, P, and the slower side written alone for dual).
// The HTTP load (N, S, B, V) comes from a separate process (bench/facade-load.ts: node:http keep-alive
// connections, one request at a time each, the same code for the no-op route and the facade), so the servers
// under test (the no-op route and the facade with the logger `k2p facade` uses, both in this process) have
// this event loop to themselves; K and P are in-process clients and run here. The machine is shared (brokers,
// other work): N and each route's S run interleaved in BENCH_ROUNDS short slices, each ratio taken over the
// same slices of time; K and P run in two halves, just before and just after the V phases.
// Every phase runs at each client count of BENCH_CONCURRENCY (default 8,64,128), one after another; a summary
// then reads each target at each count and peak against peak (each figure at the count where it is highest).
// BENCH_SECONDS (default 3) per phase, BENCH_ROUNDS (default 3),
// BENCH_ROUTE (kafka | pulsar | dual | all, default all), BENCH_LANES (the facade's Kafka producer lanes), BENCH_PRODUCER (kafkajs | wire: the
// facade's Kafka producer), BENCH_PROFILE=<file.cpuprofile> (CPU profile of this
// process, i.e. the servers, during the single-record phases), BENCH_PROFILE_STREAM=<file> (the same for V).
// Prints every figure, how many broker sends carried the single-record requests, the load average, and one
// JSON line per client count, and the summary (with its JSON line). Not a test: nothing is asserted. The topics (and their Pulsar targets) are deleted afterwards.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { cliLogger } from '../src/cli/logger.js';
import { loadConfig } from '../src/config/index.js';
import type { Route } from '../src/facade/route-table.js';
import { startFacade, type RunningFacade } from '../src/facade/start.js';
import { applyPlan, KnownState, planTopic } from '../src/mirror/provision.js';
import { PROVENANCE, toPulsarMessage } from '../src/mirror/record-mapping.js';
import { TOPIC_DEFAULTS } from '../src/config/defaults.js';
import { KafkaCluster } from '../src/kafka/wire/cluster.js';
import { KafkaWireProducer, type PartitionBatch } from '../src/kafka/wire/producer.js';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { PulsarClient } from '../src/pulsar/client/index.js';
import { CpuMeter } from './cpu-meter.js';
import type { LoadJob, LoadResult } from './facade-load.js';

const brokers = (process.env.K2P_KAFKA_BROKERS ?? 'localhost:9092').split(',');
const serviceUrl = process.env.K2P_PULSAR_URL ?? 'pulsar://localhost:6650';
const adminUrl = process.env.K2P_PULSAR_ADMIN_URL ?? 'http://localhost:8080';
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
/** Client counts measured one after another in this run (BENCH_CONCURRENCY, comma-separated). */
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '8,64,128').split(',').map((c) => {
  const n = Number(c.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_CONCURRENCY: "${c}" is not a positive integer (expected e.g. 8 or 8,64,128)`);
  return n;
});
/** The client count being measured now (one measure() at a time; topic names carry it). */
let concurrency = concurrencies[0]!;
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const which = process.env.BENCH_ROUTE ?? 'all';
const routes: Route[] = which === 'all' ? ['kafka', 'pulsar', 'dual'] : [which as Route];
/** The facade's Kafka producer lanes (routes kafka and dual); default the facade's. */
const lanes = process.env.BENCH_LANES === undefined ? undefined : Number(process.env.BENCH_LANES);
/** The facade's Kafka producer (kafkajs | wire); default the facade's. */
const kafkaProducer = process.env.BENCH_PRODUCER as 'kafkajs' | 'wire' | undefined;
const PARTITIONS = 4;
const run = randomUUID().slice(0, 8);
const topicOf = (route: Route) => `bench-facade-${run}-c${concurrency}-${route}`;
const pulsarOf = (route: Route) => `persistent://public/default/${topicOf(route)}-p`;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

interface Rate {
  calls: number;
  units: number;
  seconds: number;
}
const perSecond = (r: Rate) => r.calls / r.seconds;
const unitsPerSecond = (r: Rate) => r.units / r.seconds;
const add = (a: Rate, b: Rate): Rate => ({ calls: a.calls + b.calls, units: a.units + b.units, seconds: a.seconds + b.seconds });
const none: Rate = { calls: 0, units: 0, seconds: 0 };

/** Runs `one` from `concurrency` loops for `ms`; one returns the units it did (records). */
async function load(ms: number, one: () => Promise<number>): Promise<Rate> {
  const end = Date.now() + ms;
  let calls = 0;
  let units = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const n = await one(); // not `units += await one()`: that reads units before the await and loses the other loops' counts
        units += n;
        calls++;
      }
    }),
  );
  return { calls, units, seconds: (performance.now() - started) / 1000 };
}

/** Runs one job in the load-generator process; throws on the first failed request. */
function driver(child: ChildProcess): (job: LoadJob) => Promise<LoadResult> {
  let queue: Promise<unknown> = Promise.resolve();
  return (job) => {
    const next = queue.then(
      () =>
        new Promise<LoadResult>((resolve, reject) => {
          child.once('message', (m: LoadResult) => (m.failure !== undefined ? reject(new Error(`${job.url}: ${m.failure}`)) : resolve(m)));
          child.send(job);
        }),
    );
    queue = next.catch(() => undefined);
    return next;
  };
}

/** A CPU profile of this process between start and stop, written to `file` (none without one). */
async function profiler(file: string | undefined): Promise<{ start(): Promise<void>; stop(): Promise<void> }> {
  if (!file) return { start: async () => undefined, stop: async () => undefined };
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  return {
    start: async () => void (await session.post('Profiler.start')),
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Every phase at the current concurrency; prints its figures and returns them (the JSON line). */
async function measure(): Promise<Measured> {
  const kafka = new Kafka({ brokers, clientId: 'k2p-bench-facade', logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ topics: routes.map((r) => ({ topic: topicOf(r), numPartitions: PARTITIONS })), waitForLeaders: true });
  const admin = new PulsarAdmin({ url: adminUrl });
  for (const r of routes) await applyPlan(admin, await planTopic(admin, { name: topicOf(r), partitions: PARTITIONS }, pulsarOf(r), new KnownState(admin)));

  const dir = mkdtempSync(join(tmpdir(), 'k2p-bench-facade-'));
  writeFileSync(join(dir, 'c.yaml'), `connectors:\n  k: { kind: kafka, brokers: ${JSON.stringify(brokers)} }\n  p: { kind: pulsar, serviceUrl: "${serviceUrl}", adminUrl: "${adminUrl}" }\n`);
  const mappings = routes.map((r) => `  - match: ${topicOf(r)}\n    to: persistent://public/default/{topic}-p\n    route: ${r}\n`).join('');
  writeFileSync(join(dir, 'm.yaml'), `source: k\ntarget: p\ntopics:\n${mappings}`);
  const config = loadConfig([join(dir, 'c.yaml'), join(dir, 'm.yaml')]);
  // The logger `k2p facade` runs with (level K2P_LOG_LEVEL, default info): its cost per request is measured too.
  const facade: RunningFacade = await startFacade(config, { port: 0, logger: cliLogger(config), producerLanes: lanes, kafkaProducer });

  const noop = Fastify();
  noop.get('/noop', async () => ({}));
  const noopUrl = await noop.listen({ port: 0, host: '127.0.0.1' });

  const loadgen = fork(new URL('./facade-load.ts', import.meta.url));
  const drive = driver(loadgen);
  const json = 'application/vnd.kafka.json.v2+json';
  const single = JSON.stringify({ records: [{ key: 'k', value: { n: 1, text: 'hello' } }] });
  const keyless = JSON.stringify({ records: [{ value: { n: 1, text: 'hello' } }] });
  const hundred = JSON.stringify({ records: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: { n: i, text: 'hello' } })) });
  const produce = (route: Route, body: string, records: number, ms: number) =>
    drive({ kind: 'requests', url: `${facade.url}/topics/${topicOf(route)}`, method: 'POST', headers: { 'content-type': json }, body, records, ms, concurrency });
  const noopCall = (ms: number) => drive({ kind: 'requests', url: `${noopUrl}/noop`, method: 'GET', headers: {}, records: 1, ms, concurrency });
  // Warm-up: producers (every lane's) connected, metadata cached, JIT.
  for (const r of routes) for (const body of [single, keyless]) await produce(r, body, 1, 300);
  await noopCall(500);

  // N and each route's S interleaved: every ratio compares the same slices of time.
  const slice = (seconds * 1000) / rounds;
  let N = none;
  const S = new Map<Route, Rate>(routes.map((r) => [r, none]));
  const Sr = new Map<Route, Rate>(routes.map((r) => [r, none]));
  const sends = new Map<Route, number>(routes.map((r) => [r, 0]));
  const sendsR = new Map<Route, number>(routes.map((r) => [r, 0]));
  /** Runs a phase and adds the broker sends it made to `to`. */
  const counted = async (r: Route, to: Map<Route, number>, phase: () => Promise<Rate>): Promise<Rate> => {
    const before = await sendStats(facade, r);
    const rate = await phase();
    to.set(r, to.get(r)! + (await sendStats(facade, r)) - before);
    return rate;
  };
  const load1 = loadavg()[0]!;
  const prof = await profiler(process.env.BENCH_PROFILE);
  await prof.start();
  for (let i = 0; i < rounds; i++) {
    N = add(N, await noopCall(slice));
    for (const r of routes) {
      S.set(r, add(S.get(r)!, await counted(r, sends, () => produce(r, single, 1, slice))));
      Sr.set(r, add(Sr.get(r)!, await counted(r, sendsR, () => produce(r, keyless, 1, slice))));
    }
  }
  await prof.stop();

  const B = new Map<Route, Rate>();
  for (const r of routes) B.set(r, await produce(r, hundred, 100, seconds * 1000));

  // The native producers: K and P measured in two halves, just before and just after the V phases (the
  // machine is shared: a single measurement afterwards can hit someone else's burst), and averaged.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const messages = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n: i, text: 'hello' }) }));
  const kafkaNative = (ms: number) =>
    load(ms, async () => {
      await producer.send({ topic: topicOf(routes[0]!), acks: -1, messages });
      return 100;
    });
  // K': our producer, the 100 records dealt over the partitions (the broker's work as for kafkajs's keys).
  const wireCluster = new KafkaCluster(brokers, { clientId: 'k2p-bench-facade' });
  const wireProducer = new KafkaWireProducer(wireCluster);
  const wireBatches: PartitionBatch[] = Array.from({ length: PARTITIONS }, (_, partition) => ({
    partition,
    records: messages
      .filter((_, i) => i % PARTITIONS === partition)
      .map((m) => ({ key: Buffer.from(m.key), value: Buffer.from(m.value), timestamp: Date.now(), headers: [] })),
  }));
  const wireNative = (ms: number) =>
    load(ms, async () => {
      const outcomes = await wireProducer.send(topicOf(routes[0]!), wireBatches);
      const failed = outcomes.find((o) => o.error);
      if (failed?.error) throw failed.error;
      return 100;
    });
  const nativeTopic = `persistent://public/default/bench-facade-${run}-c${concurrency}-native`;
  const client = new PulsarClient({ serviceUrl });
  const pulsarProducer = routes.some((r) => r !== 'kafka') ? await client.createProducer({ topic: nativeTopic, batchingMaxDelayMs: 1 }) : undefined;
  const payload = Buffer.from(JSON.stringify({ n: 1, text: 'hello' }));
  const pulsarNative = (ms: number) =>
    load(ms, async () => {
      await Promise.all(Array.from({ length: 100 }, (_, i) => pulsarProducer!.send({ key: `k${i}`, payload })));
      return 100;
    });
  // P': what the mapping stores for these records (the producer numbers them itself, as an application's would).
  const mapped = messages.map((m, i) => {
    const msg = toPulsarMessage(
      { topic: topicOf(routes[0]!), partition: 0, offset: String(i), key: Buffer.from(m.key), value: Buffer.from(m.value), timestamp: String(Date.now()), headers: [] },
      { provenance: TOPIC_DEFAULTS.provenance, headerEncoding: TOPIC_DEFAULTS.headersEncoding, binaryKeys: TOPIC_DEFAULTS.keysBinary },
    );
    // sequenceId is left out by copying the other fields, not by `delete`: a deleted property turns the
    // object into a slow dictionary, and every `{ ...msg }` below then cost P' a quarter of its throughput.
    const { payload, properties, eventTime, key, orderingKey } = msg;
    return { payload, properties, eventTime, key, orderingKey };
  });
  const pulsarMappedNative = (ms: number) =>
    load(ms, async () => {
      await Promise.all(mapped.map((msg) => pulsarProducer!.send({ ...msg })));
      return 100;
    });
  // D: route dual's work done natively. The mapping's messages (as P') at the offsets Kafka gave, to the same
  // partition of a partitioned topic, the properties copied per record as the mapping builds them.
  const dualNativeTopic = `persistent://public/default/bench-facade-${run}-c${concurrency}-native-dual`;
  if (routes.includes('dual')) await applyPlan(admin, await planTopic(admin, { name: `${topicOf('dual')}-native`, partitions: PARTITIONS }, dualNativeTopic, new KnownState(admin)));
  const dualProducer = routes.includes('dual') ? await client.createProducer({ topic: dualNativeTopic, batchingMaxDelayMs: 1, maxPendingMessages: 10_000 }) : undefined;
  // Each loop keeps one round's Pulsar sends on their way while Kafka takes its next round (as route dual
  // does): awaiting both sides in a row would make D a latency figure.
  const kafkaTopic = topicOf(routes[0]!);
  if (Object.keys(PROVENANCE).length !== 3 || PROVENANCE.topic !== 'k2p.topic' || PROVENANCE.partition !== 'k2p.partition' || PROVENANCE.offset !== 'k2p.offset') throw new Error('D writes the provenance properties by name: update it');
  const dualNative = async (ms: number): Promise<Rate> => {
    const end = Date.now() + ms;
    let calls = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        let previous: Promise<unknown> = Promise.resolve();
        while (Date.now() < end) {
          const outcomes = await wireProducer.send(kafkaTopic, wireBatches);
          const sends: Promise<unknown>[] = [];
          for (const o of outcomes) {
            if (o.error) throw o.error;
            const batch = wireBatches[o.partition]!;
            for (let j = 0; j < batch.records.length; j++) {
              const template = mapped[j * PARTITIONS + o.partition]!;
              const offset = o.baseOffset + j;
              // Fields and properties written out: spreading with computed keys made slow dictionary objects.
              const properties = { 'k2p.topic': kafkaTopic, 'k2p.partition': String(o.partition), 'k2p.offset': String(offset) };
              const { payload, key, orderingKey, eventTime } = template;
              sends.push(dualProducer!.send({ payload, key, orderingKey, eventTime, properties, sequenceId: BigInt(offset), partition: o.partition }));
            }
          }
          await previous;
          previous = Promise.all(sends);
          calls++;
        }
        await previous;
      }),
    );
    return { calls, units: calls * 100, seconds: (performance.now() - started) / 1000 };
  };
  // Round trips of one record, one send at a time (our producers, no HTTP): a produce request is answered
  // only once its record is stored, so C clients get at most C / round trip req/s, however the facade is
  // built (route dual waits for Kafka's offset before it can send to Pulsar: both round trips in a row).
  const rttPulsar = routes.some((r) => r !== 'kafka') ? await client.createProducer({ topic: nativeTopic, batching: false }) : undefined;
  const oneRecord: PartitionBatch[] = [{ partition: 0, records: [{ key: Buffer.from('k'), value: payload, timestamp: Date.now(), headers: [] }] }];
  const roundTrip = async (send: () => Promise<unknown>): Promise<number> => {
    const took: number[] = [];
    const end = Date.now() + 1000;
    while (Date.now() < end) {
      const t = performance.now();
      await send();
      took.push(performance.now() - t);
    }
    took.sort((a, b) => a - b);
    return took[Math.floor(took.length / 2)]!;
  };
  const rttKafka = await roundTrip(async () => {
    const [o] = await wireProducer.send(topicOf(routes[0]!), oneRecord);
    if (o?.error) throw o.error;
  });
  const rttPulsarMs = rttPulsar ? await roundTrip(() => rttPulsar.send({ key: 'k', payload })) : undefined;
  await rttPulsar?.close();

  const half = (seconds * 1000) / 2;
  // CPU per record of the native producers (this process) and of the brokers, over both halves.
  const units = (r: Rate) => r.units;
  const wireCpu = new CpuMeter();
  const mappedCpu = new CpuMeter();
  const dualCpu = new CpuMeter();
  const K1 = await kafkaNative(half);
  const W1 = await wireCpu.measure(() => wireNative(half), units);
  const P1 = pulsarProducer ? await pulsarNative(half) : undefined;
  const M1 = pulsarProducer ? await mappedCpu.measure(() => pulsarMappedNative(half), units) : undefined;
  const D1 = dualProducer ? await dualCpu.measure(() => dualNative(half), units) : undefined;

  // v3 streaming: C requests at once, each streaming 100-record chunks for the phase duration.
  const cluster = ((await (await fetch(`${facade.url}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0]!.cluster_id;
  const line = `${JSON.stringify({ key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { n: 1, text: 'hello' } } })}\n`;
  const V = new Map<Route, number>();
  /**
   * CPU per record streamed: this process (the facade: the native producers are idle then), the load
   * generator, the brokers.
   */
  const Vcpu = new Map<Route, { meter: CpuMeter; load: number }>();
  const streamProf = await profiler(process.env.BENCH_PROFILE_STREAM);
  await streamProf.start();
  for (const r of routes) {
    const meter = new CpuMeter();
    const v = await meter.measure(() => drive({ kind: 'stream', url: `${facade.url}/v3/clusters/${cluster}/topics/${topicOf(r)}/records`, chunk: line.repeat(100), ms: seconds * 1000, concurrency }), units);
    V.set(r, unitsPerSecond(v));
    Vcpu.set(r, { meter, load: v.cpuMicros / v.units });
  }
  await streamProf.stop();
  loadgen.disconnect();

  const K2 = await kafkaNative(half);
  const W2 = await wireCpu.measure(() => wireNative(half), units);
  const P2 = pulsarProducer ? await pulsarNative(half) : undefined;
  const M2 = pulsarProducer ? await mappedCpu.measure(() => pulsarMappedNative(half), units) : undefined;
  const D2 = dualProducer ? await dualCpu.measure(() => dualNative(half), units) : undefined;
  const K = add(K1, K2);
  const W = add(W1, W2);
  wireCluster.close();
  const P = P1 && P2 ? add(P1, P2) : undefined;
  const M = M1 && M2 ? add(M1, M2) : undefined;
  const D = D1 && D2 ? add(D1, D2) : undefined;
  await producer.disconnect();
  await pulsarProducer?.close();
  await dualProducer?.close();
  await client.close();
  if (pulsarProducer) await admin.topics.delete(nativeTopic, { force: true }).catch(() => undefined);
  if (dualProducer) await admin.topics.delete(dualNativeTopic, { force: true }).catch(() => undefined);

  const n = perSecond(N);
  console.log(`${concurrency} concurrent keep-alive clients in a separate load process, ${seconds} s per phase (N, S and Sr in ${rounds} interleaved slices), ${PARTITIONS} partitions, ${facade.core.kafka.lanes} Kafka producer lane(s) (${facade.core.kafka.producer}), load average ${load1.toFixed(1)} before S, ${loadavg()[0]!.toFixed(1)} at the end`);
  console.log(`N  no-op fastify route                ${fmt(n)} req/s`);
  // The most C clients can get when each waits for its record's round trip(s), as a share of N.
  const bound = (ms: number) => `${fmt((concurrency * 1000) / ms)} req/s = ${((concurrency * 1000) / ms / n).toFixed(3)} N`;
  const rttLine = [`Kafka ${rttKafka.toFixed(2)} ms (C / RTT ${bound(rttKafka)})`];
  if (rttPulsarMs !== undefined) rttLine.push(`Pulsar ${rttPulsarMs.toFixed(2)} ms (${bound(rttPulsarMs)})`, `both in a row ${bound(rttKafka + rttPulsarMs)}`);
  console.log(`RTT one record, one send at a time, median: ${rttLine.join('; ')}`);
  const out: Record<string, unknown> = { bench: 'facade', loadgen: 'process', loadAverage: [load1, loadavg()[0]], concurrency, lanes: facade.core.kafka.lanes, kafkaProducer: facade.core.kafka.producer, seconds, rounds, noopReqPerSec: n, nativeRecordsPerSec: unitsPerSecond(K), nativeHalves: [unitsPerSecond(K1), unitsPerSecond(K2)], wireNativeRecordsPerSec: unitsPerSecond(W), pulsarNativeRecordsPerSec: P ? unitsPerSecond(P) : undefined, pulsarMappedNativeRecordsPerSec: M ? unitsPerSecond(M) : undefined, dualNativeRecordsPerSec: D ? unitsPerSecond(D) : undefined, roundTripMs: { kafka: rttKafka, pulsar: rttPulsarMs }, routes: {} };
  for (const r of routes) {
    const s = perSecond(S.get(r)!);
    const v = V.get(r)!;
    const carried = S.get(r)!.calls;
    console.log(`-- route ${r}`);
    console.log(`S  single-record JSON produce, one key ${fmt(s)} req/s   S/N = ${(s / n).toFixed(3)} (target >= 0.5)   ${fmt(carried)} requests in ${fmt(sends.get(r)!)} broker sends`);
    const sr = perSecond(Sr.get(r)!);
    console.log(`Sr single-record JSON produce, no key  ${fmt(sr)} req/s   Sr/N = ${(sr / n).toFixed(3)} (target >= 0.5)   ${fmt(Sr.get(r)!.calls)} requests in ${fmt(sendsR.get(r)!)} broker sends`);
    console.log(`B  100-record v2 requests             ${fmt(unitsPerSecond(B.get(r)!))} records/s (${fmt(perSecond(B.get(r)!))} req/s)`);
    // Routes pulsar and dual also against our Pulsar producer: the native producer of the side they write.
    const vp = r !== 'kafka' && P ? v / unitsPerSecond(P) : undefined;
    const vm = r !== 'kafka' && M ? v / unitsPerSecond(M) : undefined;
    // Route dual stores the records on both sides: against the slower side's native producer writing only its own.
    const vd = r === 'dual' && M ? v / Math.min(unitsPerSecond(W), unitsPerSecond(M)) : undefined;
    // ... and against the native dual writer doing the same work (both sides, offsets as sequence ids).
    const vdd = r === 'dual' && D ? v / unitsPerSecond(D) : undefined;
    const vw = v / unitsPerSecond(W);
    // The route's target ceiling is the first of CEILINGS (see there); the others are printed beside it.
    const ratioOf = (name: string, x: number) => `V/${name} = ${x.toFixed(3)}${CEILINGS[r][0]!.name === name ? ' (target >= 0.5)' : ''}`;
    const vLine = [ratioOf('K', v / unitsPerSecond(K)), ratioOf("K'", vw)];
    if (vp !== undefined) vLine.push(ratioOf('P', vp), ratioOf("P'", vm!));
    if (vd !== undefined) vLine.push(ratioOf("min(K',P')", vd));
    if (vdd !== undefined) vLine.push(ratioOf('D', vdd));
    const cpu = Vcpu.get(r)!;
    console.log(`V  v3 streaming                       ${fmt(v)} records/s   ${vLine.join('   ')}`);
    console.log(`   CPU µs a record streamed: facade ${cpu.meter.ownPerRecord.toFixed(2)}, load generator ${cpu.load.toFixed(2)}${cpu.meter.brokersText() ? `, ${cpu.meter.brokersText()}` : ''}`);
    (out.routes as Record<string, unknown>)[r] = { singleReqPerSec: s, singleVsNoop: s / n, singleRequests: carried, singleBrokerSends: sends.get(r), keylessReqPerSec: sr, keylessVsNoop: sr / n, keylessBrokerSends: sendsR.get(r), batchRecordsPerSec: unitsPerSecond(B.get(r)!), streamRecordsPerSec: v, streamCpuMicrosPerRecord: cpu.meter.json({ facade: cpu.meter.ownPerRecord, loadGenerator: cpu.load }), streamVsNative: v / unitsPerSecond(K), streamVsWireNative: vw, streamVsPulsarNative: vp, streamVsPulsarMappedNative: vm, streamVsSlowerSide: vd, streamVsDualNative: vdd };
  }
  console.log(`K  native producer (kafkajs)          ${fmt(unitsPerSecond(K))} records/s (before V ${fmt(unitsPerSecond(K1))}, after V ${fmt(unitsPerSecond(K2))})`);
  console.log(`K' native producer (ours, wire)      ${fmt(unitsPerSecond(W))} records/s (before V ${fmt(unitsPerSecond(W1))}, after V ${fmt(unitsPerSecond(W2))})`);
  const nativeCpu = (m: CpuMeter) => `   CPU µs a record: producer ${m.ownPerRecord.toFixed(2)}${m.brokersText() ? `, ${m.brokersText()}` : ''}`;
  console.log(nativeCpu(wireCpu));
  if (P && P1 && P2) console.log(`P  native producer (our Pulsar client) ${fmt(unitsPerSecond(P))} records/s (before V ${fmt(unitsPerSecond(P1))}, after V ${fmt(unitsPerSecond(P2))})`);
  if (M && M1 && M2) {
    console.log(`P' the same, the mapping's messages    ${fmt(unitsPerSecond(M))} records/s (before V ${fmt(unitsPerSecond(M1))}, after V ${fmt(unitsPerSecond(M2))})`);
    console.log(nativeCpu(mappedCpu));
  }
  if (D && D1 && D2) {
    console.log(`D  native dual writer (K' then P')     ${fmt(unitsPerSecond(D))} records/s (before V ${fmt(unitsPerSecond(D1))}, after V ${fmt(unitsPerSecond(D2))})`);
    console.log(nativeCpu(dualCpu));
  }
  console.log(JSON.stringify(out));
  const measured: Measured = {
    concurrency,
    n,
    routes: new Map(routes.map((r) => [r, { s: perSecond(S.get(r)!), sr: perSecond(Sr.get(r)!), v: V.get(r)! }])),
    natives: { K: unitsPerSecond(K), "K'": unitsPerSecond(W), P: P && unitsPerSecond(P), "P'": M && unitsPerSecond(M), D: D && unitsPerSecond(D) },
  };

  await noop.close();
  await facade.close();
  await kafkaAdmin.deleteTopics({ topics: routes.map(topicOf) }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  for (const r of routes) await admin.topics.delete(pulsarOf(r), { force: true }).catch(() => undefined);
  return measured;
}

/** Broker sends that carried produce requests so far on a route's topic (route pulsar: partition batches sent). */
async function sendStats(facade: RunningFacade, route: Route): Promise<number> {
  const topic = topicOf(route);
  if (route === 'kafka') return facade.core.kafka.batchStats(topic)?.sends ?? 0;
  if (route === 'dual') return facade.core.dual.batchStats(topic)?.sends ?? 0;
  return facade.core.pulsar.flushStats(pulsarOf(route));
}

/** One concurrency's figures, for the summary. */
interface Measured {
  concurrency: number;
  /** N, req/s. */
  n: number;
  /** Per route: S and Sr (req/s), V (records/s). */
  routes: Map<Route, { s: number; sr: number; v: number }>;
  /** Native producers, records/s (P, P' and D only when a route writes Pulsar / route dual runs). */
  natives: { K: number; "K'": number; P?: number; "P'"?: number; D?: number };
}

/** The largest of a figure over the concurrencies measured, and where it was. */
function peak(all: Measured[], figure: (m: Measured) => number | undefined): { value: number; at: number } | undefined {
  let best: { value: number; at: number } | undefined;
  for (const m of all) {
    const value = figure(m);
    if (value !== undefined && (!best || value > best.value)) best = { value, at: m.concurrency };
  }
  return best;
}

/**
 * The native producers each route's V is held to, the first being its target: route kafka K' (the facade's
 * own producer, faster than kafkajs), route pulsar P' (the same messages), route dual D (the same work done
 * natively). The stricter figures follow it: P (bare messages), and the slower side written alone for dual.
 */
const CEILINGS: Record<Route, { name: string; of: (m: Measured) => number | undefined }[]> = {
  kafka: [
    { name: "K'", of: (m) => m.natives["K'"] },
    { name: 'K', of: (m) => m.natives.K },
  ],
  pulsar: [
    { name: "P'", of: (m) => m.natives["P'"] },
    { name: 'P', of: (m) => m.natives.P },
  ],
  dual: [
    { name: 'D', of: (m) => m.natives.D },
    { name: "min(K',P')", of: (m) => (m.natives["P'"] === undefined ? undefined : Math.min(m.natives["K'"], m.natives["P'"])) },
  ],
};

/**
 * Each target read two ways over the whole run: at each concurrency (the same clients on both sides), and
 * peak against peak (each figure at the client count where it is highest: the throughput each path reaches
 * on this machine).
 */
function summarize(all: Measured[]): void {
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? (a / b).toFixed(3) : '-');
  console.log(`\n== summary: ${all.map((m) => m.concurrency).join(', ')} clients in this run (targets: S/N, Sr/N, V/native >= 0.5; the first native is the target, the others stricter)`);
  for (const m of all) {
    const cells = [...m.routes].map(([r, f]) => {
      const vs = CEILINGS[r].map((c) => `V/${c.name} ${ratio(f.v, c.of(m))}`);
      return `${r}: S/N ${ratio(f.s, m.n)} Sr/N ${ratio(f.sr, m.n)} ${vs.join(' ')}`;
    });
    console.log(`  ${String(m.concurrency).padStart(4)} clients  N ${fmt(m.n)}  |  ${cells.join('  |  ')}`);
  }
  const n = peak(all, (m) => m.n)!;
  console.log(`  peak against peak: N ${fmt(n.value)} req/s (at ${n.at})`);
  const json: Record<string, unknown> = { bench: 'facade-summary', concurrencies: all.map((m) => m.concurrency), noopPeak: n, routes: {} };
  for (const r of all[0]!.routes.keys()) {
    const s = peak(all, (m) => m.routes.get(r)?.s)!;
    const sr = peak(all, (m) => m.routes.get(r)?.sr)!;
    const v = peak(all, (m) => m.routes.get(r)?.v)!;
    const natives = CEILINGS[r].map((c) => ({ name: c.name, best: peak(all, c.of)! }));
    const vs = natives.map((x) => `V/${x.name} ${ratio(v.value, x.best.value)} (${x.name} ${fmt(x.best.value)} at ${x.best.at})`);
    console.log(`  route ${r.padEnd(6)}  S ${fmt(s.value)} (at ${s.at}) = ${ratio(s.value, n.value)} N   Sr ${fmt(sr.value)} (at ${sr.at}) = ${ratio(sr.value, n.value)} N   V ${fmt(v.value)} (at ${v.at}): ${vs.join(', ')}`);
    (json.routes as Record<string, unknown>)[r] = { single: s, singleVsNoop: s.value / n.value, keyless: sr, keylessVsNoop: sr.value / n.value, stream: v, streamVs: Object.fromEntries(natives.map((x) => [x.name, v.value / x.best.value])) };
  }
  console.log(JSON.stringify(json));
}

const all: Measured[] = [];
for (const c of concurrencies) {
  concurrency = c;
  if (all.length > 0) console.log('');
  all.push(await measure());
}
summarize(all);
