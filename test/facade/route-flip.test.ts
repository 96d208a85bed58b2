// Route flip kafka → pulsar while a client keeps producing over HTTP (keep-alive), with the real mirror
// copying Kafka to Pulsar: the flip waits for in-flight requests and for Pulsar to hold every Kafka offset,
// then Pulsar continues the numbering. Every record the client was told is stored is in Pulsar exactly
// once, at the partition and offset (= sequence id) the client was given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mirror } from '../../src/mirror/mirror.js';
import { testClient } from '../helpers/pulsar.js';
import { uniqueName } from '../helpers/stack.js';
import { b64, fixture, kafka, readPulsar, V2, V2_BINARY } from './fixture.js';

test('flip kafka → pulsar under a producing client: nothing lost, nothing duplicated, offsets continue', { timeout: 300_000 }, async () => {
  const f = await fixture('fct-flip', 'kafka', 2);
  const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
  const mirror = new Mirror({
    kafka,
    pulsar: testClient(),
    groupId: uniqueName('fct-flip-mirror'),
    topics: [{ source: f.topic, target: f.pulsarTopic, persistent: true, partitions: 2, mapping: { provenance: true, headerEncoding: 'lossless' } }],
  });
  await mirror.start();

  const told = new Map<string, { partition: number; offset: number }>();
  let n = 0;
  let stop = false;
  let errors = 0;
  const client = (async () => {
    while (!stop) {
      const values = Array.from({ length: 10 }, () => `c-${n++}`);
      const res = await fetch(`${base}/topics/${f.topic}`, {
        method: 'POST',
        headers: { 'content-type': V2_BINARY, accept: V2 },
        body: JSON.stringify({ records: values.map((v) => ({ key: b64(`key-${v.length % 5}-${v}`), value: b64(v) })) }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { offsets: { partition: number; offset: number | null; error_code: number | null }[] };
      body.offsets.forEach((o, i) => {
        if (o.error_code === null) told.set(values[i]!, { partition: o.partition, offset: o.offset! });
        else errors++;
      });
    }
  })();

  while (told.size < 300) await new Promise((resolve) => setTimeout(resolve, 50));
  const flip = await fetch(`${base}/k2p/routes/${f.topic}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: 'pulsar' }) });
  assert.equal(flip.status, 200, await flip.clone().text());
  assert.deepEqual(await flip.json(), { topic: f.topic, route: 'pulsar', previous: 'kafka' });
  const atFlip = told.size;
  while (told.size < atFlip + 300) await new Promise((resolve) => setTimeout(resolve, 50));
  stop = true;
  await client;
  await mirror.stop().catch(() => undefined);

  assert.equal(errors, 0, 'no record refused');
  const onPulsar = await readPulsar(f.pulsarTopic, 2);
  const byValue = new Map<string, number>();
  for (const r of onPulsar) byValue.set(r.value!, (byValue.get(r.value!) ?? 0) + 1);
  for (const [value, where] of told) {
    assert.equal(byValue.get(value), 1, `${value} is in Pulsar exactly once`);
    const rec = onPulsar.find((r) => r.value === value)!;
    assert.equal(rec.partition, where.partition, `${value}: partition`);
    assert.equal(rec.offset, BigInt(where.offset), `${value}: offset = sequence id`);
  }
  assert.equal(onPulsar.length, told.size, 'nothing else in Pulsar');
  for (const p of [0, 1]) {
    const seqs = onPulsar.filter((r) => r.partition === p).map((r) => Number(r.offset));
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, k) => k), `partition ${p}: offsets 0..n-1 without gap or repeat`);
  }
});
