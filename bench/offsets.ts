// `npm run bench:offsets`: translating and applying many groups' offsets at once. One 10-partition topic
// (RECORDS per partition, mirrored by the real Mirror with the offset index), GROUPS Kafka groups with random
// committed offsets on every partition (set through the admin API, not timed); then, timed: plan every group
// (Kafka reads), translate all partitions (one Pulsar scan per partition for all groups), place every
// subscription (create + reset-cursor). Prints the total, each phase and the per-group cost, checks a
// sample of groups (first message = committed offset), then one JSON line. Defaults are small; the target
// figure is BENCH_GROUPS=1000 (issue #6: < 10 s). Not a test: nothing is asserted but the sample.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { Mirror } from '../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../src/mirror/provision.js';
import { applyTranslations, planGroup, RedisGroupStateStore, RedisOffsetIndex, TopicBounds, translate, KafkajsGroups, type OffsetsDeps, type PartitionRequest } from '../src/offsets/index.js';
import { mapLimit } from '../src/offsets/limit.js';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { PulsarClient, partitionTopic } from '../src/pulsar/client/index.js';

const GROUPS = Number(process.env.BENCH_GROUPS ?? 50);
const PARTITIONS = 10;
const RECORDS = Number(process.env.BENCH_RECORDS ?? 2000);
const brokers = (process.env.K2P_KAFKA_BROKERS ?? 'localhost:9092').split(',');
const admin = new PulsarAdmin({ url: process.env.K2P_PULSAR_ADMIN_URL ?? 'http://localhost:8080' });
const client = new PulsarClient({ serviceUrl: process.env.K2P_PULSAR_URL ?? 'pulsar://localhost:6650' });
const kafka = new Kafka({ brokers, clientId: 'k2p-bench-offsets', logLevel: logLevel.NOTHING });
const redis = new Redis(process.env.K2P_REDIS_URL ?? 'redis://127.0.0.1:6379');
const run = randomUUID().slice(0, 8);
const source = `bench-off-${run}`;
const target = `persistent://public/default/bench-off-${run}`;
const kafkaAdmin = kafka.admin();
await kafkaAdmin.connect();

try {
  // Setup (not timed): topic, records, mirror with index, groups.
  await kafkaAdmin.createTopics({ topics: [{ topic: source, numPartitions: PARTITIONS }], waitForLeaders: true });
  await applyPlan(admin, await planTopic(admin, { name: source, partitions: PARTITIONS }, target, new KnownState(admin)));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < RECORDS; i += 5000) {
      await producer.send({ topic: source, messages: Array.from({ length: Math.min(5000, RECORDS - i) }, (_, j) => ({ partition: p, value: `v${i + j}` })) });
    }
  }
  await producer.disconnect();
  const index = new RedisOffsetIndex(redis, { prefix: `k2p:bench-idx:${run}:`, stride: 1000 });
  const mirrorGroup = `k2p-bench-mirror-${run}`;
  const mirror = new Mirror({ kafka, pulsar: client, groupId: mirrorGroup, topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }], onStored: (b) => index.record(b) });
  await mirror.start();
  while (!(mirror.status().length === PARTITIONS && mirror.status().every((s) => s.committedOffset === BigInt(RECORDS - 1)))) await new Promise((r) => setTimeout(r, 200));
  await mirror.stop();
  const groups = Array.from({ length: GROUPS }, (_, i) => `bench-app-${run}-${i}`);
  const committed = new Map<string, bigint[]>();
  await mapLimit(groups, 16, async (group) => {
    const offsets = Array.from({ length: PARTITIONS }, () => BigInt(Math.floor(Math.random() * (RECORDS + 1))));
    committed.set(group, offsets);
    await kafkaAdmin.setOffsets({ groupId: group, topic: source, partitions: offsets.map((o, partition) => ({ partition, offset: String(o) })) });
  });

  const deps: OffsetsDeps = {
    kafka: new KafkajsGroups(kafka, 'bench'),
    pulsar: client,
    admin,
    index,
    store: new RedisGroupStateStore(redis, `bench-${run}`),
    targetOf: (t) => (t === source ? target : undefined),
    mirrorGroup,
    concurrency: 32,
  };

  // Timed.
  const t0 = performance.now();
  const bounds = new TopicBounds(deps);
  const plans = await mapLimit(groups, 32, (group) => planGroup(deps, { group, subscription: `sub-${group}`, type: 'Failover', whenNoOffset: 'earliest' }, bounds));
  const t1 = performance.now();
  const all: PartitionRequest[] = plans.flatMap((p) => p.requests);
  const translations = await translate(deps, all);
  const t2 = performance.now();
  let at = 0;
  const perGroup = groups.map((group, i) => {
    const n = plans[i]!.requests.length;
    const slice = translations.slice(at, at + n);
    at += n;
    return { group, slice };
  });
  await mapLimit(perGroup, 8, ({ group, slice }) => applyTranslations(admin, `sub-${group}`, slice, 8));
  const t3 = performance.now();
  const total = (t3 - t0) / 1000;

  // Check a sample: the first message on every partition is the first record >= the committed offset.
  const sample = groups.slice(0, Math.min(3, GROUPS));
  let checked = 0;
  for (const group of sample) {
    for (let p = 0; p < PARTITIONS; p++) {
      const n = committed.get(group)![p]!;
      const consumer = await client.subscribe({ topic: partitionTopic(target, p), subscription: `sub-${group}`, subscriptionType: 'Failover' });
      const first = await consumer.receive(1500).catch(() => undefined);
      await consumer.close();
      const got = first ? BigInt(first.properties['k2p.offset']!) : BigInt(RECORDS);
      if (got !== n) throw new Error(`${group} partition ${p}: first offset ${got}, committed ${n}`);
      checked++;
    }
  }

  console.log(`groups ${GROUPS} × partitions ${PARTITIONS} (${RECORDS} records per partition)`);
  console.log(`plan (Kafka reads)         ${((t1 - t0) / 1000).toFixed(2)} s`);
  console.log(`translate (Pulsar scans)   ${((t2 - t1) / 1000).toFixed(2)} s`);
  console.log(`apply (subscriptions)      ${((t3 - t2) / 1000).toFixed(2)} s`);
  console.log(`total                      ${total.toFixed(2)} s — ${((total * 1000) / GROUPS).toFixed(1)} ms per group`);
  console.log(`sample checked: ${checked} partitions start exactly at the committed offset`);
  console.log(JSON.stringify({ bench: 'offsets', groups: GROUPS, partitions: PARTITIONS, records: RECORDS, planS: (t1 - t0) / 1000, translateS: (t2 - t1) / 1000, applyS: (t3 - t2) / 1000, totalS: total, msPerGroup: (total * 1000) / GROUPS, checked }));
  await (deps.kafka as KafkajsGroups).close();
} finally {
  await kafkaAdmin.deleteTopics({ topics: [source] }).catch(() => undefined);
  await admin.topics.delete(target, { force: true }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await client.close();
  redis.disconnect();
}
