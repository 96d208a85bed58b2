// v2 produce (binary and json embedded formats, to a topic and to a partition) and metadata reads, in each
// route, through fastify.inject(); what each side then holds is read back from Kafka and Pulsar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionForKey } from '../../src/facade/murmur2.js';
import type { Route } from '../../src/facade/route-table.js';
import { b64, fixture, readKafka, readPulsar, V2, V2_BINARY, V2_JSON_FMT } from './fixture.js';

const PARTITIONS = 3;

for (const route of ['kafka', 'pulsar', 'dual'] as Route[]) {
  test(`route ${route}: v2 produce binary, json and to a partition; metadata; each side holds what it should`, { timeout: 180_000 }, async () => {
    const f = await fixture(`fct-v2-${route}`, route, PARTITIONS);
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

    const bin = await f.app.inject({
      method: 'POST',
      url: `/topics/${f.topic}`,
      headers: { 'content-type': V2_BINARY, accept: V2 },
      payload: { records: keys.map((k) => ({ key: b64(k), value: b64(`v-${k}`) })) },
    });
    assert.equal(bin.statusCode, 200, bin.body);
    assert.match(String(bin.headers['content-type']), /^application\/vnd\.kafka\.v2\+json\b/);
    const binBody = bin.json<{ offsets: { partition: number; offset: number; error_code: null; error: null }[]; key_schema_id: null; value_schema_id: null }>();
    assert.deepEqual(Object.keys(binBody), ['offsets', 'key_schema_id', 'value_schema_id']);
    assert.equal(binBody.offsets.length, keys.length);
    binBody.offsets.forEach((o, i) => {
      assert.equal(o.partition, partitionForKey(Buffer.from(keys[i]!), PARTITIONS), `key ${keys[i]} lands where Kafka's partitioner puts it`);
      assert.equal(o.error_code, null);
      assert.equal(o.error, null);
      assert.equal(typeof o.offset, 'number');
    });

    const json = await f.app.inject({
      method: 'POST',
      url: `/topics/${f.topic}`,
      headers: { 'content-type': V2_JSON_FMT },
      payload: { records: [{ key: 'k-json', value: { foo: 'bar', n: [1, 2] } }, { value: 42 }] },
    });
    assert.equal(json.statusCode, 200, json.body);
    const toPartition = await f.app.inject({
      method: 'POST',
      url: `/topics/${f.topic}/partitions/1`,
      headers: { 'content-type': V2_BINARY },
      payload: { records: [{ value: b64('p1-a') }, { value: b64('p1-b') }] },
    });
    assert.equal(toPartition.statusCode, 200, toPartition.body);
    const p1 = toPartition.json<{ offsets: { partition: number; offset: number }[] }>().offsets;
    assert.deepEqual(p1.map((o) => o.partition), [1, 1]);
    assert.equal(p1[1]!.offset, p1[0]!.offset + 1);

    // metadata
    const meta = await f.app.inject({ method: 'GET', url: `/topics/${f.topic}` });
    assert.equal(meta.statusCode, 200, meta.body);
    const m = meta.json<{ name: string; configs: object; partitions: { partition: number; leader: number; replicas: unknown[] }[] }>();
    assert.equal(m.name, f.topic);
    assert.deepEqual(m.partitions.map((p) => p.partition), [0, 1, 2]);
    const offsets = await f.app.inject({ method: 'GET', url: `/topics/${f.topic}/partitions/1/offsets` });
    assert.equal(offsets.statusCode, 200, offsets.body);
    const o = offsets.json<{ beginning_offset: number; end_offset: number }>();
    assert.equal(o.end_offset, p1[1]!.offset + 1);
    const brokers = await f.app.inject({ method: 'GET', url: '/brokers' });
    assert.equal(brokers.statusCode, 200);
    assert.ok(Array.isArray(brokers.json<{ brokers: number[] }>().brokers));

    // what each side holds
    const total = keys.length + 4;
    const onKafka = route === 'pulsar' ? [] : await readKafka(f.topic, total);
    const onPulsar = route === 'kafka' ? [] : await readPulsar(f.pulsarTopic, PARTITIONS);
    if (route !== 'pulsar') assert.equal(onKafka.length, total);
    if (route !== 'kafka') assert.equal(onPulsar.length, total);
    const side = route === 'pulsar' ? onPulsar : onKafka;
    for (const [i, k] of keys.entries()) {
      const rec = side.find((r) => r.key === k);
      assert.ok(rec, `record ${k} stored`);
      assert.equal(rec.value, `v-${k}`);
      assert.equal(rec.partition, binBody.offsets[i]!.partition);
      assert.equal(rec.offset, BigInt(binBody.offsets[i]!.offset));
    }
    const jsonRec = side.find((r) => r.key === '"k-json"');
    assert.ok(jsonRec, 'json key stored as its JSON text');
    assert.deepEqual(JSON.parse(jsonRec.value!), { foo: 'bar', n: [1, 2] });
    if (route === 'dual') {
      // Pairable: same partition, Kafka offset = Pulsar sequence id, same key and value.
      const pulsarByPos = new Map(onPulsar.map((r) => [`${r.partition}/${r.offset}`, r]));
      for (const k of onKafka) {
        const p = pulsarByPos.get(`${k.partition}/${k.offset}`);
        assert.ok(p, `Kafka ${k.partition}/${k.offset} has its Pulsar twin`);
        assert.equal(p.key, k.key);
        assert.equal(p.value, k.value);
        assert.equal(p.timestamp, k.timestamp);
      }
    }
  });
}
