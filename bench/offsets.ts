// `npm run bench:offsets`: translating and applying many groups' offsets at once. One 10-partition topic
// (RECORDS per partition, mirrored by the real Mirror with the offset index), GROUPS Kafka groups with random
// committed offsets on every partition (set through the admin API, not timed); then, timed: one sync round
// for every group (syncGroups — what `k2p offsets sync --once` runs): plan (Kafka reads), attached-consumer
// check (one stats read per topic), mirror check, translate (one Pulsar scan per partition for all groups),
// place every subscription (new ones over the binary protocol: subscribe + seek), record the state. Two
// ceilings, sampled just before and just after at the same concurrency on a twin topic: the broker's
// cheapest way to make a durable subscription, a bare SUBSCRIBE + close with our client (no seek, so no
// position: the ratio apply / ceiling says what the position costs), and, for reference, one admin-API
// create-subscription request at an entry position (what placement used before).
// Prints the total, each phase, the per-group cost and the ratio to the ceiling, checks a sample of groups
// (first message = committed offset), then one JSON line. The figure is BENCH_GROUPS=1000 (issue #6:
// < 10 s). BENCH_PLACE_CONCURRENCY sets the placements in flight (default 64). Not a test: nothing is
// asserted but the sample.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { Mirror } from '../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../src/mirror/provision.js';
import { RedisGroupStateStore, RedisOffsetIndex, KafkajsGroups, syncGroups, type OffsetsDeps } from '../src/offsets/index.js';
import { PLACE_CONCURRENCY } from '../src/offsets/translate.js';
import { mapLimit } from '../src/offsets/limit.js';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { PulsarClient, partitionTopic } from '../src/pulsar/client/index.js';

