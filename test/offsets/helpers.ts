// Shared by the offset tests: a source topic mirrored into Pulsar by the real mirror (index fed through
// onStored), a kafkajs group that consumes part of it and commits, the offsets dependencies on the local
// stack (group state in Redis under a scope of its own), and a Pulsar consumer that reads "the rest".
import assert from 'node:assert/strict';
import kafkajs, { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { Redis } from 'ioredis';
import { Mirror, type StoredBatch } from '../../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import type { OffsetsDeps } from '../../src/offsets/deps.js';
import { RedisGroupStateStore } from '../../src/offsets/group-state.js';
import { KafkajsGroups } from '../../src/offsets/kafka-groups.js';
import { RedisOffsetIndex } from '../../src/offsets/offset-index.js';
import type { MessageId, PulsarClient } from '../../src/pulsar/client/index.js';
import { runReferee } from '../helpers/python.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';

// kafkajs is CommonJS; Node's ESM loader does not detect this one as a named export.
const { ConfigResourceTypes } = kafkajs;

/**
 * For the test's kafkajs consumers: disconnect() waits for the fetch in flight, which an idle partition holds
 * for maxWaitTimeInMs (kafkajs's default 5 s); records still come back as soon as the broker has them.
 */
export const QUICK_FETCH = { maxWaitTimeInMs: 500 } as const;

export const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-offsets-test', logLevel: logLevel.NOTHING });
export const client = testClient();
export const redis = new Redis(STACK.redisUrl);
cleanup(() => redis.quit());
const kafkaAdmin = kafka.admin();
const adminReady = kafkaAdmin.connect();
cleanup(async () => kafkaAdmin.disconnect());

export interface MirroredPair {
  source: string;
  target: string;
  partitions: number;
  mirrorGroup: string;
  index: RedisOffsetIndex;
  /** Per partition: what the mirror stored (offset → Pulsar id), in order. */
  stored: Map<number, { offset: bigint; id: MessageId }[]>;
}

/** A fresh Kafka topic and its provisioned Pulsar target, retention on (both removed after the file). */
export async function sourceAndTarget(prefix: string, partitions: number, configEntries: ITopicConfig['configEntries'] = []): Promise<MirroredPair> {
  await adminReady;
  const source = uniqueName(`${prefix}-src`);
  const target = `persistent://public/default/${uniqueName(`${prefix}-dst`)}`;
  await kafkaAdmin.createTopics({ topics: [{ topic: source, numPartitions: partitions, configEntries }], waitForLeaders: true });
  cleanup(async () => {
    await kafkaAdmin.deleteTopics({ topics: [source] }).catch(() => undefined);
    await admin.topics.delete(target, { force: true }).catch(() => undefined);
  });
  // Retention as a mirror run carries Kafka's: without it the broker deletes a partition that has no
  // subscription and no producer for 60 s (brokerDeleteInactiveTopicsMode delete_when_no_subscriptions) —
  // its data gone, a later producer writes into a new, empty topic.
  await applyPlan(admin, await planTopic(admin, { name: source, partitions, retentionMs: -1 }, target, new KnownState(admin)));
  const index = new RedisOffsetIndex(redis, { prefix: `${uniqueName('k2p-test-idx')}:`, stride: 50 });
  return { source, target, partitions, mirrorGroup: uniqueName('k2p-mirror'), index, stored: new Map() };
}

/** `count[p]` records on each partition p (keys k<p>-<i>, values v<p>-<i>), in one go (big batches). */
export async function produce(topic: string, count: number[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, messages: count.flatMap((n, p) => Array.from({ length: n }, (_, i) => ({ partition: p, key: `k${p}-${i}`, value: `v${p}-${i}` }))) });
  await producer.disconnect();
}

