// The mirror with authentication on both sides, driven by config files the way `k2p mirror` is: Kafka over
// SASL_SSL with SCRAM (the `kafka-secure` stack service, its CA verified) into Pulsar over pulsar+ssl:// with
// a token (`pulsar-secure`). Then every wrong credential is refused before any data flows, with a K2pError
// that names the connector and never holds a secret — checked in the error (message, details, stack,
// inspect) and in everything `k2p plan` / `k2p mirror` print as child processes.
// Start the services: npx tsx stack/cli.ts up kafka-secure pulsar-secure
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { K2pError } from '../../src/errors.js';
import { Mirror } from '../../src/mirror/mirror.js';
import { applyPlan } from '../../src/mirror/provision.js';
import { fromPulsarMessage } from '../../src/mirror/record-mapping.js';
import { closePair, mirrorPairs, planPair, type MirrorPair } from '../../src/mirror/setup.js';
import { PulsarAdmin } from '../../src/pulsar/admin/index.js';
import { PulsarClient, tokenAuth } from '../../src/pulsar/client/index.js';
import { stackOptions } from '../../stack/cli.js';
import { newSecretKey, roleToken } from '../../stack/jwt.js';
import { portOpen } from '../../stack/processes.js';
import { kafkaSecureInfo } from '../../stack/services/kafka-secure.js';
import { secureStackInfo } from '../../stack/services/pulsar-secure.js';
import { RECENT_TIMESTAMP, cleanup, uniqueName } from '../helpers/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const options = stackOptions();
const kafkaInfo = kafkaSecureInfo(options);
const pulsarInfo = secureStackInfo(options);
const KAFKA = 'kafka-sasl';
const PULSAR = 'pulsar-token';
const PARTITIONS = 3;
const PER_PARTITION = 200;

/** Every secret of this file: the right ones and the wrong ones given to the gateway. */
const secrets: string[] = [];
const remember = (s: string) => (secrets.push(s), s);

let password: string;
let pulsarToken: string;
let kafkaAdmin: Admin;
let pulsarAdmin: PulsarAdmin;
const dir = mkdtempSync(join(tmpdir(), 'k2p-auth-'));
const namespace = `public/${uniqueName('k2p-auth-mirror')}`;

/** The connectors file: every secret and certificate is a ${VAR} reference, nothing inline. */
function connectorsFile(mechanism: string): string {
  const file = join(dir, `connectors-${mechanism}.yaml`);
  writeFileSync(
    file,
    `connectors:
  ${KAFKA}:
    kind: kafka
    brokers: ["${kafkaInfo.brokers[0]}"]
    ssl:
      ca: \${K2P_AUTH_KAFKA_CA}
    sasl:
      mechanism: ${mechanism}
      username: \${K2P_AUTH_KAFKA_USER}
      password: \${K2P_AUTH_KAFKA_PASSWORD}
  ${PULSAR}:
    kind: pulsar
    serviceUrl: "${pulsarInfo.serviceUrl}"
    adminUrl: "${pulsarInfo.adminUrl}"
    tls:
      ca: \${K2P_AUTH_PULSAR_CA}
    token: \${K2P_AUTH_PULSAR_TOKEN}
`,
  );
  return file;
}

function mappingFile(topic: string): string {
  const file = join(dir, `mapping-${topic}.yaml`);
  writeFileSync(file, `source: ${KAFKA}\ntarget: ${PULSAR}\ntopics:\n  - match: ${topic}\n    to: persistent://${namespace}/{topic}\n`);
  return file;
}

/** The environment the files refer to; `overrides` puts a wrong value in. */
function authEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    K2P_AUTH_KAFKA_CA: kafkaInfo.ca(),
    K2P_AUTH_KAFKA_USER: kafkaInfo.username,
    K2P_AUTH_KAFKA_PASSWORD: password,
    K2P_AUTH_PULSAR_CA: pulsarInfo.ca().toString(),
    K2P_AUTH_PULSAR_TOKEN: pulsarToken,
    ...overrides,
  };
}

