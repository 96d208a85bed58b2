// `npm run demo`: the gateway's main job on the local stack, end to end. It brings the stack up, creates a
// small shop's Kafka estate (scripts/demo/estate.ts: JSON, Avro with a schema change, a compacted topic, a
// transactional one, consumer groups at different places, a producer that keeps writing), then migrates
// it as one run — plan → provision → backfill → offset sync → verify → cutover of every group — and shows
// that each group's Pulsar subscription starts exactly where its Kafka consumers stopped. Prints how long
// each phase took.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { main as stack, stackOptions } from '../stack/cli.js';
import { registryUrl } from '../stack/services/registry.js';
import { PROVENANCE } from '../src/mirror/record-mapping.js';
import { PulsarClient, partitionTopic } from '../src/pulsar/client/index.js';
import { Gateway, readConfigFiles, type Run } from '../src/runs/index.js';
import { progressLine, summarize } from '../src/runs/summary.js';
import { createEstate, keepWriting } from './demo/estate.js';

const t0 = performance.now();
const seconds = (from: number, to = performance.now()) => `${((to - from) / 1000).toFixed(1)} s`;
const say = (text: string) => console.log(`\n== ${text}`);

say('1. local stack: Kafka, Pulsar, Schema Registry, Redis (the first run downloads the jars)');
if (spawnSync('bash', ['scripts/setup-python.sh'], { stdio: 'inherit' }).status !== 0) process.exit(1);
if ((await stack(['up'])) !== 0) process.exit(1);
const stackSeconds = seconds(t0);
const options = stackOptions();
const kafka = new Kafka({ brokers: [`localhost:${options.kafkaPort}`], clientId: 'k2p-demo', logLevel: logLevel.NOTHING });

const prefix = `demo${Date.now().toString(36)}`;
say(`2. the Kafka estate of a small shop (topics ${prefix}.*)`);
const tEstate = performance.now();
const estate = await createEstate(kafka, registryUrl(options.registryPort), prefix);
console.log(`  ${estate.records.toLocaleString('en-US')} committed records in 4 topics (JSON, Avro v1 → v2, compacted, transactional with one aborted transaction)`);
for (const [name, g] of Object.entries(estate.groups)) {
  console.log(`  group ${prefix}-${name} on ${g.topic} stopped at offsets ${[...g.offsets].map(([p, o]) => `p${p}:${o}`).join(' ')}`);
}
const estateSeconds = seconds(tEstate);
const writer = keepWriting(kafka, estate.topics.orders);
console.log(`  a producer keeps writing to ${estate.topics.orders} during the migration`);

// The run's files: the local stack's connectors and a mapping of this estate (a copy of it is in
// mappings/examples/shop-estate.yaml, with "demo" as the prefix).
const dir = mkdtempSync(join(tmpdir(), 'k2p-demo-'));
const mapping = join(dir, 'estate.yaml');
writeFileSync(
  mapping,
  `source: kafka-local
target: pulsar-local
registry: registry-local
topics:
  - match: ${estate.topics.payments}
    to: persistent://demo/${prefix}/{topic}
    schema: registry
  - match: /^${prefix}\\..*/
    to: persistent://demo/${prefix}/{topic}
groups:
  - match: /^${prefix}-.*/
    subscription: "{group}"
    type: Failover
    whenNoOffset: earliest
`,
);

say('3. the migration: one run, plan → provision → backfill → sync → verify → cutover (k2p run does the same)');
const tRun = performance.now();
const gateway = new Gateway({ redisUrl: `redis://127.0.0.1:${options.redisPort}`, prefix: `k2p-demo-${prefix}` }).start();
let run: Run = await gateway.service.create({ name: prefix, files: readConfigFiles(['connectors/local.yaml', mapping]), options: { cutover: 'auto', verifySettleMs: 10_000 } });
let last = '';
while (run.status === 'active' || run.status === 'paused') {
  await new Promise((r) => setTimeout(r, 1000));
  run = (await gateway.store.get(run.id))!;
  const line = progressLine(summarize(run, await gateway.store.lag(run.id)));
  if (line !== last) console.log(`  ${line}`);
  last = line;
}
const runSeconds = seconds(tRun);
const written = await writer.stop();
if (run.status !== 'live') {
  console.error(`\nthe run ended ${run.status}: ${run.error?.code ?? ''} ${run.error?.message ?? ''}`);
  await gateway.stop();
  process.exit(1);
}
console.log(`  the run is live (Pulsar keeps being fed while the last Kafka writers move); ${written} orders were written during it`);
for (const step of ['plan', 'provision', 'backfill', 'sync', 'verify', 'cutover'] as const) {
  const s = run.steps[step];
  const took = s.startedAt !== undefined && s.finishedAt !== undefined ? seconds(s.startedAt, s.finishedAt) : '—';
  console.log(`  ${step.padEnd(9)} ${took.padStart(8)}  ${s.note ?? ''}`);
}

say('4. each group continues on Pulsar exactly where it stopped on Kafka (first message of partition 0, not acknowledged)');
const pulsar = new PulsarClient({ serviceUrl: `pulsar://localhost:${options.pulsarPort}` });
for (const [name, g] of Object.entries(estate.groups)) {
  const group = `${prefix}-${name}`;
  const target = `persistent://demo/${prefix}/${g.topic}`;
  const consumer = await pulsar.subscribe({ topic: partitionTopic(target, 0), subscription: group, subscriptionType: 'Failover' });
  const committed = g.offsets.get(0)!;
  try {
    const m = await consumer.receive(5000);
    console.log(`  ${group}: Kafka committed offset ${committed} → Pulsar delivers ${m.id.ledgerId}:${m.id.entryId}:${m.id.batchIndex}, Kafka offset ${m.properties[PROVENANCE.offset]}`);
  } catch {
    console.log(`  ${group}: Kafka committed offset ${committed} (the end of the partition) → nothing more to deliver on Pulsar`);
  }
  await consumer.close();
}
await pulsar.close();
await gateway.stop();
rmSync(dir, { recursive: true, force: true });

say(`done in ${seconds(t0)}: stack ${stackSeconds}, estate ${estateSeconds}, migration ${runSeconds}`);
console.log('The stack keeps running (npm run stack -- down stops it); the run is in Redis: k2p status --prefix k2p-demo-' + prefix);
