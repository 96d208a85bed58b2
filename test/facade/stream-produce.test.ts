// v3 streaming produce, pipelined (src/facade/v3/stream-produce.ts): records of one stream are queued on the
// route's writer while earlier ones still wait for the broker. Over real HTTP against the real stack, each
// route: a stream of thousands of records sent fast (several runs in flight at once — observed, not assumed)
// keeps its order per partition with exact, consecutive offsets, one report per record in stream order; a
// record refused in the middle (a partition that does not exist, invalid base64) is reported in its own place
// and the records around it, queued in the same run, are written. The side holds exactly the good records.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import type { Route } from '../../src/facade/route-table.js';
import { STREAM_LIMITS } from '../../src/facade/v3/stream-produce.js';
import { fixture, readKafka, readPulsar } from './fixture.js';

const PARTITIONS = 3;
const N = 3_000;
const BAD_PARTITION = 1_234; // partition_id 99: the topic has 3
const BAD_BASE64 = 2_001;

function line(i: number): string {
  if (i === BAD_PARTITION) return `${JSON.stringify({ partition_id: 99, value: { type: 'STRING', data: `s-${i}` } })}\n`;
  if (i === BAD_BASE64) return '{"value": {"type": "BINARY", "data": "!!"}}\n';
  return `${JSON.stringify({ key: { type: 'STRING', data: `k${i % 11}` }, value: { type: 'STRING', data: `s-${i}` } })}\n`;
}

/** Posts the records as one chunked stream, 100 records a chunk, as fast as the socket takes them. */
function stream(url: string, n = N, lineOf = line): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => (text += s));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    let i = 0;
    const pump = () => {
      while (i < n) {
        let chunk = '';
        for (const end = Math.min(n, i + 100); i < end; i++) chunk += lineOf(i);
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

for (const route of ['kafka', 'pulsar', 'dual'] as Route[]) {
  test(`route ${route}: a pipelined stream keeps order and exact offsets, and reports a refused record in its place`, { timeout: 180_000 }, async () => {
    const f = await fixture(`fct-stream-${route}`, route, PARTITIONS);
    // Observe the pipeline: requests queued on the writer whose results are still to come.
    let outstanding = 0;
    let deepest = 0;
    const enqueue = f.core.enqueue.bind(f.core);
    f.core.enqueue = async (topic, records) => {
      const queued = await enqueue(topic, records);
      deepest = Math.max(deepest, ++outstanding);
      const settle = () => void outstanding--;
      queued.done.then(settle, settle);
      return queued;
    };
    const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    const cluster = ((await (await fetch(`${base}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0]!.cluster_id;

    const res = await stream(`${base}/v3/clusters/${cluster}/topics/${f.topic}/records`);
    assert.equal(res.status, 200);
    const reports = res.text.trim().split('\n').map((l) => JSON.parse(l) as { error_code: number; partition_id?: number; offset?: number; message?: string });
    assert.equal(reports.length, N, 'one report per record');
    assert.ok(deepest > 1, `several runs of the stream in flight at once (deepest ${deepest})`);

    assert.equal(reports[BAD_PARTITION]!.error_code, 404, JSON.stringify(reports[BAD_PARTITION]));
    assert.equal(reports[BAD_BASE64]!.error_code, 400, JSON.stringify(reports[BAD_BASE64]));
    const good = new Map<number, { partition: number; offset: number }>();
    reports.forEach((r, i) => {
      if (i === BAD_PARTITION || i === BAD_BASE64) return;
      assert.equal(r.error_code, 200, `record ${i}: ${JSON.stringify(r)}`);
      good.set(i, { partition: r.partition_id!, offset: r.offset! });
    });
    // Per partition, in stream order: offsets 0, 1, 2, ... (nothing else writes the topic).
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = [...good.values()].filter((g) => g.partition === p).map((g) => g.offset);
      assert.ok(offsets.length > 0);
      assert.deepEqual(offsets, offsets.map((_, k) => k), `partition ${p}: consecutive offsets in stream order`);
    }

    // The side holds exactly the good records, each at the offset its report gave.
    const held = route === 'pulsar' ? await readPulsar(f.pulsarTopic, PARTITIONS) : await readKafka(f.topic, good.size);
    assert.equal(held.length, good.size);
    const at = new Map(held.map((h) => [`${h.partition}/${h.offset}`, h.value]));
    for (const [i, g] of good) assert.equal(at.get(`${g.partition}/${g.offset}`), `s-${i}`, `record ${i}`);
    if (route === 'dual') {
      const mirrored = await readPulsar(f.pulsarTopic, PARTITIONS);
      assert.deepEqual(
        mirrored.map((m) => [m.partition, m.offset, m.value]),
        held.map((h) => [h.partition, h.offset, h.value]),
      );
    }
  });
}

test('many concurrent streams share the process budget of records in flight, and each completes exactly', { timeout: 180_000 }, async () => {
  const STREAMS = 12;
  const EACH = 1_500;
  const f = await fixture('fct-stream-many', 'kafka', PARTITIONS);
  // Records queued on the writer whose results are still to come, over all streams.
  let outstanding = 0;
  let most = 0;
  const enqueue = f.core.enqueue.bind(f.core);
  f.core.enqueue = async (topic, records) => {
    const queued = await enqueue(topic, records);
    outstanding += records.length;
    most = Math.max(most, outstanding);
    const settle = () => void (outstanding -= records.length);
    queued.done.then(settle, settle);
    return queued;
  };
  const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
  const cluster = ((await (await fetch(`${base}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0]!.cluster_id;
  const url = `${base}/v3/clusters/${cluster}/topics/${f.topic}/records`;
  const lineOf = (s: number) => (i: number) => `${JSON.stringify({ key: { type: 'STRING', data: `s${s}` }, value: { type: 'STRING', data: `${s}-${i}` } })}\n`;
  const results = await Promise.all(Array.from({ length: STREAMS }, (_, s) => stream(url, EACH, lineOf(s))));

  // Without the shared budget each stream alone holds up to recordsInFlight (12 x 1,000 here).
  const bound = STREAM_LIMITS.processRecordsInFlight + STREAM_LIMITS.run + STREAMS * STREAM_LIMITS.smallRun;
  assert.ok(most <= bound, `at most ${bound} records in flight over all streams, saw ${most}`);
  assert.ok(most > STREAM_LIMITS.run, `streams ran side by side (${most} records in flight at most)`);
  // Each stream: one report per record, all written, its records (one key: one partition) at consecutive offsets.
  const written = new Map<string, number>();
  results.forEach((res, s) => {
    assert.equal(res.status, 200);
    const reports = res.text.trim().split('\n').map((l) => JSON.parse(l) as { error_code: number; partition_id: number; offset: number });
    assert.equal(reports.length, EACH, `stream ${s}: one report per record`);
    reports.forEach((r, i) => {
      assert.equal(r.error_code, 200, `stream ${s} record ${i}`);
      if (i > 0) assert.ok(r.offset > reports[i - 1]!.offset && r.partition_id === reports[0]!.partition_id, `stream ${s}: record ${i} after ${i - 1} in one partition`);
      written.set(`${r.partition_id}/${r.offset}`, i);
    });
  });
  assert.equal(written.size, STREAMS * EACH, 'no two records at one offset');
  const held = await readKafka(f.topic, STREAMS * EACH);
  assert.equal(held.length, STREAMS * EACH);
  for (const h of held) {
    const [s, i] = h.value!.split('-').map(Number);
    assert.equal(written.get(`${h.partition}/${h.offset}`), i, `stream ${s} record ${i} at the offset its report gave`);
  }
});
