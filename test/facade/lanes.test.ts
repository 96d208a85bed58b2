// Producer lanes (src/facade/lanes.ts): partitions written through several Kafka producers with sends of
// different lanes in flight together. Against the real stack: many concurrent clients, single-record requests
// and requests spanning lanes, partitions sharing a lane; every returned offset must hold exactly that record in
// Kafka, each client's records keep their order per partition, requests queued one after the other (a v3
// stream) get offsets in that order, nothing is duplicated, and on route dual Pulsar stores each partition in
// Kafka's order with sequence id = Kafka offset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaProducerKind } from '../../src/facade/kafka/kafka-side.js';
import { submitByLane } from '../../src/facade/lanes.js';
import type { PlacedRecord, RecordResult } from '../../src/facade/records.js';
import type { Route } from '../../src/facade/route-table.js';
import { buildFacadeApp } from '../../src/facade/server.js';
import { facadeCore } from '../../src/facade/start.js';
import { cleanup } from '../helpers/stack.js';
import { b64, readKafka, readPulsar, topics, V2_BINARY, writeConfig } from './fixture.js';

const LANES = 4;
const PARTITIONS = 6; // partitions 0 and 4, 1 and 5 share a lane
const CLIENTS = 24;
const REQUESTS = 40; // per client
const PIPELINED = 3_000;

test('submitByLane: a request spanning lanes is split by lane in its order, results come back in its order', async () => {
  const rec = (partition: number, v: string): PlacedRecord => ({ partition, key: null, value: Buffer.from(v), headers: [], timestamp: 0 });
  const seen: [number, string[]][] = [];
  const submit = async (lane: number, records: readonly PlacedRecord[]): Promise<RecordResult[]> => {
    seen.push([lane, records.map((r) => r.value!.toString())]);
    return records.map((r) => ({ partition: r.partition, offset: BigInt(lane * 100), timestamp: 0 }));
  };
  const out = await submitByLane([rec(1, 'a'), rec(0, 'b'), rec(5, 'c'), rec(4, 'd'), rec(2, 'e')], 4, submit);
  assert.deepEqual(seen, [
    [1, ['a', 'c']],
    [0, ['b', 'd']],
    [2, ['e']],
  ]);
  assert.deepEqual(
    out.map((r) => [r.partition, r.offset]),
    [
      [1, 100n],
      [0, 0n],
      [5, 100n],
      [4, 0n],
      [2, 200n],
    ],
  );
  seen.length = 0;
  await submitByLane([rec(3, 'x'), rec(7, 'y')], 4, submit); // one lane: submitted whole
  assert.deepEqual(seen, [[3, ['x', 'y']]]);
});

