// Fuzzing the facade from its own OpenAPI document (GET /openapi.json) with schemathesis (from the project's
// Python venv, scripts/setup-python.sh): a facade on loopback over the real stack serves one topic per route,
// the document's topic / partition / cluster parameters are narrowed to those (plus unknown ones) so generated
// requests reach real produce paths, and every answer must be no 5xx and, for errors, Confluent's
// {error_code, message} (each operation's `default` response). A second test proves the harness fails on a
// 5xx and on an error body in another format.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config/index.js';
import type { Route } from '../../src/facade/route-table.js';
import { startFacade } from '../../src/facade/start.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { topics } from './fixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const st = join(root, '.venv', 'bin', 'st');
const PARTITIONS = 3;
/** Examples per operation and phase (K2P_FUZZ_EXAMPLES): about 30 s for the whole document here. K2P_FUZZ_SEED varies the run. */
const EXAMPLES = Number(process.env.K2P_FUZZ_EXAMPLES ?? 40);

interface Run {
  code: number | null;
  output: string;
}

/** Runs schemathesis on a document file against a base URL (asynchronously: the facade serves meanwhile). */
function schemathesis(docFile: string, url: string, extra: string[] = []): Promise<Run> {
  const args = [
    'run',
    docFile,
    '--url',
    url,
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(EXAMPLES),
    '--checks',
    'not_a_server_error,response_schema_conformance',
    '--seed',
    process.env.K2P_FUZZ_SEED ?? '20261125',
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--generation-database',
    'none',
    '--suppress-health-check',
    'all',
    '--no-color',
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The served document with path parameters narrowed to real values (and a few unknown ones). */
function narrowed(doc: Record<string, unknown>, values: Record<string, unknown[]>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(doc)) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: object }[] }>> };
  for (const ops of Object.values(copy.paths)) {
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) {
        const v = values[p.name];
        if (p.in === 'path' && v) p.schema = { enum: v };
      }
    }
  }
  return copy;
}

test('schemathesis from the facade\'s OpenAPI document, routes kafka, pulsar and dual: no 5xx, every error in Confluent\'s format', { timeout: 240_000 }, async (t) => {
  const byRoute = {} as Record<Route, string>;
  for (const route of ['kafka', 'pulsar', 'dual'] as Route[]) byRoute[route] = (await topics(`fct-fuzz-${route}`, PARTITIONS)).topic;
  const dir = mkdtempSync(join(tmpdir(), 'k2p-fuzz-'));
  writeFileSync(join(dir, 'connectors.yaml'), `connectors:\n  kafka-local: { kind: kafka, brokers: ["${STACK.kafkaBrokers[0]}"] }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`);
  const mappings = Object.entries(byRoute)
    .map(([route, topic]) => `  - match: ${topic}\n    to: persistent://public/default/{topic}-p\n    route: ${route}\n`)
    .join('');
  writeFileSync(join(dir, 'mappings.yaml'), `source: kafka-local\ntarget: pulsar-local\ntopics:\n${mappings}`);
  const facade = await startFacade(loadConfig([join(dir, 'connectors.yaml'), join(dir, 'mappings.yaml')]), { port: 0, host: '127.0.0.1', bodyLimit: 256 * 1024 });
  cleanup(() => facade.close());

  const served = await fetch(`${facade.url}/openapi.json`);
  assert.equal(served.status, 200);
  const doc = (await served.json()) as Record<string, unknown>;
  assert.equal(doc.openapi, '3.0.3');
  const clusterId = ((await (await fetch(`${facade.url}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0]!.cluster_id;
  const names = [...Object.values(byRoute), 'fct-fuzz-no-such-topic'];
  // Consumer instances to aim the instance operations at (any may be deleted by a generated DELETE).
  const group = uniqueName('fct-fuzz-group');
  const instances: string[] = [];
  for (const format of ['binary', 'json']) {
    const res = await fetch(`${facade.url}/consumers/${group}`, { method: 'POST', headers: { 'content-type': 'application/vnd.kafka.v2+json' }, body: JSON.stringify({ name: `fuzz-${format}`, format, 'auto.offset.reset': 'earliest' }) });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    instances.push((JSON.parse(text) as { instance_id: string }).instance_id);
  }
  const file = join(dir, 'openapi.json');
  writeFileSync(
    file,
    JSON.stringify(
      narrowed(doc, {
        topic: names,
        topic_name: names,
        partition: [0, 1, PARTITIONS - 1, PARTITIONS, 2147483647],
        partition_id: [0, PARTITIONS - 1, PARTITIONS],
        cluster_id: [clusterId, 'no-such-cluster'],
        group: [group, 'fct-fuzz-no-such-group'],
        instance: [...instances, 'no-such-instance'],
      }),
    ),
  );
  const run = await schemathesis(file, facade.url, ['--exclude-path', '/v3/clusters/{cluster_id}/topics']);
  assert.equal(run.code, 0, `schemathesis found failures:\n${run.output.slice(-12_000)}`);
  assert.match(run.output, /passed/i, run.output.slice(-2000));
  const cases = /(\d+) generated/.exec(run.output);
  assert.ok(cases && Number(cases[1]) > 500, `schemathesis generated too few requests:\n${run.output.slice(-3000)}`);
  for (const line of run.output.split('\n').filter((l) => /generated|passed|Examples|Coverage|Fuzzing/.test(l))) t.diagnostic(line.trim());
});

test('the fuzz harness fails on a 5xx and on an error body that is not {error_code, message}', { timeout: 120_000 }, async () => {
  const app = Fastify();
  app.get<{ Params: { n: string } }>('/boom/:n', async (req, reply) => (req.params.n === '3' ? reply.code(500).send({ error_code: 50001, message: 'boom' }) : { n: req.params.n }));
  app.get<{ Params: { n: string } }>('/odd/:n', async (req, reply) => (req.params.n === '3' ? reply.code(404).send({ error: 'not found' }) : { n: req.params.n }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanup(() => app.close());
  const dir = mkdtempSync(join(tmpdir(), 'k2p-fuzz-self-'));
  const error = { type: 'object', required: ['error_code', 'message'], properties: { error_code: { type: 'integer' }, message: { type: 'string' } } };
  const operation = { parameters: [{ name: 'n', in: 'path', required: true, schema: { enum: ['1', '2', '3'] } }], responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } }, default: { description: 'error', content: { 'application/json': { schema: error } } } } };
  for (const path of ['/boom/{n}', '/odd/{n}']) {
    const file = join(dir, `${path.split('/')[1]}.json`);
    writeFileSync(file, JSON.stringify({ openapi: '3.0.3', info: { title: 'self-check', version: '1' }, paths: { [path]: { get: operation } } }));
    const run = await schemathesis(file, url);
    assert.notEqual(run.code, 0, `schemathesis should have failed on ${path}:\n${run.output.slice(-3000)}`);
  }
});
