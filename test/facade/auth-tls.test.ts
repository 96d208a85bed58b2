// Basic and bearer authentication (40101 in the REST Proxy's format otherwise) and HTTPS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { authFromEnv } from '../../src/facade/http/auth.js';
import { fixture, V2 } from './fixture.js';

test('basic auth: right password passes, wrong or missing gets 401 / 40101', { timeout: 60_000 }, async () => {
  const auth = authFromEnv({ K2P_FACADE_AUTH: 'basic', K2P_FACADE_USERS: 'alice:s3cret:with:colons,bob:pw' });
  const f = await fixture('fct-auth', 'kafka', 1, { auth });
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  assert.equal((await f.app.inject({ url: '/topics', headers: { authorization: basic('alice', 's3cret:with:colons') } })).statusCode, 200);
  for (const authorization of [basic('alice', 'wrong'), basic('carol', 'pw'), 'Bearer x', undefined]) {
    const res = await f.app.inject({ url: '/topics', headers: authorization ? { authorization } : {} });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { error_code: 40101, message: 'Authentication failed: missing or invalid credentials' });
  }
});

test('bearer auth and HTTPS: a token passes over TLS, another does not', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-facade-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'));
  const auth = authFromEnv({ K2P_FACADE_AUTH: 'bearer', K2P_FACADE_TOKENS: 'tok-1,tok-2' });
  const f = await fixture('fct-tls', 'kafka', 1, { auth, tls: { key: readFileSync(join(dir, 'key.pem')), cert } });
  const url = await f.app.listen({ port: 0, host: '127.0.0.1' });
  assert.match(url, /^https:/);
  const get = (token: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/topics/${f.topic}`, { ca: cert, headers: { authorization: `Bearer ${token}`, accept: V2 } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const ok = await get('tok-2');
  assert.equal(ok.status, 200, ok.body);
  assert.equal((JSON.parse(ok.body) as { name: string }).name, f.topic);
  assert.equal((await get('tok-3')).status, 401);
});
