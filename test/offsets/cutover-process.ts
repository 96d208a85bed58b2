// A cutover in its own process, killed with SIGKILL after `crashAfter` partitions were placed (the others in
// flight): tsx test/offsets/cutover-process.ts '<json>'. The crash test runs the cutover again afterwards.
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { cutover } from '../../src/offsets/cutover.js';
import { RedisGroupStateStore } from '../../src/offsets/group-state.js';
import { KafkajsGroups } from '../../src/offsets/kafka-groups.js';
import { PulsarAdmin } from '../../src/pulsar/admin/index.js';
import { PulsarClient } from '../../src/pulsar/client/index.js';
import { STACK } from '../helpers/stack.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { source: string; target: string; mirrorGroup: string; group: string; subscription: string; scope: string; crashAfter: number };
const redis = new Redis(STACK.redisUrl);
const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-cutover-process', logLevel: logLevel.NOTHING });
let placed = 0;
await cutover(
  {
    kafka: new KafkajsGroups(kafka, 'kafka-local'),
    pulsar: new PulsarClient({ serviceUrl: STACK.pulsarServiceUrl }),
    admin: new PulsarAdmin({ url: STACK.pulsarAdminUrl }),
    store: new RedisGroupStateStore(redis, args.scope),
    targetOf: (t) => (t === args.source ? args.target : undefined),
    mirrorGroup: args.mirrorGroup,
  },
  { group: args.group, subscription: args.subscription, type: 'Failover', whenNoOffset: 'earliest' },
  {
    onPlaced: () => {
      if (++placed === args.crashAfter) process.kill(process.pid, 'SIGKILL');
    },
  },
);
console.log('finished without crashing');
process.exit(0);