const GROUPS = Number(process.env.BENCH_GROUPS ?? 50);
const PARTITIONS = 10;
const RECORDS = Number(process.env.BENCH_RECORDS ?? 2000);
const PLACE = Number(process.env.BENCH_PLACE_CONCURRENCY ?? PLACE_CONCURRENCY);
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
  // With retention (as a mirror run carries Kafka's), the broker does not delete the partitions as inactive
  // during the long setup (brokerDeleteInactiveTopicsMode delete_when_no_subscriptions, 60 s without producers).
  await applyPlan(admin, await planTopic(admin, { name: source, partitions: PARTITIONS, retentionMs: -1 }, target, new KnownState(admin)));
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
  await mapLimit(groups, 64, async (group) => {
    const offsets = Array.from({ length: PARTITIONS }, () => BigInt(Math.floor(Math.random() * (RECORDS + 1))));
    committed.set(group, offsets);
    await kafkaAdmin.setOffsets({ groupId: group, topic: source, partitions: offsets.map((o, partition) => ({ partition, offset: String(o) })) });
  });

  let round: Record<string, number> = {};
  const deps: OffsetsDeps = {
    kafka: new KafkajsGroups(kafka, 'bench'),
    pulsar: client,
    admin,
    index,
    store: new RedisGroupStateStore(redis, `bench-${run}`),
    targetOf: (t) => (t === source ? target : undefined),
    mirrorGroup,
    concurrency: 32,
    placeConcurrency: PLACE,
    log: (event, fields) => {
      if (event === 'sync-round') round = fields as Record<string, number>;
    },
  };

  // The ceilings, at the same concurrency, sampled just before and just after ours (the machine's load
  // drifts), on a twin topic with no subscription yet.
  const twin = `${target}-ceiling`;
  await admin.topics.createPartitioned(twin, PARTITIONS);
  const ids = await mapLimit(Array.from({ length: PARTITIONS }, (_, p) => p), PARTITIONS, async (p) => {
    const producer = await client.createProducer({ topic: partitionTopic(twin, p) });
    const id = await producer.send({ payload: Buffer.from('x') });
    await producer.close();
    return id;
  });
  const SAMPLE = Math.min(GROUPS * PARTITIONS, 3000);
  let made = 0;
  const rate = async (create: (topic: string, subscription: string, p: number) => Promise<unknown>): Promise<number> => {
    const c0 = performance.now();
    await mapLimit(Array.from({ length: SAMPLE }, () => made++), PLACE, (i) => create(partitionTopic(twin, i % PARTITIONS), `raw-${i}`, i % PARTITIONS));
    return SAMPLE / ((performance.now() - c0) / 1000);
  };
  const bareSubscribe = (topic: string, subscription: string) =>
    client.subscribe({ topic, subscription, subscriptionType: 'Exclusive', initialPosition: 'Earliest' }).then((c) => c.close());
  const restCreate = (topic: string, subscription: string, p: number) => admin.subscriptions.create(topic, subscription, ids[p]!);
  const ceiling = async () => ({ binary: await rate(bareSubscribe), rest: await rate(restCreate) });
  const before = await ceiling();

  // Timed: one sync round for every group.
  const t0 = performance.now();
  const outcomes = await syncGroups(
    deps,
    groups.map((group) => ({ group, subscription: `sub-${group}`, type: 'Failover', whenNoOffset: 'earliest' })),
  );
  const total = (performance.now() - t0) / 1000;
  const placed = outcomes.reduce((n, o) => n + o.moved, 0);
  if (placed !== GROUPS * PARTITIONS) throw new Error(`placed ${placed} subscriptions, expected ${GROUPS * PARTITIONS}: ${JSON.stringify(outcomes.find((o) => o.result !== 'synced'))}`);

  const after = await ceiling();
  await admin.topics.delete(twin, { force: true });
  const oursRate = placed / ((round.applyMs ?? 0) / 1000);
  const rawRate = (before.binary + after.binary) / 2;
  const restRate = (before.rest + after.rest) / 2;

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

  const sec = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(2)} s`;
  console.log(`groups ${GROUPS} × partitions ${PARTITIONS} (${RECORDS} records per partition), ${PLACE} placements in flight`);
  console.log(`plan + checks (Kafka reads, stats)  ${sec(round.planMs)}`);
  console.log(`translate (Pulsar scans)           ${sec(round.translateMs)}`);
  console.log(`apply (${placed} subscriptions)     ${sec(round.applyMs)} — ${oursRate.toFixed(0)} placements/s (new: subscribe + seek; ${round.inBatch} inside a batch)`);
  console.log(`record (group state)               ${sec(round.recordMs)}`);
  console.log(`total                              ${total.toFixed(2)} s — ${((total * 1000) / GROUPS).toFixed(1)} ms per group`);
  console.log(`ceiling: bare subscribe + close, ${SAMPLE} before and after: ${before.binary.toFixed(0)}/s and ${after.binary.toFixed(0)}/s; apply / ceiling = ${(oursRate / rawRate).toFixed(2)}`);
  console.log(`reference: admin-API creates at an entry, before and after: ${before.rest.toFixed(0)}/s and ${after.rest.toFixed(0)}/s; apply / that = ${(oursRate / restRate).toFixed(2)}`);
  console.log(`sample checked: ${checked} partitions start exactly at the committed offset`);
  console.log(
    JSON.stringify({
      bench: 'offsets',
      groups: GROUPS,
      partitions: PARTITIONS,
      records: RECORDS,
      placeConcurrency: PLACE,
      planS: (round.planMs ?? 0) / 1000,
      translateS: (round.translateMs ?? 0) / 1000,
      applyS: (round.applyMs ?? 0) / 1000,
      recordS: (round.recordMs ?? 0) / 1000,
      totalS: total,
      msPerGroup: (total * 1000) / GROUPS,
      placementsPerS: oursRate,
      inBatch: round.inBatch,
      ceilingSubscribesPerS: rawRate,
      ceilingBefore: before.binary,
      ceilingAfter: after.binary,
      ratio: oursRate / rawRate,
      restCreatesPerS: restRate,
      ratioToRest: oursRate / restRate,
      checked,
    }),
  );
  await (deps.kafka as KafkajsGroups).close();
} finally {
  await kafkaAdmin.deleteTopics({ topics: [source] }).catch(() => undefined);
  await admin.topics.delete(target, { force: true }).catch(() => undefined);
  await admin.topics.delete(`${target}-ceiling`, { force: true }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await client.close();
  redis.disconnect();
}
