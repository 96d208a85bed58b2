// Route pulsar consumers are stateless: two facades (two "gateway processes": separate cores, PulsarClients
// and apps) share instance state in Redis. An instance created on A is read and committed on B, read on A
// again from where B left it (no record twice, none missed); the commit made on B is the group's durable
// Pulsar subscription, read back on A. Also: manual assignment, topic_pattern, and idle expiry (40403).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { admin } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';
import { call, pollN, pollNothing } from './consumer-helpers.js';
import { b64, fixture, secondFacade, V2_BINARY } from './fixture.js';

const PARTITIONS = 2;

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(STACK.redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

test('route pulsar: an instance created on facade A is read and committed on facade B, then read on A again', { timeout: 240_000 }, async () => {
  const prefix = `k2p:test:${uniqueName('fct-sl')}:`;
  cleanup(() => dropPrefix(prefix));
  const a = await fixture('fct-sl', 'pulsar', PARTITIONS, {}, { redisPrefix: prefix });
  const b = secondFacade(a.config, {}, { redisPrefix: prefix });
  const produce = async (values: string[]) => {
    const r = await call(a.app, 'POST', `/topics/${a.topic}`, { records: values.map((v) => ({ key: b64(v), value: b64(v) })) });
    assert.equal(r.status, 200);
  };
  await produce(Array.from({ length: 10 }, (_, i) => `first-${i}`));

  const group = uniqueName('fct-sl-grp');
  assert.equal((await call(a.app, 'POST', `/consumers/${group}`, { name: 'one', format: 'binary', 'auto.offset.reset': 'earliest', 'auto.commit.enable': 'false' })).status, 200);
  const base = `/consumers/${group}/instances/one`;
  assert.equal((await call(a.app, 'POST', `${base}/subscription`, { topics: [a.topic] })).status, 204);

  // B never saw the create: it serves the instance from the shared state
  assert.deepEqual((await call(b.app, 'GET', `${base}/subscription`)).body, { topics: [a.topic] });
  const onB = await pollN(b.app, base, 10, V2_BINARY);
  assert.deepEqual(onB.map((r) => Buffer.from(r.value as string, 'base64').toString()).sort(), Array.from({ length: 10 }, (_, i) => `first-${i}`).sort());
  const commit = await call(b.app, 'POST', `${base}/offsets`); // empty body: everything fetched
  assert.equal(commit.status, 200, JSON.stringify(commit.body));

  // the commit is the group's durable subscription on each Pulsar partition
  for (let p = 0; p < PARTITIONS; p++) {
    const subs = await admin.subscriptions.list(`${a.pulsarTopic}-partition-${p}`);
    assert.ok(subs.includes(group), `partition ${p} has the durable subscription ${group}: ${subs.join(',')}`);
  }

  // A goes on where B stopped: new records only
  await produce(Array.from({ length: 6 }, (_, i) => `second-${i}`));
  const onA = await pollN(a.app, base, 6, V2_BINARY);
  assert.deepEqual(onA.map((r) => Buffer.from(r.value as string, 'base64').toString()).sort(), Array.from({ length: 6 }, (_, i) => `second-${i}`).sort());
  await pollNothing(a.app, base, V2_BINARY, 800);
  await pollNothing(b.app, base, V2_BINARY, 800);

  // committed offsets read on A are B's commit (next offset per partition)
  const parts = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: a.topic, partition }));
  const committed = (await call(a.app, 'GET', `${base}/offsets`, { partitions: parts })).body as { offsets: { partition: number; offset: number }[] };
  const lastOnB = new Map<number, number>();
  for (const r of onB) lastOnB.set(r.partition, Math.max(lastOnB.get(r.partition) ?? -1, r.offset));
  assert.deepEqual(
    committed.offsets.map((o) => [o.partition, o.offset]).sort((x, y) => x[0]! - y[0]!),
    [...lastOnB].map(([p, o]) => [p, o + 1]).sort((x, y) => x[0]! - y[0]!),
  );

  // a second instance of the group created on B starts at the committed offsets
  assert.equal((await call(b.app, 'POST', `/consumers/${group}`, { name: 'two', format: 'binary', 'auto.offset.reset': 'earliest' })).status, 200);
  assert.equal((await call(a.app, 'DELETE', base)).status, 204);
  assert.equal(((await call(b.app, 'GET', `${base}/records`, undefined, V2_BINARY)).body as { error_code: number }).error_code, 40403);
  const base2 = `/consumers/${group}/instances/two`;
  assert.equal((await call(a.app, 'POST', `${base2}/subscription`, { topic_pattern: `${a.topic.replace(/[-]/g, '[-]')}` })).status, 204);
  assert.deepEqual((await call(b.app, 'GET', `${base2}/subscription`)).body, { topics: [a.topic] }, 'the pattern matches the topic');
  const fromCommitted = await pollN(b.app, base2, 6, V2_BINARY);
  assert.deepEqual(fromCommitted.map((r) => Buffer.from(r.value as string, 'base64').toString()).sort(), Array.from({ length: 6 }, (_, i) => `second-${i}`).sort());
  assert.equal((await call(b.app, 'DELETE', base2)).status, 204);
});

