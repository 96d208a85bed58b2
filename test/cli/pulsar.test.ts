// `k2p pulsar produce|consume` as a user runs them: the bin script in a child process, real Pulsar.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freshTopic } from '../helpers/pulsar.js';
import { STACK } from '../helpers/stack.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/k2p.js', import.meta.url));

async function k2p(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'pulsar', '--service-url', STACK.pulsarServiceUrl, ...args]);
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

test('produce to a partition with key and properties, consume them back as JSON lines', async () => {
  const topic = await freshTopic('cli', 3);
  const produced = await k2p('produce', topic, '-m', 'hello', '-m', 'wörld', '--key', 'k1', '--property', 'source=cli', '--partition', '2');
  assert.equal(produced.code, 0, produced.stderr);
  assert.deepEqual(
    lines(produced.stdout).map((l) => l.partition),
    [2, 2],
  );
  const consumed = await k2p('consume', topic, '-s', 'cli', '-n', '2', '--from', 'earliest', '--timeout', '10000');
  assert.equal(consumed.code, 0, consumed.stderr);
  const got = lines(consumed.stdout);
  assert.deepEqual(
    got.map((m) => [m.payload, m.key, m.properties, m.topic]),
    [
      ['hello', 'k1', { source: 'cli' }, `${topic}-partition-2`],
      ['wörld', 'k1', { source: 'cli' }, `${topic}-partition-2`],
    ],
  );
});

test('bad arguments exit 2 with a message that says what was expected', async () => {
  const bad = await k2p('consume', 'persistent://public/default/x', '-s', 's', '--from', 'yesterday');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--from yesterday: expected earliest or latest/);
  const missing = await k2p('produce', 'persistent://public/default/x');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required option '-m, --message <text...>' not specified/);
  const badProperty = await k2p('produce', 'persistent://public/default/x', '-m', 'a', '--property', 'novalue');
  assert.equal(badProperty.code, 2);
  assert.match(badProperty.stderr, /--property "novalue": expected key=value/);
});
