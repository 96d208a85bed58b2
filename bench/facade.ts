// `npm run bench:facade`: the REST Proxy facade against its two ceilings, one run, same machine.
//   N  = req/s of a no-op fastify route (keep-alive, C concurrent clients): the HTTP ceiling here;
//   S  = req/s of single-record JSON produce through the facade (route kafka), same clients;
//   B  = records/s with 100-record v2 requests;
//   V  = records/s of one v3 streaming request (chunked body, one report per record);
//   K  = records/s of the native producer (kafkajs, 100-record sends, same concurrency) on the same topic.
// Targets: S >= 0.5 N; V >= 0.5 K. BENCH_SECONDS (default 3) per phase, BENCH_CONCURRENCY (default 8),
// BENCH_ROUTE (kafka | pulsar | dual, default kafka). Prints every figure and ratios, then one JSON line.
// Not a test: nothing is asserted. The topic (and its Pulsar target) is deleted afterwards.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../src/config/index.js';
import type { Route } from '../src/facade/route-table.js';
import { startFacade } from '../src/facade/start.js';
import { applyPlan, KnownState, planTopic } from '../src/mirror/provision.js';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';

const brokers = (process.env.K2P_KAFKA_BROKERS ?? 'localhost:9092').split(',');
const serviceUrl = process.env.K2P_PULSAR_URL ?? 'pulsar://localhost:6650';
const adminUrl = process.env.K2P_PULSAR_ADMIN_URL ?? 'http://localhost:8080';
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const route = (process.env.BENCH_ROUTE ?? 'kafka') as Route;
const PARTITIONS = 4;
const topic = `bench-facade-${randomUUID().slice(0, 8)}`;
const pulsarTopic = `persistent://public/default/${topic}-p`;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** Runs `one` from `concurrency` loops for `seconds`; returns calls/s and units/s. */
async function load(one: () => Promise<number>): Promise<{ perSecond: number; unitsPerSecond: number }> {
  const end = Date.now() + seconds * 1000;
  let calls = 0;
  let units = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        units += await one();
        calls++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  return { perSecond: calls / elapsed, unitsPerSecond: units / elapsed };
}

async function main(): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'k2p-bench-facade', logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  const admin = new PulsarAdmin({ url: adminUrl });
  await applyPlan(admin, await planTopic(admin, { name: topic, partitions: PARTITIONS }, pulsarTopic, new KnownState(admin)));

  const dir = mkdtempSync(join(tmpdir(), 'k2p-bench-facade-'));
  writeFileSync(join(dir, 'c.yaml'), `connectors:\n  k: { kind: kafka, brokers: ${JSON.stringify(brokers)} }\n  p: { kind: pulsar, serviceUrl: "${serviceUrl}", adminUrl: "${adminUrl}" }\n`);
  writeFileSync(join(dir, 'm.yaml'), `source: k\ntarget: p\ntopics:\n  - match: ${topic}\n    to: persistent://public/default/{topic}-p\n    route: ${route}\n`);
  const facade = await startFacade(loadConfig([join(dir, 'c.yaml'), join(dir, 'm.yaml')]), { port: 0 });

  const noop = Fastify();
  noop.get('/noop', async () => ({}));
  const noopUrl = await noop.listen({ port: 0, host: '127.0.0.1' });

  const json = 'application/vnd.kafka.json.v2+json';
  const single = JSON.stringify({ records: [{ key: 'k', value: { n: 1, text: 'hello' } }] });
  const hundred = JSON.stringify({ records: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: { n: i, text: 'hello' } })) });
  const produce = async (body: string, n: number) => {
    const res = await fetch(`${facade.url}/topics/${topic}`, { method: 'POST', headers: { 'content-type': json }, body });
    if (res.status !== 200) throw new Error(`produce: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return n;
  };
  await produce(single, 1); // warm-up: producer connected, metadata cached

  const N = await load(async () => {
    const res = await fetch(`${noopUrl}/noop`);
    await res.arrayBuffer();
    return 1;
  });
  const S = await load(() => produce(single, 1));
  const B = await load(() => produce(hundred, 100));

  // v3 streaming: one request per loop, each streaming records for the phase duration.
  const cluster = ((await (await fetch(`${facade.url}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0]!.cluster_id;
  const line = `${JSON.stringify({ key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { n: 1, text: 'hello' } } })}\n`;
  const chunk = new TextEncoder().encode(line.repeat(100));
  const vStart = Date.now();
  const vEnd = vStart + seconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (Date.now() >= vEnd) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const res = await fetch(`${facade.url}/v3/clusters/${cluster}/topics/${topic}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      const text = await res.text();
      return text.split('\n').filter((l) => l.startsWith('{"error_code":200')).length;
    }),
  );
  const V = counts.reduce((a, b) => a + b, 0) / ((Date.now() - vStart) / 1000);

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const messages = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n: i, text: 'hello' }) }));
  const K = await load(async () => {
    await producer.send({ topic, acks: -1, messages });
    return 100;
  });
  await producer.disconnect();

  console.log(`route ${route}, ${concurrency} concurrent clients, ${seconds} s per phase, ${PARTITIONS} partitions`);
  console.log(`N  no-op fastify route          ${fmt(N.perSecond)} req/s`);
  console.log(`S  single-record JSON produce   ${fmt(S.perSecond)} req/s   S/N = ${(S.perSecond / N.perSecond).toFixed(2)} (target >= 0.5)`);
  console.log(`B  100-record v2 requests       ${fmt(B.unitsPerSecond)} records/s (${fmt(B.perSecond)} req/s)   B/K = ${(B.unitsPerSecond / K.unitsPerSecond).toFixed(2)}`);
  console.log(`V  v3 streaming                 ${fmt(V)} records/s   V/K = ${(V / K.unitsPerSecond).toFixed(2)} (target >= 0.5)`);
  console.log(`K  native producer (kafkajs)    ${fmt(K.unitsPerSecond)} records/s`);
  console.log(
    JSON.stringify({ bench: 'facade', route, concurrency, seconds, noopReqPerSec: N.perSecond, singleReqPerSec: S.perSecond, batchRecordsPerSec: B.unitsPerSecond, streamRecordsPerSec: V, nativeRecordsPerSec: K.unitsPerSecond, singleVsNoop: S.perSecond / N.perSecond, streamVsNative: V / K.unitsPerSecond }),
  );

  await noop.close();
  await facade.close();
  await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await admin.topics.delete(pulsarTopic, { force: true }).catch(() => undefined);
}

await main();
