// Every admin endpoint's happy path and its validation errors, against a working gateway on the real
// stack: a run created from files, its topics, lag, history, groups cut over and rolled back, verification,
// pause / resume / cancel, facade routes, metrics, OpenAPI document and docs page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ENDPOINTS } from '../../src/admin/index.js';
import { createEstate, waitRun } from '../runs/helpers.js';
import { adminApp, call, routeControl } from './helpers.js';

const estate = await createEstate({ topics: 2, partitions: 2, records: 200, consumed: 80 });
const { app, gateway } = adminApp({ routes: routeControl(estate.files) });
let runId = '';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('POST /api/v1/runs validates its body: 400 K2P_ADMIN_VALIDATION naming the field, 422 for files that do not load', async () => {
  const cases: [unknown, RegExp][] = [
    [{}, /exactly one of config/],
    [{ config: 'connectors.yaml' }, /body\.config must be array/],
    [{ config: [] }, /body\.config must NOT have fewer than 1 items/],
    [{ config: estate.files, colour: 'red' }, /must NOT have additional properties/],
    [{ config: estate.files, files: [{ name: 'a.yaml', content: '' }] }, /exactly one of config/],
    [{ config: estate.files, cutover: 'sometimes' }, /body\.cutover must be equal to one of the allowed values/],
    [{ files: [{ name: 'a.yaml' }] }, /must have required property 'content'/],
  ];
  for (const [body, message] of cases) {
    const res = await call(app, 'POST', '/api/v1/runs', body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().error.code, 'K2P_ADMIN_VALIDATION');
    assert.match(res.json().error.message, message);
  }
  const notJson = await app.inject({ method: 'POST', url: '/api/v1/runs', headers: { authorization: `Bearer ${(await import('./helpers.js')).TOKEN}`, 'content-type': 'application/json' }, payload: '{"config": [' });
  assert.equal(notJson.statusCode, 400);
  assert.equal(notJson.json().error.code, 'K2P_ADMIN_VALIDATION');

  const bad = await call(app, 'POST', '/api/v1/runs', { files: [{ name: 'm.yaml', content: 'source: nowhere\ntarget: nothing\ntopics: [{ match: x, to: "persistent://a/b/{topic}" }]\n' }] });
  assert.equal(bad.statusCode, 422);
  assert.equal(bad.json().error.code, 'K2P_CFG_INVALID');
  const missing = await call(app, 'POST', '/api/v1/runs', { config: ['/nonexistent/k2p.yaml'] });
  assert.equal(missing.statusCode, 422);
  assert.match(missing.json().error.message, /no such file/);
});

test('unknown runs, bad ids and unknown paths: 404 K2P_RUN_NOT_FOUND, 400, 404 K2P_ADMIN_NOT_FOUND', async () => {
  for (const url of ['/api/v1/runs/nosuch', '/api/v1/runs/nosuch/topics', '/api/v1/runs/nosuch/history', '/api/v1/runs/nosuch/groups', '/api/v1/runs/nosuch/verify']) {
    const res = await call(app, 'GET', url);
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().error.code, 'K2P_RUN_NOT_FOUND', url);
  }
  for (const verb of ['pause', 'resume', 'cancel', 'verify', 'groups/g/cutover', 'groups/g/rollback']) {
    const res = await call(app, 'POST', `/api/v1/runs/nosuch/${verb}`);
    assert.equal(res.statusCode, 404, verb);
    assert.equal(res.json().error.code, 'K2P_RUN_NOT_FOUND');
  }
  const badId = await call(app, 'GET', '/api/v1/runs/has.dots');
  assert.equal(badId.statusCode, 400);
  assert.match(badId.json().error.message, /params\.id must match pattern/);
  const nowhere = await call(app, 'GET', '/api/v1/nowhere');
  assert.equal(nowhere.statusCode, 404);
  assert.equal(nowhere.json().error.code, 'K2P_ADMIN_NOT_FOUND');
});