/** Starts the real mirror on the pair (index fed by onStored, and `stored` too). Returns it running. */
export async function startMirror(pair: MirroredPair, useIndex = true): Promise<Mirror> {
  const mirror = new Mirror({
    kafka,
    pulsar: client,
    groupId: pair.mirrorGroup,
    topics: [{ source: pair.source, target: pair.target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }],
    onStored: async (batch: StoredBatch) => {
      const list = pair.stored.get(batch.partition) ?? [];
      list.push(...batch.records);
      pair.stored.set(batch.partition, list);
      if (useIndex) await pair.index.record(batch);
    },
  });
  await mirror.start();
  return mirror;
}

/** Waits until the mirror's group has committed the Kafka end offset on every partition. */
export async function waitMirrored(pair: MirroredPair, timeoutMs = 120_000): Promise<Map<number, bigint>> {
  await adminReady;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ends = new Map((await kafkaAdmin.fetchTopicOffsets(pair.source)).map((o) => [o.partition, BigInt(o.high)]));
    const [committed] = await kafkaAdmin.fetchOffsets({ groupId: pair.mirrorGroup, topics: [pair.source] });
    const done = committed!.partitions.every((p) => BigInt(p.offset) >= ends.get(p.partition)! || ends.get(p.partition) === 0n);
    if (done) return ends;
    assert.ok(Date.now() < deadline, 'the mirror did not catch up');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A kafkajs consumer in `group` reads each partition p up to (not including) stops[p] and commits stops[p];
 * partitions without a stop are neither read nor committed. Returns the offsets it read, per partition.
 */
export async function consumeUntil(group: string, topic: string, stops: Map<number, bigint>): Promise<Map<number, bigint[]>> {
  const read = new Map<number, bigint[]>();
  const pending = new Set([...stops].filter(([, n]) => n > 0n).map(([p]) => p));
  const consumer = kafka.consumer({ groupId: group, readUncommitted: false, sessionTimeout: 10_000, heartbeatInterval: 1000, ...QUICK_FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  // Partitions with a stop at 0 are committed at 0 without reading.
  const zero = [...stops].filter(([, n]) => n === 0n).map(([partition]) => ({ topic, partition, offset: '0' }));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const stop = stops.get(batch.partition);
      if (stop === undefined || !pending.has(batch.partition)) return;
      for (const m of batch.messages) {
        const o = BigInt(m.offset);
        if (o >= stop) break;
        read.set(batch.partition, [...(read.get(batch.partition) ?? []), o]);
        resolveOffset(m.offset);
      }
      const last = read.get(batch.partition)?.at(-1) ?? -1n;
      if (last + 1n >= stop || BigInt(batch.lastOffset()) + 1n >= stop) {
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(stop) }]);
        consumer.pause([{ topic, partitions: [batch.partition] }]);
        pending.delete(batch.partition);
        if (pending.size === 0) finish();
      }
      await heartbeat();
    },
  });
  if (pending.size === 0) finish();
  await done;
  if (zero.length > 0) await consumer.commitOffsets(zero);
  await consumer.disconnect();
  return read;
}

/** The offsets dependencies on the local stack; group state under a scope of its own. */
export function offsetsDeps(pair: MirroredPair, options: { index?: boolean; mirrorGroup?: boolean } = {}): OffsetsDeps {
  const groups = new KafkajsGroups(kafka, 'kafka-local');
  cleanup(() => groups.close());
  const deps: OffsetsDeps = {
    kafka: groups,
    pulsar: client,
    admin,
    store: new RedisGroupStateStore(redis, uniqueName('k2p-test')),
    targetOf: (topic) => (topic === pair.source ? pair.target : undefined),
  };
  if (options.index !== false) deps.index = pair.index;
  if (options.mirrorGroup !== false) deps.mirrorGroup = pair.mirrorGroup;
  return deps;
}

/** The last Kafka offset of what each partition should deliver from `from` on (partitions with nothing left out). */
export function restEnds(kafkaSide: Map<number, bigint[]>, from: Map<number, bigint>): Map<number, bigint> {
  const ends = new Map<number, bigint>();
  for (const [p, all] of kafkaSide) {
    const n = from.get(p);
    const last = n === undefined ? undefined : all.filter((o) => o >= n).at(-1);
    if (last !== undefined) ends.set(p, last);
  }
  return ends;
}

