// `npm run demo`: brings the local stack up and shows the gateway's current main path end to end:
// records written to Kafka are copied partition for partition into Pulsar by our own Pulsar client,
// then read back by the official Pulsar client (Python, C++ core) as the referee.
// (The full migration demo — mirror, schemas, offsets, cutover — grows here as those parts land.)
import { spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { main as stack, stackOptions } from '../stack/cli.js';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { PulsarClient } from '../src/pulsar/client/index.js';
import { runReferee } from '../test/helpers/python.js';

const say = (text: string) => console.log(`\n== ${text}`);

say('local stack: Kafka, Pulsar, Schema Registry, Redis (first run downloads the jars)');
if (spawnSync('bash', ['scripts/setup-python.sh'], { stdio: 'inherit' }).status !== 0) process.exit(1);
if ((await stack(['up'])) !== 0) process.exit(1);

const options = stackOptions();
const stamp = Date.now();
const kafkaTopic = `demo.orders.${stamp}`;
const pulsarTopic = `persistent://public/default/demo-orders-${stamp}`;
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

say(`Pulsar: ${pulsarTopic} with the same 3 partitions, then copy partition p → partition p`);
const admin = new PulsarAdmin({ url: `http://localhost:${options.pulsarAdminPort}` });
await admin.topics.createPartitioned(pulsarTopic, 3);
await admin.subscriptions.create(pulsarTopic, 'referee', 'earliest');
const pulsar = new PulsarClient({ serviceUrl: `pulsar://localhost:${options.pulsarPort}` });
const pulsarProducer = await pulsar.createProducer({ topic: pulsarTopic });
const consumer = kafka.consumer({ groupId: `k2p-demo-${stamp}` });
await consumer.connect();
await consumer.subscribe({ topic: kafkaTopic, fromBeginning: true });
let copied = 0;
await new Promise<void>((resolve, reject) => {
  consumer
    .run({
      eachMessage: async ({ partition, message }) => {
        await pulsarProducer.send({
          partition,
          key: message.key?.toString(), // the mirror will keep non-UTF-8 keys as bytes; the demo's are text
          payload: message.value,
          eventTime: Number(message.timestamp),
          properties: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
        if (++copied === 12) resolve();
      },
    })
    .catch(reject);
});
await consumer.disconnect();
await kafkaAdmin.disconnect();
await pulsarProducer.close();
await pulsar.close();
console.log(`copied ${copied} records`);

say('the official Pulsar client reads them back');
const { lines } = await runReferee<{ topic: string; key: string; payload_b64: string; event_time: number; properties: Record<string, string> }>(
  'pulsar_referee.py',
  ['--service-url', `pulsar://localhost:${options.pulsarPort}`, 'consume', pulsarTopic, '-s', 'referee', '-n', '12'],
);
for (const m of lines) {
  console.log(`${m.topic.slice(m.topic.lastIndexOf('-partition-') + 1)}  key=${m.key}  ${Buffer.from(m.payload_b64, 'base64').toString()}  eventTime=${m.event_time}  ${JSON.stringify(m.properties)}`);
}
await admin.topics.delete(pulsarTopic, { force: true });
say(`done: ${lines.length} of 12 records read back by the official client. The stack keeps running: npm run stack -- down`);