test('create a run from config paths; list and show it; topics, partitions with lag and history appear', { timeout: 240_000 }, async () => {
  const res = await call(app, 'POST', '/api/v1/runs', { config: estate.files, name: 'api test', cutover: 'manual', verifySettleMs: 3000 });
  assert.equal(res.statusCode, 201, res.body);
  runId = res.json().id;
  assert.equal(res.json().status, 'active');
  const list = await call(app, 'GET', '/api/v1/runs');
  assert.ok(list.json().some((r: { id: string; name: string }) => r.id === runId && r.name === 'api test'));

  // Manual cutover: the run verifies, then waits at the cutover step for the group.
  await waitRun(gateway, runId, (r) => r.step === 'cutover' && /waiting for the cutover of/.test(r.steps.cutover.note ?? ''));
  const show = (await call(app, 'GET', `/api/v1/runs/${runId}`)).json();
  assert.equal(show.run.id, runId);
  assert.deepEqual(show.run.files, estate.files);
  assert.equal(show.run.steps.verify.status, 'done');
  assert.equal(show.groups[0].group, estate.group);
  assert.equal(show.groups[0].state.phase, 'syncing');

  const topics = await until('lag of every topic at 0', async () => {
    const body = (await call(app, 'GET', `/api/v1/runs/${runId}/topics`)).json();
    return body.topics.length === 2 && body.topics.every((t: { lag: { lag: number } | null }) => t.lag?.lag === 0) ? body : undefined;
  });
  assert.deepEqual(
    topics.topics.map((t: { source: string; target: string; partitions: number }) => [t.source, t.target, t.partitions]),
    estate.topics.map((t) => [t, estate.target(t), 2]),
  );
  const one = (await call(app, 'GET', `/api/v1/runs/${runId}/topics/${estate.topics[0]}`)).json();
  assert.equal(one.lag.partitions.length, 2);
  assert.deepEqual(
    one.lag.partitions.map((p: { end: number; committed: number; lag: number }) => [p.end, p.committed, p.lag]),
    [
      [200, 200, 0],
      [200, 200, 0],
    ],
  );
  assert.equal(one.lag.backfillPercent, 100);
  const noTopic = await call(app, 'GET', `/api/v1/runs/${runId}/topics/not-in-run`);
  assert.equal(noTopic.statusCode, 404);
  assert.equal(noTopic.json().error.code, 'K2P_ADMIN_NOT_FOUND');
  const history = (await call(app, 'GET', `/api/v1/runs/${runId}/history`)).json();
  assert.ok(history.points.length >= 2, `${history.points.length} points`);
  assert.equal(history.points.at(-1).mirrored, 800);
  assert.ok(history.points.at(-1).topics[estate.topics[0]!]);
});

test('group cutover and rollback through the API (202, done by the worker), groups show the phase', { timeout: 240_000 }, async () => {
  const unknown = await call(app, 'POST', `/api/v1/runs/${runId}/groups/not-mapped/cutover`);
  assert.equal(unknown.statusCode, 202); // queued: the worker finds no mapping for it
  const failed = await until('the unmapped group operation failing', async () => {
    const g = (await call(app, 'GET', `/api/v1/runs/${runId}/groups`)).json().groups.find((x: { group: string }) => x.group === 'not-mapped');
    return g?.operation.status === 'failed' ? g : undefined;
  });
  assert.equal(failed.operation.error.code, 'K2P_OFF_UNKNOWN_GROUP');

  const cut = await call(app, 'POST', `/api/v1/runs/${runId}/groups/${estate.group}/cutover`);
  assert.equal(cut.statusCode, 202, cut.body);
  assert.equal(cut.json().status, 'queued');
  const done = await until('cutover done', async () => {
    const g = (await call(app, 'GET', `/api/v1/runs/${runId}/groups`)).json().groups.find((x: { group: string }) => x.group === estate.group);
    return g?.operation?.status === 'done' ? g : g?.operation?.status === 'failed' ? assert.fail(JSON.stringify(g.operation)) : undefined;
  });
  assert.equal(done.state.phase, 'cut-over');
  assert.deepEqual(
    done.state.partitions.filter((p: { topic: string }) => p.topic === estate.topics[0]).map((p: { kafkaOffset: string }) => p.kafkaOffset),
    ['80', '80'],
  );
  // Every mapped group cut over: the run's cutover step finishes and the run is live.
  await waitRun(gateway, runId, (r) => r.status === 'live');

  const back = await call(app, 'POST', `/api/v1/runs/${runId}/groups/${estate.group}/rollback`);
  assert.equal(back.statusCode, 202);
  const rolled = await until('rollback done', async () => {
    const g = (await call(app, 'GET', `/api/v1/runs/${runId}/groups`)).json().groups.find((x: { group: string }) => x.group === estate.group);
    return g?.operation?.kind === 'rollback' && g.operation.status === 'done' ? g : undefined;
  });
  // Rolled back; the live run's sync may already have taken the group up again (a rolled-back group is synced).
  assert.match(rolled.state.phase, /^(rolled-back|syncing)$/);
});