/**
 * Our consumer on the subscription reads until `idleMs` without a message; offsets per partition. With `ends`
 * (see restEnds), once every partition delivered its last offset the read ends after 1 s without a message:
 * a later one could only be a duplicate or a record Kafka does not have (assertRest shows one that comes).
 */
export async function readRest(pulsar: PulsarClient, topic: string, subscription: string, ends?: Map<number, bigint>, idleMs = 3000): Promise<Map<number, bigint[]>> {
  const consumer = await pulsar.subscribe({ topic, subscription, subscriptionType: 'Failover' });
  const out = new Map<number, bigint[]>();
  const pending = new Set(ends?.keys());
  try {
    for (;;) {
      let m;
      try {
        m = await consumer.receive(ends && pending.size === 0 ? 1000 : idleMs);
      } catch {
        break;
      }
      consumer.acknowledge(m);
      const p = m.id.partition;
      const offset = BigInt(m.properties['k2p.offset']!);
      out.set(p, [...(out.get(p) ?? []), offset]);
      if (ends?.get(p) === offset) pending.delete(p);
    }
  } finally {
    await consumer.close();
  }
  return out;
}

/** Kafka offsets of the records a read_committed consumer sees on `topic`, per partition (from offset 0). */
export async function kafkaOffsets(topic: string, partitions: number): Promise<Map<number, bigint[]>> {
  await adminReady;
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  const out = new Map<number, bigint[]>(Array.from({ length: partitions }, (_, p) => [p, []]));
  const consumer = kafka.consumer({ groupId: uniqueName('k2p-offsets-reader'), readUncommitted: false, ...QUICK_FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let last = Date.now();
  const complete = () => [...ends].every(([p, end]) => (out.get(p)!.at(-1) ?? -1n) + 1n >= end || end === 0n);
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) out.get(batch.partition)!.push(BigInt(m.offset));
      last = Date.now();
    },
  });
  // A transactional partition may end on a marker: done once complete, or 3 s after the last record.
  const started = Date.now();
  while (!complete() && (Date.now() - last < 3000 || Date.now() - started < 5000)) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return out;
}

/** The official Python client (test/interop/python/subscription_referee.py) on the subscription reads until
 * idle; offsets per partition. */
export async function pythonRest(topic: string, subscription: string): Promise<Map<number, bigint[]>> {
  const { lines } = await runReferee<{ partition: number; offset: number }>('subscription_referee.py', ['--service-url', STACK.pulsarServiceUrl, 'consume', topic, '-s', subscription, '--idle', '5']);
  const got = new Map<number, bigint[]>();
  for (const l of lines) got.set(l.partition, [...(got.get(l.partition) ?? []), BigInt(l.offset)]);
  return got;
}

/**
 * Stops in offset gaps: per partition the first offset above `above` that a read_committed consumer never
 * sees (asserted to exist); on partition 1, instead, a stored record inside a Pulsar batch past that gap when
 * there is one.
 */
export function gapStops(pair: MirroredPair, visible: Map<number, bigint[]>, above = 30n): Map<number, bigint> {
  const stops = new Map<number, bigint>();
  for (let p = 0; p < pair.partitions; p++) {
    const list = visible.get(p)!;
    const seen = new Set(list.map(String));
    const gap = [...Array(Number(list.at(-1)!)).keys()].map(BigInt).find((o) => o > above && !seen.has(String(o)));
    assert.ok(gap !== undefined, `partition ${p} has a gap`);
    const inBatch = pair.stored.get(p)!.find((r) => r.offset > gap + 25n && r.id.batchIndex > 0)?.offset;
    stops.set(p, p === 1 && inBatch !== undefined ? inBatch : gap);
  }
  return stops;
}

