// v3 produce over real HTTP (node fetch): one record, a chunked stream of records answered one report per
// record in order while the body is still arriving, records:batch; headers and timestamps kept; each route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Route } from '../../src/facade/route-table.js';
import { b64, fixture, readKafka, readPulsar } from './fixture.js';

for (const route of ['kafka', 'pulsar', 'dual'] as Route[]) {
  test(`route ${route}: v3 single record, streaming, batch, over HTTP`, { timeout: 180_000 }, async () => {
    const f = await fixture(`fct-v3-${route}`, route, 2);
    const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    const clusters = (await (await fetch(`${base}/v3/clusters`)).json()) as { data: { cluster_id: string }[] };
    const cluster = clusters.data[0]!.cluster_id;
    const url = `${base}/v3/clusters/${cluster}/topics/${f.topic}/records`;

    // The example of the API reference: one record with headers, key, value, timestamp.
    const one = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        partition_id: 1,
        headers: [{ name: 'Header-1', value: b64('header-1') }],
        key: { type: 'BINARY', data: b64('Hello') },
        value: { type: 'JSON', data: { msg: 'World!' } },
        timestamp: '2021-02-05T19:14:42Z',
      }),
    });
    assert.equal(one.status, 200);
    const r1 = (await one.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(r1).sort(), ['cluster_id', 'error_code', 'key', 'offset', 'partition_id', 'timestamp', 'topic_name', 'value']);
    assert.equal(r1.error_code, 200);
    assert.equal(r1.partition_id, 1);
    assert.equal(r1.topic_name, f.topic);
    assert.equal(r1.timestamp, '2021-02-05T19:14:42.000Z');
    assert.deepEqual(r1.key, { type: 'BINARY', size: 5 });
    assert.deepEqual(r1.value, { type: 'JSON', size: JSON.stringify({ msg: 'World!' }).length });

    // Streaming: 50 records sent in 10 chunks over time; a bad one in the middle is reported in place.
    const N = 50;
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i >= N) return controller.close();
        let chunk = '';
        for (let j = 0; j < 5; j++, i++) {
          chunk += i === 25 ? '{"value": {"type": "BINARY", "data": "!!"}}\n' : `${JSON.stringify({ key: { type: 'STRING', data: `k${i % 7}` }, value: { type: 'STRING', data: `s-${i}` } })}\n`;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        controller.enqueue(encoder.encode(chunk));
      },
    });
    const streamed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 200);
    const lines = (await streamed.text()).trim().split('\n').map((l) => JSON.parse(l) as { error_code: number; offset?: number; partition_id?: number });
    assert.equal(lines.length, N, 'one report per record');
    assert.equal(lines[25]!.error_code, 400);
    const good = lines.filter((_, k) => k !== 25);
    assert.ok(good.every((l) => l.error_code === 200));
    // In order: per partition, offsets grow in the order records were sent.
    for (const p of [0, 1]) {
      const offs = good.filter((l) => l.partition_id === p).map((l) => l.offset!);
      assert.deepEqual(offs, [...offs].sort((a, b) => a - b));
      assert.equal(new Set(offs).size, offs.length);
    }

    const batch = await fetch(`${url}:batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entries: [{ id: 'a', value: { type: 'JSON', data: 1 } }, { id: 'b', value: { type: 'STRING', data: 'two' } }] }),
    });
    assert.equal(batch.status, 207);
    const b = (await batch.json()) as { successes: { id: string; error_code: number }[]; failures: unknown[] };
    assert.deepEqual(b.successes.map((s) => [s.id, s.error_code]), [['a', 200], ['b', 200]]);
    assert.deepEqual(b.failures, []);

    // The side holds every record once, with header and timestamp of the first.
    const total = 1 + (N - 1) + 2;
    const held = route === 'pulsar' ? await readPulsar(f.pulsarTopic, 2) : await readKafka(f.topic, total);
    assert.equal(held.length, total);
    const first = held.find((r) => r.key === 'Hello')!;
    assert.equal(first.headers['Header-1'], 'header-1');
    assert.equal(first.timestamp, String(Date.parse('2021-02-05T19:14:42Z')));
    assert.equal(first.partition, 1);
    for (let k = 0; k < N; k++) if (k !== 25) assert.equal(held.filter((r) => r.value === `s-${k}`).length, 1, `s-${k} once`);
  });
}
