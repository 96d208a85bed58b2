// Client mistakes get the REST Proxy's error format and status, never a 500, and write nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { b64, fixture, readPulsar, V2, V2_BINARY } from './fixture.js';

test('bad input: 413, malformed JSON, invalid base64, unknown topic/partition, 406, 415, empty records — nothing written', { timeout: 120_000 }, async () => {
  const f = await fixture('fct-bad', 'dual', 2, { bodyLimit: 4096 });
  const post = (url: string, payload: string, headers: Record<string, string> = { 'content-type': V2_BINARY }) => f.app.inject({ method: 'POST', url, headers, payload });
  const expectError = (res: { statusCode: number; json<T>(): T; body: string }, status: number, code: number) => {
    assert.equal(res.statusCode, status, res.body);
    const body = res.json<{ error_code: number; message: string }>();
    assert.deepEqual(Object.keys(body).sort(), ['error_code', 'message']);
    assert.equal(body.error_code, code);
    assert.equal(typeof body.message, 'string');
  };
  const t = `/topics/${f.topic}`;
  expectError(await post(t, JSON.stringify({ records: [{ value: 'x'.repeat(8000) }] })), 413, 413);
  expectError(await post(t, '{"records": [ {"value": '), 400, 400);
  expectError(await post(t, JSON.stringify({ records: [{ value: b64('ok') }, { value: 'not base64!' }] })), 422, 422);
  expectError(await post(t, JSON.stringify({ records: [] })), 422, 422);
  expectError(await post(t, JSON.stringify({ notrecords: 1 })), 422, 422);
  expectError(await post(`/topics/${f.topic}-missing`, JSON.stringify({ records: [{ value: b64('x') }] })), 404, 40401);
  expectError(await post(`${t}/partitions/7`, JSON.stringify({ records: [{ value: b64('x') }] })), 404, 40402);
  expectError(await post(t, JSON.stringify({ records: [{ value: b64('a') }, { value: b64('b'), partition: 9 }] })), 404, 40402);
  expectError(await post(t, JSON.stringify({ records: [{ value: b64('x') }] }), { 'content-type': V2_BINARY, accept: 'text/html' }), 406, 406);
  expectError(await post(t, JSON.stringify({ records: [{ value: b64('x') }] }), { 'content-type': 'text/plain' }), 415, 415);
  expectError(await post(t, JSON.stringify({ records: [{ value: { a: 1 } }] }), { 'content-type': 'application/vnd.kafka.avro.v2+json' }), 415, 415);
  expectError(await f.app.inject({ method: 'GET', url: `/topics/${f.topic}-missing` }), 404, 40401);
  expectError(await f.app.inject({ method: 'GET', url: `${t}/partitions/5` }), 404, 40402);
  expectError(await f.app.inject({ method: 'GET', url: '/no/such/route' }), 404, 404);
  expectError(await f.app.inject({ method: 'GET', url: '/topics', headers: { accept: 'application/xml' } }), 406, 406);

  // v3
  const v3 = (await f.app.inject({ method: 'GET', url: '/v3/clusters' })).json<{ data: { cluster_id: string }[] }>();
  const cluster = v3.data[0]!.cluster_id;
  const v3url = `/v3/clusters/${cluster}/topics/${f.topic}/records`;
  expectError(await post(v3url, '{"value": {"type": "BINARY", "data": "%%%"}}', { 'content-type': 'application/json' }), 400, 400);
  expectError(await post(v3url, '', { 'content-type': 'application/json' }), 422, 422);
  expectError(await post(v3url, '{"value": {"type": "JSON", "data": 1}}', { 'content-type': 'text/plain' }), 415, 415);
  expectError(await post(`/v3/clusters/${cluster}/topics/${f.topic}-missing/records`, '{"value": {"type": "JSON", "data": 1}}', { 'content-type': 'application/json' }), 404, 404);
  expectError(await post(`/v3/clusters/nope/topics/${f.topic}/records`, '{}', { 'content-type': 'application/json' }), 404, 404);
  const batch = await post(`${v3url}:batch`, JSON.stringify({ entries: [{ id: '1', value: { type: 'JSON', data: 1 } }, { id: '2', value: { type: 'BINARY', data: '!!' } }] }), { 'content-type': 'application/json' });
  assert.equal(batch.statusCode, 207, batch.body);
  const b = batch.json<{ successes: unknown[]; failures: { id: string; error_code: number }[] }>();
  assert.equal(b.successes.length, 0, 'all-or-nothing: nothing succeeded');
  assert.deepEqual(b.failures.map((x) => x.id), ['1', '2']);

  // Nothing of the above reached either side.
  const kafkaEnd = await f.core.kafka.endOffsets(f.topic);
  assert.deepEqual([...kafkaEnd.values()], [0n, 0n]);
  assert.equal((await readPulsar(f.pulsarTopic, 2)).length, 0);

  // And a good request still works afterwards.
  const ok = await post(t, JSON.stringify({ records: [{ value: b64('fine') }] }), { 'content-type': V2_BINARY, accept: V2 });
  assert.equal(ok.statusCode, 200, ok.body);
});
