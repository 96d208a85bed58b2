// Small HTTP helpers for the v2 consumer tests (requests through fastify.inject()).
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { V2 } from './fixture.js';

export interface V2Record {
  topic: string;
  key: unknown;
  value: unknown;
  partition: number;
  offset: number;
}

export async function call(app: FastifyInstance, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, accept = V2): Promise<{ status: number; body: unknown; type: string }> {
  const res = await app.inject({ method, url, headers: { 'content-type': V2, accept }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
  return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown), type: String(res.headers['content-type'] ?? '') };
}

/** Polls records until `n` arrived (fails after `timeoutMs`); every poll must answer 200. */
export async function pollN(app: FastifyInstance, base: string, n: number, accept: string, timeoutMs = 60_000, query = 'timeout=1000'): Promise<V2Record[]> {
  const out: V2Record[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    assert.ok(Date.now() < deadline, `only ${out.length} of ${n} records within ${timeoutMs} ms`);
    const r = await call(app, 'GET', `${base}/records?${query}`, undefined, accept);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(...(r.body as V2Record[]));
  }
  return out;
}

/** One poll that must bring nothing. */
export async function pollNothing(app: FastifyInstance, base: string, accept: string, timeout = 1500): Promise<void> {
  const r = await call(app, 'GET', `${base}/records?timeout=${timeout}`, undefined, accept);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, []);
}