test('route pulsar: manual assignment reads only its partitions; idle instances expire (40403)', { timeout: 120_000 }, async () => {
  const prefix = `k2p:test:${uniqueName('fct-exp')}:`;
  cleanup(() => dropPrefix(prefix));
  const f = await fixture('fct-exp', 'pulsar', PARTITIONS, {}, { redisPrefix: prefix, instanceTimeoutMs: 2_000 });
  const r = await call(f.app, 'POST', `/topics/${f.topic}/partitions/1`, { records: [{ value: b64('p1-a') }, { value: b64('p1-b') }] });
  assert.equal(r.status, 200);
  assert.equal((await call(f.app, 'POST', `/topics/${f.topic}/partitions/0`, { records: [{ value: b64('p0-a') }] })).status, 200);
  const group = uniqueName('fct-exp-grp');
  assert.equal((await call(f.app, 'POST', `/consumers/${group}`, { name: 'x', 'auto.offset.reset': 'earliest' })).status, 200);
  const base = `/consumers/${group}/instances/x`;
  assert.equal((await call(f.app, 'POST', `${base}/assignments`, { partitions: [{ topic: f.topic, partition: 1 }] })).status, 204);
  assert.deepEqual((await call(f.app, 'GET', `${base}/assignments`)).body, { partitions: [{ topic: f.topic, partition: 1 }] });
  const subscribeToo = await call(f.app, 'POST', `${base}/subscription`, { topics: [f.topic] });
  assert.equal((subscribeToo.body as { error_code: number }).error_code, 40903);
  const got = await pollN(f.app, base, 2, V2_BINARY);
  assert.deepEqual(got.map((x) => [x.partition, Buffer.from(x.value as string, 'base64').toString()]), [[1, 'p1-a'], [1, 'p1-b']]);
  await pollNothing(f.app, base, V2_BINARY, 500);

  await new Promise((resolve) => setTimeout(resolve, 3_000)); // idle longer than the instance timeout
  const expired = await call(f.app, 'GET', `${base}/records?timeout=100`, undefined, V2_BINARY);
  assert.equal(expired.status, 404);
  assert.deepEqual(expired.body, { error_code: 40403, message: 'Consumer instance not found.' });
});

test('consumer-instance state unreachable (Redis down): 50003 in Confluent format, K2P_HTTP_CONSUMER_STORE underneath', { timeout: 60_000 }, async () => {
  const { ConsumerInstances } = await import('../../src/facade/consumers/instances.js');
  const { RedisInstanceStore } = await import('../../src/facade/consumers/redis-instance-store.js');
  const { PulsarFeeds } = await import('../../src/facade/consumers/pulsar-feeds.js');
  const { buildFacadeApp } = await import('../../src/facade/server.js');
  const f = await fixture('fct-redis-down', 'pulsar', 1);
  // nothing listens on port 1: every Redis command fails at once
  const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  const down = new ConsumerInstances(f.core, new RedisInstanceStore(redis), new PulsarFeeds(f.core.pulsar.client, f.core.pulsar.admin));
  const previous = f.core.consumers;
  f.core.consumers = down;
  const app = buildFacadeApp(f.core);
  cleanup(async () => {
    await app.close();
    await down.close();
    f.core.consumers = previous;
  });
  const res = await call(app, 'POST', `/consumers/${uniqueName('g')}`, { name: 'x' });
  assert.equal(res.status, 500);
  assert.equal((res.body as { error_code: number }).error_code, 50003);
  assert.match((res.body as { message: string }).message, /K2P_HTTP_CONSUMER_STORE/);
});
