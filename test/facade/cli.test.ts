// `k2p facade` from config files, driven by the REST Proxy documentation's curl examples (sent with fetch,
// unchanged: same paths, headers and bodies) — a client written for the Confluent proxy, against the facade.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { cleanup } from '../helpers/stack.js';
import { topics } from './fixture.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK } from '../helpers/stack.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function servesDocExamples(extraArgs: string[]): Promise<void> {
  const { topic } = await topics('fct-cli', 1);
  const dir = mkdtempSync(join(tmpdir(), 'k2p-facade-cli-'));
  writeFileSync(join(dir, 'c.yaml'), `connectors:\n  kafka-local: { kind: kafka, brokers: ["${STACK.kafkaBrokers[0]}"] }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`);
  writeFileSync(join(dir, 'm.yaml'), `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: ${topic}\n    to: persistent://public/default/{topic}-p\n    route: dual\n`);
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/k2p.js', 'facade', '-c', join(dir, 'c.yaml'), '-c', join(dir, 'm.yaml'), '--port', String(port), ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  cleanup(() => child.kill('SIGTERM'));
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`k2p facade did not start: ${stderr}`)), 60_000);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('facade listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`k2p facade exited ${code}: ${stderr}`)));
  });
  const base = `http://127.0.0.1:${port}`;

  // curl -X POST -H "Content-Type: application/vnd.kafka.json.v2+json" -H "Accept: application/vnd.kafka.v2+json"
  //      --data '{"records":[{"value":{"foo":"bar"}}]}' "http://localhost:8082/topics/jsontest"
  const json = await fetch(`${base}/topics/${topic}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.kafka.json.v2+json', Accept: 'application/vnd.kafka.v2+json' },
    body: '{"records":[{"value":{"foo":"bar"}}]}',
  });
  assert.equal(json.status, 200);
  assert.deepEqual(await json.json(), { offsets: [{ partition: 0, offset: 0, error_code: null, error: null }], key_schema_id: null, value_schema_id: null });

  // curl -X POST -H "Content-Type: application/vnd.kafka.binary.v2+json" -H "Accept: application/vnd.kafka.v2+json"
  //      --data '{"records":[{"value":"S2Fma2E="}]}' "http://localhost:8082/topics/binarytest"
  const bin = await fetch(`${base}/topics/${topic}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.kafka.binary.v2+json', Accept: 'application/vnd.kafka.v2+json' },
    body: '{"records":[{"value":"S2Fma2E="}]}',
  });
  assert.deepEqual(await bin.json(), { offsets: [{ partition: 0, offset: 1, error_code: null, error: null }], key_schema_id: null, value_schema_id: null });

  // curl "http://localhost:8082/topics" and "http://localhost:8082/topics/test"
  const list = (await (await fetch(`${base}/topics`)).json()) as string[];
  assert.ok(list.includes(topic));
  const meta = (await (await fetch(`${base}/topics/${topic}`)).json()) as { name: string; partitions: unknown[] };
  assert.equal(meta.name, topic);
  assert.equal(meta.partitions.length, 1);

  // v3: curl -X POST -H "Content-Type: application/json" -d '{"value": {"type": "JSON", "data": "Hello World!"}}'
  //     http://localhost:8082/v3/clusters/$CLUSTER_ID/topics/$TOPIC/records
  const clusterId = ((await (await fetch(`${base}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0]!.cluster_id;
  const v3 = await fetch(`${base}/v3/clusters/${clusterId}/topics/${topic}/records`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"value": {"type": "JSON", "data": "Hello World!"}}' });
  assert.equal(v3.status, 200);
  const r = (await v3.json()) as Record<string, unknown>;
  assert.equal(r.error_code, 200);
  assert.equal(r.offset, 2);
  assert.equal(r.topic_name, topic);
  const offsets = (await (await fetch(`${base}/topics/${topic}/partitions/0/offsets`)).json()) as unknown;
  assert.deepEqual(offsets, { beginning_offset: 0, end_offset: 3 });
}

test('k2p facade serves the documentation examples (route dual)', { timeout: 180_000 }, () => servesDocExamples([]));

test('k2p facade --kafka-producer kafkajs serves them the same', { timeout: 180_000 }, () => servesDocExamples(['--kafka-producer', 'kafkajs']));

test('k2p facade --kafka-producer with an unknown kind exits 2 (a usage error) naming the choices, before connecting anywhere', async () => {
  const child = spawn(process.execPath, ['bin/k2p.js', 'facade', '-c', 'connectors/local.yaml', '--kafka-producer', 'java'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2, stderr);
  assert.match(stderr, /--kafka-producer <kind>' argument 'java' is invalid\. Allowed choices are wire, kafkajs/);
});
