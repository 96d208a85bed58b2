// A mirror in its own process, for fault tests that kill it with SIGKILL:
//   tsx test/helpers/mirror-process.ts '<json: {source, target, groupId}>'
// Prints one JSON line per progress tick; runs until SIGTERM/SIGINT (then stops cleanly) or SIGKILL.
import { Kafka, logLevel } from 'kafkajs';
import { Mirror } from '../../src/mirror/mirror.js';
import { PulsarClient } from '../../src/pulsar/client/index.js';
import { STACK } from './stack.js';

const { source, target, groupId } = JSON.parse(process.argv[2] ?? '{}') as { source: string; target: string; groupId: string };
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-mirror-process', logLevel: logLevel.NOTHING });
const pulsar = new PulsarClient({
  serviceUrl: STACK.pulsarServiceUrl,
  logger: {
    debug: () => undefined,
    info: (o, m) => console.error(JSON.stringify({ event: m, ...o })),
    warn: (o, m) => console.error(JSON.stringify({ event: m, ...o })),
    error: (o, m) => console.error(JSON.stringify({ event: m, ...o })),
  },
});
const mirror = new Mirror({
  kafka,
  pulsar,
  groupId,
  topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }],
  log: (event, fields) => console.error(JSON.stringify({ event, ...fields })),
});
await mirror.start();
const tick = setInterval(() => {
  const records = mirror.status().reduce((n, p) => n + p.records, 0);
  console.log(JSON.stringify({ records }));
}, 200);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    clearInterval(tick);
    void mirror
      .stop()
      .then(() => pulsar.close())
      .then(() => process.exit(0));
  });
}
