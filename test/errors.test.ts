// The error catalog and docs/errors.md describe the same codes, both ways (as fastify checks its own).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CATALOG, K2pError, isK2pError } from '../src/errors.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...doc.matchAll(/^\| `(K2P_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));

test('every catalog code is documented in docs/errors.md', () => {
  const missing = Object.keys(ERROR_CATALOG).filter((code) => !documented.has(code));
  assert.deepEqual(missing, []);
});

test('every documented code exists in the catalog', () => {
  const unknown = [...documented].filter((code) => !(code in ERROR_CATALOG));
  assert.deepEqual(unknown, []);
});

test('documented retry flags match the catalog', () => {
  for (const m of doc.matchAll(/^\| `(K2P_[A-Z0-9_]+)` \| (yes|no) \|/gm)) {
    const code = m[1] as keyof typeof ERROR_CATALOG;
    assert.equal(ERROR_CATALOG[code].canRetry, m[2] === 'yes', `${code} retry flag`);
  }
});

test('K2pError carries code, retry flag and details, and can override the retry flag', () => {
  const err = new K2pError('K2P_PLS_SERVER', 'ServiceNotReady', { topic: 't' }, { canRetry: true });
  assert.equal(err.code, 'K2P_PLS_SERVER');
  assert.equal(err.canRetry, true);
  assert.equal(err.details.topic, 't');
  assert.match(err.message, /^K2P_PLS_SERVER: ServiceNotReady$/);
  assert.ok(isK2pError(err, 'K2P_PLS_SERVER'));
  assert.ok(!isK2pError(new Error('x')));
});