/** Kafka compaction made fast: segments roll after 100 ms, any dirty share is cleanable, no lag. */
export const FAST_COMPACTION: ITopicConfig['configEntries'] = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'segment.ms', value: '100' },
  { name: 'min.cleanable.dirty.ratio', value: '0.01' },
  { name: 'min.compaction.lag.ms', value: '0' },
  { name: 'delete.retention.ms', value: '100' },
];

/**
 * Waits until Kafka's log cleaner has removed records on every partition of `topic` (created with
 * FAST_COMPACTION): a read_committed consumer from offset 0 sees fewer records than the end offset. Each
 * round writes a record per partition (key "roll") so the segment before it rolls and can be cleaned. Then
 * compaction is turned off for the topic, so what is visible stays as it is. Returns the visible offsets.
 */
export async function compactNow(topic: string, partitions: number, timeoutMs = 180_000): Promise<Map<number, bigint[]>> {
  await adminReady;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      await producer.send({ topic, messages: Array.from({ length: partitions }, (_, p) => ({ partition: p, key: 'roll', value: 'roll' })) });
      const ends = new Map((await kafkaAdmin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
      let visible = await kafkaOffsets(topic, partitions);
      if ([...visible].every(([p, list]) => BigInt(list.length) < ends.get(p)!)) {
        await kafkaAdmin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
        // A cleaning pass already under way (or started before the broker applied the change) still removes
        // records: what is visible counts once two reads a second apart agree.
        for (let settled = visible; ; settled = visible) {
          await new Promise((r) => setTimeout(r, 1000));
          visible = await kafkaOffsets(topic, partitions);
          if ([...visible].every(([p, list]) => list.join() === settled.get(p)!.join())) return visible;
          assert.ok(Date.now() < deadline, `Kafka kept compacting ${topic} after compaction was turned off`);
        }
      }
      assert.ok(Date.now() < deadline, `Kafka did not compact ${topic} (visible ${[...visible].map(([p, l]) => `${p}: ${l.length}/${ends.get(p)}`).join(', ')})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    await producer.disconnect();
  }
}

/** Asserts partition p delivered exactly the Kafka records at or after from[p], in order, once each. */
export function assertRest(what: string, got: Map<number, bigint[]>, kafkaSide: Map<number, bigint[]>, from: Map<number, bigint>): void {
  for (const [p, all] of kafkaSide) {
    const n = from.get(p);
    const expected = n === undefined ? [] : all.filter((o) => o >= n);
    const actual = got.get(p) ?? [];
    assert.equal(actual[0], expected[0], `${what}: partition ${p} first offset (committed ${n})`);
    assert.deepEqual(actual.map(String), expected.map(String), `${what}: partition ${p} is exactly the rest, no gap, no duplicate`);
  }
}

/**
 * A kafkajs consumer in `group` resumes from its committed offsets and reads to the end; offsets per partition.
 * Done once every partition is read to its end offset, or `idleMs` after the last record (a transactional
 * partition may end on a marker).
 */
export async function kafkaResume(group: string, topic: string, idleMs = 4000): Promise<Map<number, bigint[]>> {
  await adminReady;
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  const [committed] = await kafkaAdmin.fetchOffsets({ groupId: group, topics: [topic] });
  const startAt = new Map(committed!.partitions.map((p) => [p.partition, BigInt(p.offset) < 0n ? 0n : BigInt(p.offset)]));
  const out = new Map<number, bigint[]>();
  const complete = () => [...ends].every(([p, end]) => (out.get(p)?.at(-1) ?? (startAt.get(p) ?? 0n) - 1n) + 1n >= end);
  const consumer = kafka.consumer({ groupId: group, readUncommitted: false, sessionTimeout: 10_000, heartbeatInterval: 1000, ...QUICK_FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let last = Date.now();
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) out.set(batch.partition, [...(out.get(batch.partition) ?? []), BigInt(m.offset)]);
      last = Date.now();
    },
  });
  while (!complete() && Date.now() - last < idleMs) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return out;
}
