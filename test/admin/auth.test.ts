// Bearer-token auth: every protected endpoint refuses a missing or wrong token (before validating anything),
// accepts the right one; probes and static pages need none; no token on a non-loopback address is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENDPOINTS, isLoopback, requireToken, startAdminServer, tokenMatches } from '../../src/admin/index.js';
import { adminApp, call, TOKEN } from './helpers.js';

const { app, gateway } = adminApp();

function sample(url: string): string {
  return url.replace(':id', 'nosuchrun').replace(':topic', 'some-topic').replace(':group', 'g').replace(':verification', 'v1');
}

test('every protected endpoint answers 401 K2P_ADMIN_AUTH without the token or with a wrong one', async () => {
  const protectedOnes = ENDPOINTS.filter((e) => e.auth !== false);
  assert.ok(protectedOnes.length >= 18, `${protectedOnes.length} protected endpoints`);
  for (const e of protectedOnes) {
    for (const token of [null, 'wrong', `${TOKEN}x`, '']) {
      const res = await call(app, e.method, sample(e.url), e.method === 'GET' ? undefined : { bogus: true }, token);
      assert.equal(res.statusCode, 401, `${e.method} ${e.url} with token ${String(token)}: ${res.body}`);
      assert.equal(res.json().error.code, 'K2P_ADMIN_AUTH');
      assert.match(res.headers['www-authenticate'] as string, /^Bearer/);
    }
  }
  // A scheme other than Bearer is refused too.
  const basic = await app.inject({ method: 'GET', url: '/api/v1/runs', headers: { authorization: `Basic ${TOKEN}` } });
  assert.equal(basic.statusCode, 401);
});

test('the right token is accepted on every protected endpoint (answers are not 401)', async () => {
  for (const e of ENDPOINTS.filter((x) => x.auth !== false)) {
    const res = await call(app, e.method, sample(e.url), e.method === 'PUT' ? { route: 'kafka' } : undefined);
    assert.notEqual(res.statusCode, 401, `${e.method} ${e.url}: ${res.body}`);
  }
});

test('probes, docs, OpenAPI and dashboard files need no token', async () => {
  for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs', '/dashboard/']) {
    const res = await call(app, 'GET', url, undefined, null);
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
  }
  assert.equal((await call(app, 'GET', '/readyz', undefined, null)).json().redis, true);
  assert.ok(gateway.worker);
});

test('tokens compare in constant time and only as Bearer; loopback detection', () => {
  assert.ok(tokenMatches('abc', 'Bearer abc'));
  assert.ok(tokenMatches('abc', 'bearer abc'));
  assert.ok(!tokenMatches('abc', 'Bearer abcd'));
  assert.ok(!tokenMatches('abc', 'abc'));
  assert.ok(!tokenMatches('abc', undefined));
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.org', '192.168.1.1']) assert.ok(!isLoopback(h), h);
  assert.equal(requireToken('127.0.0.1', undefined), undefined);
  assert.equal(requireToken('0.0.0.0', 's3cret'), 's3cret');
});

test('the server refuses to listen on a non-loopback address without a token, and listens on loopback without one', async () => {
  await assert.rejects(startAdminServer({ gateway }, { host: '0.0.0.0', port: 0, token: undefined }), (err: Error & { code?: string }) => err.code === 'K2P_ADMIN_NO_TOKEN' && /K2P_ADMIN_TOKEN/.test(err.message));
  await assert.rejects(startAdminServer({ gateway }, { host: '0.0.0.0', port: 0, token: '' }), /K2P_ADMIN_NO_TOKEN/);
  const open = await startAdminServer({ gateway }, { host: '127.0.0.1', port: 0, token: undefined });
  try {
    const port = (open.server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/runs`);
    assert.equal(res.status, 200);
  } finally {
    await open.close();
  }
  const closed = await startAdminServer({ gateway }, { host: '0.0.0.0', port: 0, token: TOKEN });
  try {
    const port = (closed.server.address() as { port: number }).port;
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/runs`)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/runs`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  } finally {
    await closed.close();
  }
});