/** Loads the files with `env` in process.env (what a user's shell gives the gateway), restored after. */
function load(files: string[], env: Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return loadConfig(files);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The text holds none of the secrets (nor a token's signature alone). */
function assertNoSecret(what: string, text: string): void {
  for (const secret of secrets) {
    const parts = secret.split('.');
    for (const piece of [secret, ...(parts.length === 3 ? [parts[2]!] : [])]) {
      if (piece.length >= 8 && text.includes(piece)) {
        assert.fail(`${what} shows a secret: ${text.replaceAll(piece, '<SECRET>').slice(0, 600)}`);
      }
    }
  }
}

function assertErrorHasNoSecret(err: K2pError): void {
  const renderings = [
    err.message,
    String(err),
    err.stack ?? '',
    JSON.stringify(err.details),
    inspect(err, { depth: null, showHidden: true, getters: true }),
  ];
  for (const text of renderings) assertNoSecret(`${err.code} error`, text);
}

/** Plans the files as `k2p plan` does; resolves with the error it raised (fails if none). */
async function planError(files: string[], env: Record<string, string>): Promise<K2pError> {
  const config = load(files, env);
  const started = Date.now();
  let caught: unknown;
  const pairs = mirrorPairs(config);
  try {
    for (const pair of pairs) await planPair(config, pair);
  } catch (err) {
    caught = err;
  } finally {
    await Promise.all(pairs.map(closePair));
  }
  assert.ok(caught instanceof K2pError, `expected a K2pError, got ${inspect(caught)}`);
  assert.equal(caught.canRetry, false, `${caught.code} must not be retried: ${caught.message}`);
  assert.ok(Date.now() - started < 20_000, `refused after ${Date.now() - started} ms: a wrong credential must fail fast`);
  assertErrorHasNoSecret(caught);
  return caught;
}

/** Runs `k2p <args>` with `env`; resolves with its exit code and everything it printed. */
async function k2p(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(root, 'bin/k2p.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, out };
}

before(async () => {
  for (const [name, port] of [
    ['kafka-secure', options.kafkaSecurePort],
    ['pulsar-secure', options.pulsarSecureTlsPort],
  ] as const) {
    if (!(await portOpen(port))) throw new Error(`${name} is not running on port ${port}: npx tsx stack/cli.ts up ${name}`);
  }
  password = remember(kafkaInfo.password());
  pulsarToken = remember(pulsarInfo.token(pulsarInfo.adminRole));
  const kafka = new Kafka({
    brokers: [...kafkaInfo.brokers],
    clientId: 'k2p-auth-test',
    logLevel: logLevel.NOTHING,
    ssl: { ca: kafkaInfo.ca() },
    sasl: { mechanism: 'scram-sha-512', username: kafkaInfo.username, password },
  });
  kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  pulsarAdmin = new PulsarAdmin({ url: pulsarInfo.adminUrl, token: pulsarToken });
});

/** Kafka topics this file made, deleted at the end. */
const topics: string[] = [];
after(async () => {
  if (topics.length > 0) await kafkaAdmin?.deleteTopics({ topics }).catch(() => undefined);
  await kafkaAdmin?.disconnect();
  await pulsarAdmin?.namespaces.delete(namespace, true).catch(() => undefined);
});

/** A fresh topic on kafka-secure with `PER_PARTITION` keyed records with headers in each partition. */
async function sourceTopic(prefix: string) {
  const topic = uniqueName(prefix);
  await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  topics.push(topic);
  const kafka = new Kafka({
    brokers: [...kafkaInfo.brokers],
    clientId: 'k2p-auth-test-producer',
    logLevel: logLevel.NOTHING,
    ssl: { ca: kafkaInfo.ca() },
    sasl: { mechanism: 'scram-sha-256', username: kafkaInfo.username, password },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const records = Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => ({
    partition: i % PARTITIONS,
    offset: String(Math.floor(i / PARTITIONS)),
    key: i % 10 === 9 ? null : `key-${i % 17}`,
    value: i % 25 === 24 ? null : `value-${i}-${'x'.repeat(i % 50)}`,
    timestamp: String(RECENT_TIMESTAMP + i),
    headers: [
      ['i', Buffer.from(String(i))],
      ['bin', Buffer.from([i & 255, 0, 0xff])],
    ] as [string, Buffer][],
  }));
  await producer.send({
    topic,
    messages: records.map((r) => ({
      partition: r.partition,
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: Object.fromEntries(r.headers),
    })),
  });
  await producer.disconnect();
  return { topic, records };
}

test('records mirror from Kafka SASL_SSL (SCRAM-SHA-512, CA verified) into Pulsar over TLS with a token, exactly', { timeout: 180_000 }, async () => {
  const { topic, records } = await sourceTopic('auth-mirror');
  const files = [connectorsFile('scram-sha-512'), mappingFile(topic)];
  for (const f of files) assertNoSecret(f, readFileSync(f, 'utf8'));
  const config = load(files, authEnv());
  const kafkaConnector = config.connectors[KAFKA];
  assert.ok(kafkaConnector?.kind === 'kafka' && kafkaConnector.sasl?.password === password, 'the password came through ${K2P_AUTH_KAFKA_PASSWORD}');

  // What `k2p mirror` does: plan, provision, mirror.
  const pairs: MirrorPair[] = [];
  for (const pair of mirrorPairs(config)) pairs.push(await planPair(config, pair));
  cleanup(() => Promise.all(pairs.map(closePair)));
  assert.equal(pairs.length, 1);
  const [pair] = pairs as [MirrorPair];
  assert.deepEqual(pair.topics.map((t) => t.source), [topic]);
  for (const plan of pair.plans) await applyPlan(pair.admin, plan);
  const target = pair.topics[0]!.target;
  assert.equal(await pulsarAdmin.topics.partitions(target), PARTITIONS);

  const logged: string[] = [];
  const mirror = new Mirror({
    kafka: pair.kafka,
    pulsar: pair.pulsar,
    topics: pair.topics,
    groupId: uniqueName('k2p-auth'),
    log: (event, fields) => logged.push(JSON.stringify({ event, ...fields }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))),
  });
  await mirror.start();
  const started = Date.now();
  const last = BigInt(PER_PARTITION - 1);
  while (mirror.status().length < PARTITIONS || !mirror.status().every((p) => p.committedOffset === last)) {
    assert.ok(Date.now() - started < 90_000, `mirror stalled: ${logged.slice(-5).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await mirror.stop();
  assertNoSecret('the mirror log', logged.join('\n'));

  // Read back over TLS with a token, and compare with what was written to Kafka, record for record.
  const reader = new PulsarClient({ serviceUrl: pulsarInfo.serviceUrl, auth: tokenAuth(pulsarToken), tls: { ca: pulsarInfo.ca() } });
  cleanup(() => reader.close());
  const consumer = await reader.subscribe({ topic: target, subscription: 'check', initialPosition: 'Earliest' });
  const expected = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r]));
  const lastOffset = new Map<number, number>();
  for (let n = 0; n < records.length; n++) {
    const m = await consumer.receive(30_000);
    consumer.acknowledge(m);
    const back = fromPulsarMessage(m);
    const partition = Number(m.topic.slice(m.topic.lastIndexOf('-partition-') + '-partition-'.length));
    assert.equal(back.provenance?.partition, partition, 'Kafka partition p → Pulsar partition p');
    const key = `${partition}/${back.provenance?.offset}`;
    const want = expected.get(key);
    assert.ok(want, `record ${key} unexpected or twice`);
    expected.delete(key);
    assert.ok(Number(want.offset) > (lastOffset.get(partition) ?? -1), `partition ${partition} in Kafka order`);
    lastOffset.set(partition, Number(want.offset));
    assert.equal(back.key?.toString() ?? null, want.key, `${key}: key`);
    assert.equal(back.value?.toString() ?? null, want.value, `${key}: value`);
    assert.equal(back.timestamp, want.timestamp, `${key}: timestamp`);
    assert.deepEqual(
      back.headers.map((h) => [h.key, h.value?.toString('hex')]),
      want.headers.map(([k, v]) => [k, v.toString('hex')]),
      `${key}: headers`,
    );
  }
  assert.equal(expected.size, 0, 'every record arrived');
  await consumer.close();
});

test('k2p plan over SCRAM-SHA-256 + pulsar+ssl:// with a token: shows the plan, prints no secret', { timeout: 90_000 }, async () => {
  const { topic } = await sourceTopic('auth-plan');
  const { code, out } = await k2p(['plan', '-c', connectorsFile('scram-sha-256'), '-c', mappingFile(topic)], authEnv());
  assert.equal(code, 0, out);
  assert.match(out, new RegExp(`${KAFKA} → ${PULSAR}: 1 topic`));
  assert.ok(out.includes(topic), out);
  assertNoSecret('k2p plan output', out);
});

test('a wrong Kafka password: K2P_KFK_AUTH naming the connector, no secret anywhere (library, k2p plan, k2p mirror)', { timeout: 120_000 }, async () => {
  const { topic } = await sourceTopic('auth-badpw');
  const files = [connectorsFile('scram-sha-512'), mappingFile(topic)];
  const env = authEnv({ K2P_AUTH_KAFKA_PASSWORD: remember(`${password.slice(0, 20)}-wrong-${uniqueName('pw')}`) });
  const err = await planError(files, env);
  assert.equal(err.code, 'K2P_KFK_AUTH', err.message);
  assert.match(err.message, new RegExp(`^K2P_KFK_AUTH: ${KAFKA}: `));
  assert.match(err.message, /SASL/);
  assert.equal(err.details.connector, KAFKA);

  for (const command of ['plan', 'mirror']) {
    const args = [command, '-c', files[0]!, '-c', files[1]!, ...(command === 'mirror' ? ['--quiet'] : [])];
    const { code, out } = await k2p(args, env);
    assert.equal(code, 1, `k2p ${command} exits 1:\n${out}`);
    assert.match(out, new RegExp(`k2p: K2P_KFK_AUTH: ${KAFKA}: Kafka refused the SASL credentials`), out);
    assertNoSecret(`k2p ${command} output`, out);
  }
  // Nothing was provisioned on Pulsar for it.
  assert.equal(await pulsarAdmin.topics.partitions(`persistent://${namespace}/${topic}`).catch(() => 0), 0);
});

test('a wrong Pulsar token (another key, or none): K2P_PLS_AUTH naming the connector, no secret anywhere', { timeout: 120_000 }, async () => {
  const { topic } = await sourceTopic('auth-badtoken');
  const files = [connectorsFile('scram-sha-512'), mappingFile(topic)];
  const forged = remember(roleToken(newSecretKey(), pulsarInfo.adminRole));
  const err = await planError(files, authEnv({ K2P_AUTH_PULSAR_TOKEN: forged }));
  assert.equal(err.code, 'K2P_PLS_AUTH', err.message);
  assert.match(err.message, new RegExp(`^K2P_PLS_AUTH: ${PULSAR}: the Pulsar broker refused the token`));
  assert.equal(err.details.connector, PULSAR);

  const { code, out } = await k2p(['mirror', '-c', files[0]!, '-c', files[1]!, '--quiet'], authEnv({ K2P_AUTH_PULSAR_TOKEN: forged }));
  assert.equal(code, 1, `k2p mirror exits 1:\n${out}`);
  assert.match(out, new RegExp(`k2p: K2P_PLS_AUTH: ${PULSAR}: `), out);
  assertNoSecret('k2p mirror output', out);

  // No token at all, where the broker requires one: also named, also clear.
  const noToken = join(dir, 'connectors-no-token.yaml');
  writeFileSync(noToken, readFileSync(files[0]!, 'utf8').replace(/\n {4}token: .*\n/, '\n'));
  const none = await planError([noToken, files[1]!], authEnv());
  assert.equal(none.code, 'K2P_PLS_AUTH', none.message);
  assert.match(none.message, /requires a token and the connector has none/);
});

test('a valid Pulsar token of a role without permission: refused before any data flows, naming the connector, no secret', { timeout: 120_000 }, async () => {
  const { topic } = await sourceTopic('auth-norights');
  const files = [connectorsFile('scram-sha-512'), mappingFile(topic)];
  const token = remember(pulsarInfo.token(uniqueName('k2p-no-rights')));
  const err = await planError(files, authEnv({ K2P_AUTH_PULSAR_TOKEN: token }));
  assert.equal(err.code, 'K2P_PLS_AUTH', err.message);
  assert.equal(err.details.connector, PULSAR);
  assert.match(err.message, new RegExp(`^K2P_PLS_AUTH: ${PULSAR}: `));
  assertErrorHasNoSecret(err);
  const { code, out } = await k2p(['mirror', '-c', files[0]!, '-c', files[1]!, '--quiet'], authEnv({ K2P_AUTH_PULSAR_TOKEN: token }));
  assert.equal(code, 1, `k2p mirror exits 1:\n${out}`);
  assertNoSecret('k2p mirror output', out);
  const target = `persistent://${namespace}/${topic}`;
  assert.equal(await pulsarAdmin.topics.exists(target).catch(() => false), false, 'nothing provisioned');
});

test('a CA that did not sign the broker certificate: K2P_KFK_TLS / K2P_PLS_TLS naming the connector, within seconds', { timeout: 120_000 }, async () => {
  const { topic } = await sourceTopic('auth-badca');
  const files = [connectorsFile('scram-sha-512'), mappingFile(topic)];
  // Each secure service has its own CA: the other one's is a real CA that did not sign this broker.
  const kafkaErr = await planError(files, authEnv({ K2P_AUTH_KAFKA_CA: pulsarInfo.ca().toString() }));
  assert.equal(kafkaErr.code, 'K2P_KFK_TLS', kafkaErr.message);
  assert.match(kafkaErr.message, new RegExp(`^K2P_KFK_TLS: ${KAFKA}: the TLS certificate of Kafka broker ${kafkaInfo.brokers[0]} is not trusted: .*certificate`));
  assert.equal(kafkaErr.details.connector, KAFKA);

  const pulsarErr = await planError(files, authEnv({ K2P_AUTH_PULSAR_CA: kafkaInfo.ca() }));
  assert.equal(pulsarErr.code, 'K2P_PLS_TLS', pulsarErr.message);
  assert.match(pulsarErr.message, new RegExp(`^K2P_PLS_TLS: ${PULSAR}: the Pulsar broker's TLS certificate is not trusted: .*certificate`));
  assert.equal(pulsarErr.details.connector, PULSAR);

  const { code, out } = await k2p(['plan', '-c', files[0]!, '-c', files[1]!], authEnv({ K2P_AUTH_KAFKA_CA: pulsarInfo.ca().toString() }));
  assert.equal(code, 1, out);
  assert.match(out, new RegExp(`k2p: K2P_KFK_TLS: ${KAFKA}: `), out);
  assertNoSecret('k2p plan output', out);
});