// Both Kafka producers the facade can write through: ours (the default) on both routes, kafkajs's on route kafka.
const cases: [Route, KafkaProducerKind][] = [
  ['kafka', 'wire'],
  ['dual', 'wire'],
  ['kafka', 'kafkajs'],
];
for (const [route, producer] of cases) {
  test(`route ${route}, ${LANES} producer lanes (${producer}): ${CLIENTS} concurrent clients, offsets exact, order kept per partition, no duplicate`, { timeout: 180_000 }, async () => {
    const { topic, pulsarTopic } = await topics(`fct-lanes-${route}`, PARTITIONS);
    const core = facadeCore(writeConfig(topic, route), { producerLanes: LANES, kafkaProducer: producer });
    assert.equal(core.kafka.producer, producer);
    const app = buildFacadeApp(core, {});
    cleanup(async () => {
      await app.close();
      await core.close();
    });
    // Per client: request i is a single record to partition (client + i) % PARTITIONS, or (every third one)
    // three records to three partitions of different lanes. Values name client and place in the client's order.
    const reported = new Map<string, { partition: number; offset: number }>();
    const sentOrder: string[][] = Array.from({ length: CLIENTS }, () => []);
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < REQUESTS; i++) {
          const first = (c + i) % PARTITIONS;
          const parts = i % 3 === 2 ? [first, (first + 1) % PARTITIONS, (first + 3) % PARTITIONS] : [first];
          const values = parts.map((_p, j) => `c${c}-${i}-${j}`);
          const res = await app.inject({ method: 'POST', url: `/topics/${topic}`, headers: { 'content-type': V2_BINARY }, payload: { records: values.map((v, j) => ({ value: b64(v), partition: parts[j] })) } });
          assert.equal(res.statusCode, 200, res.body);
          const offsets = res.json<{ offsets: { partition: number; offset: number | null; error_code: number | null }[] }>().offsets;
          offsets.forEach((o, j) => {
            assert.equal(o.error_code, null, `${values[j]} failed`);
            assert.equal(o.partition, parts[j]);
            reported.set(values[j]!, { partition: o.partition, offset: o.offset! });
          });
          sentOrder[c]!.push(...values);
        }
      }),
    );
    // Pipelined, as a v3 stream does: each request queued once the previous one is (not answered), so the
    // queueing order is the order the offsets of each partition must follow.
    const queued: { value: string; partition: number; done: Promise<RecordResult[]> }[] = [];
    for (let i = 0; i < PIPELINED; i++) {
      const partition = (i * 7) % PARTITIONS;
      const value = `pipelined-${i}`;
      const { done } = await core.enqueue(topic, [{ partition, key: null, value: Buffer.from(value), headers: [] }]);
      queued.push({ value, partition, done });
    }
    const lastPipelined = new Map<number, bigint>();
    for (const q of queued) {
      const [r] = await q.done;
      assert.equal(r!.error, undefined, `${q.value} failed`);
      assert.ok(r!.offset! > (lastPipelined.get(q.partition) ?? -1n), `${q.value}: offset ${r!.offset} after the records of partition ${q.partition} queued before it`);
      lastPipelined.set(q.partition, r!.offset!);
      reported.set(q.value, { partition: q.partition, offset: Number(r!.offset) });
    }
    const total = reported.size;
    const sends = core.kafka.batchStats(topic) ?? core.dual.batchStats(topic);
    assert.equal(core.kafka.lanes, LANES);

    const stored = await readKafka(topic, total);
    assert.equal(stored.length, total, 'Kafka holds each record once');
    const at = new Map(stored.map((r) => [`${r.partition}/${r.offset}`, r.value]));
    for (const [value, o] of reported) assert.equal(at.get(`${o.partition}/${o.offset}`), value, `the offset reported for ${value} holds it`);
    // Each partition's offsets are 0..n-1 (no gap, no duplicate) and each client's records keep its order.
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = stored.filter((r) => r.partition === p).map((r) => Number(r.offset));
      assert.deepEqual(offsets, [...offsets.keys()], `partition ${p}: consecutive offsets`);
    }
    for (let c = 0; c < CLIENTS; c++) {
      const last = new Map<number, number>();
      for (const v of sentOrder[c]!) {
        const o = reported.get(v)!;
        assert.ok(o.offset > (last.get(o.partition) ?? -1), `client ${c}: ${v} after its earlier records of partition ${o.partition}`);
        last.set(o.partition, o.offset);
      }
    }
    assert.ok(sends && sends.sends < sends.requests, `concurrent requests shared sends (${sends?.requests} requests in ${sends?.sends} sends)`);

    if (route === 'dual') {
      const pulsar = await readPulsar(pulsarTopic, PARTITIONS);
      assert.equal(pulsar.length, total, 'Pulsar holds each record once');
      for (let p = 0; p < PARTITIONS; p++) {
        const kafkaSide = stored.filter((r) => r.partition === p).map((r) => [r.offset, r.value]);
        const pulsarSide = pulsar.filter((r) => r.partition === p).map((r) => [r.offset, r.value]);
        assert.deepEqual(pulsarSide, kafkaSide, `partition ${p}: Pulsar stores Kafka's records in Kafka's order, sequence id = offset`);
      }
    }
  });
}