test('verification on demand: 202 with an id, then its result', { timeout: 240_000 }, async () => {
  const started = await call(app, 'POST', `/api/v1/runs/${runId}/verify`);
  assert.equal(started.statusCode, 202);
  const id = started.json().id as string;
  const result = await until('verification result', async () => {
    const v = (await call(app, 'GET', `/api/v1/runs/${runId}/verify/${id}`)).json();
    return v.status === 'running' ? undefined : v;
  });
  assert.equal(result.status, 'done', JSON.stringify(result.error));
  assert.equal(result.identical, true);
  assert.equal(result.report.topics.length, 2);
  const all = (await call(app, 'GET', `/api/v1/runs/${runId}/verify`)).json();
  assert.ok(all.verifications.length >= 2, 'the step verification and this one');
  const none = await call(app, 'GET', `/api/v1/runs/${runId}/verify/nope`);
  assert.equal(none.statusCode, 404);
});

test('pause, resume, cancel: state changes, 409 K2P_RUN_STATE where not allowed', { timeout: 60_000 }, async () => {
  const paused = await call(app, 'POST', `/api/v1/runs/${runId}/pause`);
  assert.equal(paused.statusCode, 200);
  assert.equal(paused.json().status, 'paused');
  const again = await call(app, 'POST', `/api/v1/runs/${runId}/pause`);
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().error.code, 'K2P_RUN_STATE');
  const resumed = await call(app, 'POST', `/api/v1/runs/${runId}/resume`);
  assert.equal(resumed.json().status, 'live', 'back to live, where it was paused from');
  assert.equal((await call(app, 'POST', `/api/v1/runs/${runId}/resume`)).statusCode, 409);
  const cancelled = await call(app, 'POST', `/api/v1/runs/${runId}/cancel`);
  assert.equal(cancelled.json().status, 'cancelled');
  const late = await call(app, 'POST', `/api/v1/runs/${runId}/groups/${estate.group}/cutover`);
  assert.equal(late.statusCode, 409);
});

test('facade routes: read and switch through the RouteControl; invalid routes and unmapped topics refused', async () => {
  const topic = estate.topics[0]!;
  const before = (await call(app, 'GET', `/api/v1/routes/${topic}`)).json();
  assert.deepEqual(before, { topic, route: 'kafka', pulsarTopic: estate.target(topic) });
  const set = await call(app, 'PUT', `/api/v1/routes/${topic}`, { route: 'dual' });
  assert.equal(set.statusCode, 200);
  assert.deepEqual(set.json(), { topic, route: 'dual', previous: 'kafka' });
  assert.equal((await call(app, 'GET', `/api/v1/routes/${topic}`)).json().route, 'dual');
  const invalid = await call(app, 'PUT', `/api/v1/routes/${topic}`, { route: 'both' });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().error.code, 'K2P_ADMIN_VALIDATION');
  const unmapped = await call(app, 'PUT', '/api/v1/routes/not-mapped-topic', { route: 'pulsar' });
  assert.equal(unmapped.statusCode, 422);
  assert.match(unmapped.json().error.message, /no topic mapping/);
  const { app: bare } = adminApp();
  const none = await call(bare, 'GET', `/api/v1/routes/${topic}`);
  assert.equal(none.statusCode, 503);
  assert.equal(none.json().error.code, 'K2P_ADMIN_UNAVAILABLE');
});

test('/metrics: Prometheus text with run and mirror metrics', async () => {
  const res = await call(app, 'GET', '/metrics');
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/plain/);
  assert.match(res.body, /^k2p_runs\{status="cancelled"\} 1$/m);
  assert.match(res.body, /^# TYPE k2p_mirror_records_total counter$/m);
  assert.match(res.body, /^k2p_mirror_records_total\{topic="[^"]+",partition="\d"\} \d+$/m);
});

test('/openapi.json documents every endpoint (paths, methods, security); /docs lists them', async () => {
  const doc = (await call(app, 'GET', '/openapi.json', undefined, null)).json();
  assert.equal(doc.openapi, '3.1.0');
  for (const e of ENDPOINTS) {
    const op = doc.paths[e.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[e.method.toLowerCase()];
    assert.ok(op, `${e.method} ${e.url} documented`);
    assert.equal(op.security?.length === 0, e.auth === false, `${e.url} security`);
    assert.ok(op.responses[String(e.status ?? 200)]);
  }
  assert.deepEqual(doc.paths['/api/v1/runs'].post.requestBody.content['application/json'].schema.properties.cutover.enum, ['auto', 'manual']);
  const page = (await call(app, 'GET', '/docs', undefined, null)).body;
  for (const e of ENDPOINTS) assert.ok(page.includes(`<code>${e.url}</code>`), e.url);
  // docs/admin-api.md lists every endpoint too.
  const md = readFileSync(new URL('../../docs/admin-api.md', import.meta.url), 'utf8');
  for (const e of ENDPOINTS) assert.ok(md.includes(`\`${e.method} ${e.url}\``), `docs/admin-api.md: ${e.method} ${e.url}`);
});
