// Route flip kafka → pulsar while one client keeps producing and another keeps consuming over HTTP (poll,
// then commit what it got), with the real mirror copying Kafka to Pulsar. The consumer is told every record
// the producer was told is stored, exactly once, at the partition and offset the producer was given; after
// the flip its commits land on the group's Pulsar subscription, at the same offsets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mirror } from '../../src/mirror/mirror.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { uniqueName } from '../helpers/stack.js';
import { call } from './consumer-helpers.js';
import { b64, fixture, kafka, V2, V2_BINARY } from './fixture.js';

interface Rec {
  partition: number;
  offset: number;
  value: string;
}

async function http(base: string, method: string, path: string, body?: unknown, accept = V2): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': V2, accept }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

test('flip kafka → pulsar under a consuming client: nothing lost, nothing duplicated, commits carry over', { timeout: 300_000 }, async () => {
  const f = await fixture('fct-cflip', 'kafka', 2);
  const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
  const mirror = new Mirror({
    kafka,
    pulsar: testClient(),
    groupId: uniqueName('fct-cflip-mirror'),
    topics: [{ source: f.topic, target: f.pulsarTopic, persistent: true, partitions: 2, mapping: { provenance: true, headerEncoding: 'lossless' } }],
  });
  await mirror.start();

  const group = uniqueName('fct-cflip-grp');
  assert.equal((await http(base, 'POST', `/consumers/${group}`, { name: 'c', format: 'binary', 'auto.offset.reset': 'earliest', 'auto.commit.enable': 'false' })).status, 200);
  const inst = `/consumers/${group}/instances/c`;
  assert.equal((await http(base, 'POST', `${inst}/subscription`, { topics: [f.topic] })).status, 204);

  const told = new Map<string, { partition: number; offset: number }>();
  let n = 0;
  let stopProducing = false;
  let produceErrors = 0;
  const producer = (async () => {
    while (!stopProducing) {
      const values = Array.from({ length: 10 }, () => `c-${n++}`);
      const res = await http(base, 'POST', `/topics/${f.topic}`, { records: values.map((v) => ({ key: b64(`key-${v}`), value: b64(v) })) });
      assert.equal(res.status, 200);
      (res.body as { offsets: { partition: number; offset: number | null; error_code: number | null }[] }).offsets.forEach((o, i) => {
        if (o.error_code === null) told.set(values[i]!, { partition: o.partition, offset: o.offset! });
        else produceErrors++;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  const consumed: Rec[] = [];
  const commits: { route: string; offsets: { partition: number; offset: number }[] }[] = [];
  let stopConsuming = false;
  let flipped = false;
  const consumer = (async () => {
    while (!stopConsuming) {
      const r = await http(base, 'GET', `${inst}/records?timeout=500&max_bytes=2000`, undefined, V2_BINARY);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const recs = (r.body as { partition: number; offset: number; value: string }[]).map((x) => ({ partition: x.partition, offset: x.offset, value: Buffer.from(x.value, 'base64').toString() }));
      consumed.push(...recs);
      if (recs.length > 0) {
        const last = new Map<number, number>();
        for (const x of recs) last.set(x.partition, Math.max(last.get(x.partition) ?? -1, x.offset));
        const offsets = [...last].map(([partition, offset]) => ({ topic: f.topic, partition, offset }));
        const c = await http(base, 'POST', `${inst}/offsets`, { offsets });
        assert.equal(c.status, 200, JSON.stringify(c.body));
        commits.push({ route: flipped ? 'pulsar' : 'kafka', offsets });
      }
    }
  })();

  while (consumed.length < 200) await new Promise((resolve) => setTimeout(resolve, 50));
  const flip = await http(base, 'PUT', `/k2p/routes/${f.topic}`, { route: 'pulsar' });
  assert.equal(flip.status, 200, JSON.stringify(flip.body));
  flipped = true;
  const atFlip = told.size;
  while (told.size < atFlip + 300) await new Promise((resolve) => setTimeout(resolve, 50));
  stopProducing = true;
  await producer;
  // the consumer drains everything the producer was told
  const deadline = Date.now() + 60_000;
  while (new Set(consumed.map((c) => c.value)).size < told.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  stopConsuming = true;
  await consumer;
  await mirror.stop().catch(() => undefined);

  assert.equal(produceErrors, 0, 'no record refused');
  const seen = new Map<string, number>();
  for (const c of consumed) seen.set(c.value, (seen.get(c.value) ?? 0) + 1);
  const dups = [...seen].filter(([, k]) => k > 1).map(([v]) => v);
  assert.deepEqual(dups, [], 'nothing consumed twice');
  const missing = [...told.keys()].filter((v) => !seen.has(v));
  assert.deepEqual(missing, [], 'nothing lost');
  assert.equal(consumed.length, told.size, 'nothing else consumed');
  for (const c of consumed) {
    const where = told.get(c.value)!;
    assert.deepEqual([c.partition, c.offset], [where.partition, where.offset], `${c.value}: the partition and offset the producer was told`);
  }
  for (const p of [0, 1]) {
    const offs = consumed.filter((c) => c.partition === p).map((c) => c.offset);
    assert.deepEqual(offs, Array.from({ length: offs.length }, (_, k) => k), `partition ${p}: offsets 0..n-1 in order`);
  }
  assert.ok(commits.some((c) => c.route === 'kafka') && commits.some((c) => c.route === 'pulsar'), 'commits on both sides of the flip');

  // the group's committed offsets now read from the Pulsar subscription: the last commit per partition
  const lastCommit = new Map<number, number>();
  for (const c of commits) for (const o of c.offsets) lastCommit.set(o.partition, o.offset);
  // (fetch cannot send a GET body, which this Confluent endpoint takes: inject)
  const committed = await call(f.app, 'GET', `${inst}/offsets`, { partitions: [0, 1].map((partition) => ({ topic: f.topic, partition })) });
  assert.equal(committed.status, 200, JSON.stringify(committed.body));
  assert.deepEqual(
    (committed.body as { offsets: { partition: number; offset: number }[] }).offsets.map((o) => [o.partition, o.offset]).sort((a, b) => a[0]! - b[0]!),
    [...lastCommit].map(([p, o]) => [p, o + 1]).sort((a, b) => a[0]! - b[0]!),
  );
  // ...and they are on Pulsar, not Kafka: Kafka keeps the group's last pre-flip commit, below them
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const onKafka = await kafkaAdmin.fetchOffsets({ groupId: group, topics: [f.topic] });
  await kafkaAdmin.disconnect();
  const lastKafkaCommit = new Map<number, number>();
  for (const c of commits) if (c.route === 'kafka') for (const o of c.offsets) lastKafkaCommit.set(o.partition, o.offset);
  for (const p of onKafka[0]!.partitions) {
    const expected = lastKafkaCommit.has(p.partition) ? lastKafkaCommit.get(p.partition)! + 1 : -1;
    assert.ok(Number(p.offset) <= expected, `Kafka's committed offset of partition ${p.partition} (${p.offset}) is not past the last commit made before the flip (${expected})`);
    assert.ok(Number(p.offset) < lastCommit.get(p.partition)! + 1, `partition ${p.partition}: commits after the flip went to Pulsar`);
  }
  const subs = await admin.subscriptions.list(`${f.pulsarTopic}-partition-0`);
  assert.ok(subs.includes(group), 'the group has its durable subscription on Pulsar');
  assert.equal((await http(base, 'DELETE', inst)).status, 204);
});
