// The run commands as a user meets them: help with examples, exit codes (0 ok, 1 runtime, 2 usage or
// configuration), --json, and `k2p serve` with the facade, its routes switched through the admin API.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { dropKeys, writeConfig } from './helpers.js';
import { k2p } from './process.js';

const bin = fileURLToPath(new URL('../../bin/k2p.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, K2P_LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const prefix = uniqueName('k2p-cli');
const conn = ['--redis', STACK.redisUrl, '--prefix', prefix];
cleanup(() => dropKeys(`${prefix}:*`));

test('help names the commands, examples and exit codes', { timeout: 60_000 }, async () => {
  const help = await run(['run', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}k2p run -c connectors\/local\.yaml/);
  assert.match(help.stdout, /Exit codes: 0 the run is live, 1 it failed or was cancelled, 2 usage or configuration error/);
  const top = await run(['--help']);
  for (const c of ['run', 'runs', 'status', 'serve']) assert.match(top.stdout, new RegExp(`\\n {2}${c} `));
  const serve = await run(['serve', '--help']);
  assert.match(serve.stdout, /K2P_ADMIN_TOKEN/);
});

test('exit codes: 2 for usage and configuration, 1 for an unknown run, 0 with --json output', { timeout: 120_000 }, async () => {
  const noFiles = await run(['run', ...conn]);
  assert.equal(noFiles.code, 2, noFiles.stderr);
  assert.match(noFiles.stderr, /give the config files \(-c\) of a new run, or --attach <run>/);
  const badOption = await run(['run', '-c', 'x.yaml', '--cutover', 'sometimes']);
  assert.equal(badOption.code, 2);
  const missingFile = await run(['run', '-c', '/nonexistent/k2p.yaml', ...conn]);
  assert.equal(missingFile.code, 2);
  assert.match(missingFile.stderr, /K2P_CFG_INVALID/);
  const unknown = await run(['runs', 'show', 'nosuch', ...conn]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /K2P_RUN_NOT_FOUND: no run nosuch/);
  const status = await run(['status', '--json', ...conn]);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual(JSON.parse(status.stdout), []);
  const plain = await run(['status', ...conn]);
  assert.equal(plain.stdout.trim(), 'no runs');
  assert.ok(!plain.stdout.includes('\x1b['), 'no colour when stdout is not a terminal');
});

test('k2p serve refuses a non-loopback address without K2P_ADMIN_TOKEN', { timeout: 60_000 }, async () => {
  const r = await run(['serve', '--host', '0.0.0.0', '--port', '0', ...conn], { K2P_ADMIN_TOKEN: '' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /K2P_ADMIN_NO_TOKEN: the admin API will not listen on 0\.0\.0\.0/);
});

test('k2p serve with the facade: routes read and switched through the admin API, token required', { timeout: 120_000 }, async () => {
  const mappedPrefix = uniqueName('k2prun');
  const { files } = writeConfig(mappedPrefix);
  const token = uniqueName('tok');
  const gw = k2p(['serve', ...files.flatMap((f) => ['-c', f]), '--port', '0', '--facade-port', '0', ...conn], { K2P_ADMIN_TOKEN: token });
  cleanup(() => gw.child.kill('SIGKILL'));
  const line = await gw.waitLine((l) => l.event === 'serving', 60_000);
  assert.match(String(line.facade), /^http:\/\/127\.0\.0\.1:\d+/);
  const topic = 'k2prun-x-t1'.replace('x', 'any'); // not mapped by this prefix: only kafka
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await fetch(`${String(line.url)}/api/v1/routes/${topic}`)).status, 401);
  const got = await fetch(`${String(line.url)}/api/v1/routes/${topic}`, { headers: auth });
  assert.equal(got.status, 200);
  assert.deepEqual(await got.json(), { topic, route: 'kafka', pulsarTopic: null });
  const refused = await fetch(`${String(line.url)}/api/v1/routes/${topic}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ route: 'dual' }) });
  assert.equal(refused.status, 422);
  const mapped = `${mappedPrefix}-t0`;
  const flip = await fetch(`${String(line.url)}/api/v1/routes/${mapped}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ route: 'dual' }) });
  assert.equal(flip.status, 200, await flip.clone().text());
  assert.deepEqual(await flip.json(), { topic: mapped, route: 'dual', previous: 'kafka' });
  const now = await (await fetch(`${String(line.url)}/api/v1/routes/${mapped}`, { headers: auth })).json();
  assert.deepEqual(now, { topic: mapped, route: 'dual', pulsarTopic: `persistent://public/default/${mapped}` });
  // The facade itself answers (its own API) on its port.
  const facadeTopics = await fetch(`${String(line.facade)}/topics`, { headers: { accept: 'application/vnd.kafka.v2+json' } });
  assert.ok(facadeTopics.status < 500, `facade answers (${facadeTopics.status})`);
  gw.child.kill('SIGTERM');
  assert.equal(await gw.exited, 0);
});
