// The facade's HTTP server: per-request log lines (and per-request child loggers) only at level debug (two pino
// lines per produce request at info would cost more than the request), against the real stack on route kafka.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { buildFacadeApp } from '../../src/facade/server.js';
import { fixture, V2_JSON_FMT } from './fixture.js';

test('request lines are logged at level debug only', { timeout: 60_000 }, async () => {
  const f = await fixture('fct-log', 'kafka', 1);
  for (const level of ['info', 'debug'] as const) {
    const lines: { msg?: string; reqId?: string }[] = [];
    const logger = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg?: string; reqId?: string }) });
    const app = buildFacadeApp(f.core, { logger });
    const res = await app.inject({ method: 'POST', url: `/topics/${f.topic}`, headers: { 'content-type': V2_JSON_FMT }, payload: { records: [{ value: { n: 1 } }] } });
    assert.equal(res.statusCode, 200, res.body);
    await app.close();
    const requestLines = lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
    assert.equal(requestLines.length, level === 'debug' ? 2 : 0, `level ${level}`);
    assert.ok(requestLines.every((l) => l.reqId !== undefined), 'at debug, lines of a request carry its id');
  }
});
