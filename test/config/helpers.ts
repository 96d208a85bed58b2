// Config test helpers: write YAML files into a fresh temporary directory (removed after the test) and load them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { isK2pError, type ErrorCode, type K2pError } from '../../src/errors.js';
import { loadConfig, type ConfigProblem } from '../../src/config/index.js';

export const CONNECTORS = `
connectors:
  kafka-local: { kind: kafka, brokers: ["localhost:9092"] }
  kafka-two: { kind: kafka, brokers: ["other:9092"] }
  registry-local: { kind: schema-registry, url: "http://localhost:8081" }
  pulsar-local: { kind: pulsar, serviceUrl: "pulsar://localhost:6650", adminUrl: "http://localhost:8080" }
  redis-local: { kind: redis, url: "redis://localhost:6379" }
`;

/** Writes `files` (relative name → YAML text) under a temporary directory; returns that directory. */
export function writeFiles(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'k2p-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Loads the given files (relative to `dir`) and returns the K2pError it must throw. */
export function loadError(
  dir: string,
  names: string[],
  env: Record<string, string> = {},
  code: ErrorCode = 'K2P_CFG_INVALID',
): K2pError {
  try {
    loadConfig(
      names.map((n) => join(dir, n)),
      env,
    );
  } catch (err) {
    assert.ok(isK2pError(err), `expected a K2pError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail('loadConfig did not throw');
}

export function problemsOf(err: K2pError): ConfigProblem[] {
  return err.details.problems as ConfigProblem[];
}

/** Asserts one problem names the file, the line, the path, what was found and what was expected. */
export function assertProblem(
  err: K2pError,
  want: { file: string; path: string; found: RegExp; expected: RegExp; line?: number },
): ConfigProblem {
  const p = problemsOf(err).find((q) => q.path === want.path && q.file.endsWith(want.file));
  assert.ok(p, `no problem at ${want.file} ${want.path} in:\n${err.message}`);
  assert.match(p.found, want.found);
  assert.match(p.expected, want.expected);
  if (want.line !== undefined) assert.equal(p.line, want.line, err.message);
  // and the message a user reads carries all of it
  assert.ok(
    err.message.includes(`${want.file}${p.line !== undefined ? `:${p.line}` : ''}: ${want.path}: found `),
    err.message,
  );
  return p;
}
