// `npm run demo`: brings the local stack up and runs the gateway's main job end to end on it: keyed
// records with headers written to Kafka are mirrored partition for partition into Pulsar (planned,
// provisioned and mirrored from config files, effectively once), then read back by the official Pulsar
// client (Python, C++ core) as the referee. (Schemas, offsets, verify and cutover join as they land.)
import { spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { main as stack, stackOptions } from '../stack/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { Mirror } from '../src/mirror/mirror.js';
import { applyPlan, describePlan } from '../src/mirror/provision.js';
import { closePair, mirrorPairs, planPair } from '../src/mirror/setup.js';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { runReferee } from '../test/helpers/python.js';

const say = (text: string) => console.log(`\n== ${text}`);

say('local stack: Kafka, Pulsar, Schema Registry, Redis (first run downloads the jars)');
if (spawnSync('bash', ['scripts/setup-python.sh'], { stdio: 'inherit' }).status !== 0) process.exit(1);
if ((await stack(['up'])) !== 0) process.exit(1);

const options = stackOptions();
const stamp = Date.now();
const kafkaTopic = `demo.orders.${stamp}`;
const pulsarTopic = `persistent://public/default/${kafkaTopic}`;
const kafka = new Kafka({ brokers: [`localhost:${options.kafkaPort}`], clientId: 'k2p-demo', logLevel: logLevel.NOTHING });

say(`Kafka: 12 keyed records with headers into ${kafkaTopic} (3 partitions)`);
const kafkaAdmin = kafka.admin();
await kafkaAdmin.connect();
await kafkaAdmin.createTopics({ topics: [{ topic: kafkaTopic, numPartitions: 3 }], waitForLeaders: true });
const producer = kafka.producer();
await producer.connect();
await producer.send({
  topic: kafkaTopic,
  messages: Array.from({ length: 12 }, (_, i) => ({
    key: `customer-${i % 4}`,
    value: JSON.stringify({ order: i, amount: 10 + i }),
    headers: { source: 'demo' },
    timestamp: String(1_700_000_000_000 + i),
  })),
});
await producer.disconnect();

say(`the mirror: mapping ${kafkaTopic} → ${pulsarTopic} (connectors/local.yaml + a mapping file), plan, apply, run`);
const dir = mkdtempSync(join(tmpdir(), 'k2p-demo-'));
const mappingFile = join(dir, 'demo.yaml');
writeFileSync(mappingFile, `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: ${kafkaTopic}\n    to: persistent://public/default/{topic}\n`);
const config = loadConfig(['connectors/local.yaml', mappingFile]);
const [pair] = mirrorPairs(config);
const planned = await planPair(config, pair!);
for (const plan of planned.plans) {
  for (const line of describePlan(plan)) console.log(`  ${line}`);
  await applyPlan(planned.admin, plan);
}
await planned.admin.subscriptions.create(pulsarTopic, 'referee', 'earliest');
const mirror = new Mirror({ kafka: planned.kafka, pulsar: planned.pulsar, topics: planned.topics, groupId: `k2p-demo-${stamp}` });
await mirror.start();
while (mirror.status().reduce((n, p) => n + p.records, 0) < 12) await new Promise((r) => setTimeout(r, 100));
await mirror.stop();
await closePair(planned);
await kafkaAdmin.disconnect();
for (const p of mirror.status()) console.log(`  partition ${p.partition}: ${p.records} records, Kafka offsets up to ${p.committedOffset} committed`);

say('the official Pulsar client reads them back');
const { lines } = await runReferee<{ topic: string; key: string; payload_b64: string; event_time: number; properties: Record<string, string> }>(
  'pulsar_referee.py',
  ['--service-url', `pulsar://localhost:${options.pulsarPort}`, 'consume', pulsarTopic, '-s', 'referee', '-n', '12'],
);
for (const m of lines) {
  console.log(`  ${m.topic.slice(m.topic.lastIndexOf('-partition-') + 1)}  key=${m.key}  ${Buffer.from(m.payload_b64, 'base64').toString()}  eventTime=${m.event_time}  ${JSON.stringify(m.properties)}`);
}
const admin = new PulsarAdmin({ url: `http://localhost:${options.pulsarAdminPort}` });
await admin.topics.delete(pulsarTopic, { force: true });
say(`done: ${lines.length} of 12 records read back by the official client. The stack keeps running: npm run stack -- down`);
