// Our client and admin client against a broker with TLS (pulsar+ssl://) and JWT token authentication and
// authorization: the `pulsar-secure` stack service (start it alone: npx tsx stack/cli.ts up pulsar-secure).
// Tokens are minted here with the service's secret; none may show up in an error or in util.inspect output.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { K2pError } from '../../../src/errors.js';
import { PulsarAdmin } from '../../../src/pulsar/admin/index.js';
import { PulsarClient, tokenAuth, type PulsarClientOptions } from '../../../src/pulsar/client/index.js';
import { stackOptions } from '../../../stack/cli.js';
import { signHs256 } from '../../../stack/jwt.js';
import { portOpen } from '../../../stack/processes.js';
import { secureStackInfo } from '../../../stack/services/pulsar-secure.js';
import { runReferee } from '../../helpers/python.js';
import { uniqueName } from '../../helpers/stack.js';

const options = stackOptions();
const secure = secureStackInfo(options);
const namespace = `public/${uniqueName('k2p-auth')}`;
const appRole = uniqueName('app');
const producerOnlyRole = uniqueName('producer-only');

/** Every token this file makes: none of them may leak into messages or inspect output. */
const secrets: string[] = [];
function remember(token: string): string {
  secrets.push(token);
  return token;
}

let admin: PulsarAdmin;
let appToken: string;
const clients: PulsarClient[] = [];

function client(overrides: Partial<PulsarClientOptions> = {}): PulsarClient {
  const c = new PulsarClient({
    serviceUrl: secure.serviceUrl,
    auth: tokenAuth(appToken),
    tls: { ca: secure.ca() },
    operationTimeoutMs: 10_000,
    connectTimeoutMs: 5_000,
    ...overrides,
  });
  clients.push(c);
  return c;
}

const topic = () => `persistent://${namespace}/${uniqueName('t')}`;

/** The thing, rendered every way a log line or a crash report might render it, holds no token. */
function assertNoSecret(what: string, value: unknown): void {
  const renderings = [inspect(value, { depth: null, showHidden: true, getters: true }), String(value)];
  if (value instanceof Error)
    renderings.push(JSON.stringify((value as K2pError).details ?? {}), value.stack ?? '');
  for (const token of secrets) {
    const signature = token.split('.')[2] ?? token;
    for (const text of renderings) {
      if (text.includes(token) || text.includes(signature)) {
        // Say where, without printing the secret into the test log.
        const redacted = text.replaceAll(token, '<TOKEN>').replaceAll(signature, '<SIGNATURE>');
        assert.fail(`${what} shows a token: ${redacted.slice(0, 400)}`);
      }
    }
  }
}

/** Rejects with a broker error named `serverError`, not retriable; returns the error for more checks. */
async function rejectsWithServerError(promise: Promise<unknown>, serverError: string): Promise<K2pError> {
  let caught: unknown;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof K2pError, `expected a K2pError, got ${inspect(caught)}`);
  assert.equal(caught.code, 'K2P_PLS_SERVER', caught.message);
  assert.equal(caught.details.serverError, serverError, caught.message);
  assert.equal(caught.canRetry, false, `${serverError} must not be retriable`);
  assertNoSecret(`the ${serverError} error`, caught);
  return caught;
}

before(async () => {
  if (!(await portOpen(options.pulsarSecureTlsPort))) {
    throw new Error(
      `pulsar-secure is not running on ${secure.serviceUrl}: npx tsx stack/cli.ts up pulsar-secure`,
    );
  }
  appToken = remember(secure.token(appRole));
  admin = new PulsarAdmin({ url: secure.adminUrl, token: remember(secure.token(secure.adminRole)) });
  await admin.namespaces.create(namespace);
  await admin.namespaces.grantPermissions(namespace, appRole, ['produce', 'consume']);
  await admin.namespaces.grantPermissions(namespace, producerOnlyRole, ['produce']);
});

after(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await admin?.namespaces.delete(namespace, true).catch(() => undefined);
});

test('produce and consume over pulsar+ssl:// with the CA and the token of a role granted produce and consume', async () => {
  const t = topic();
  const c = client();
  const consumer = await c.subscribe({ topic: t, subscription: 'app', initialPosition: 'Earliest' });
  const producer = await c.createProducer({ topic: t });
  const sent = Array.from({ length: 20 }, (_, i) => `secure-${i}`);
  await producer.sendBatch(sent.map((text) => ({ payload: Buffer.from(text), key: text })));
  const got: string[] = [];
  while (got.length < sent.length) {
    const msg = await consumer.receive(10_000);
    consumer.acknowledge(msg);
    got.push(msg.payload.toString());
  }
  assert.deepEqual(got, sent);
  const stats = await admin.topics.stats(t);
  assert.equal(stats.msgInCounter, 20, 'the broker counted what we sent');
  await producer.close();
  await consumer.close();
});

test('a client without a token is refused with AuthenticationError (not retriable)', async () => {
  const c = client({ auth: undefined });
  await rejectsWithServerError(c.createProducer({ topic: topic() }), 'AuthenticationError');
});

test('wrong tokens are refused with AuthenticationError: another key, expired, not a JWT', async () => {
  const forged = remember(signHs256({ sub: secure.adminRole }, randomBytes(32))); // claims superuser, wrong key
  const expired = remember(secure.token(appRole, -60));
  const garbage = remember(`not-a-jwt-${randomBytes(8).toString('hex')}`);
  for (const token of [forged, expired, garbage]) {
    const c = client({ auth: tokenAuth(token) });
    await rejectsWithServerError(c.createProducer({ topic: topic() }), 'AuthenticationError');
  }
});

test('a valid token of a role without permission gets AuthorizationError; produce-only cannot consume', async () => {
  const stranger = client({ auth: tokenAuth(remember(secure.token(uniqueName('stranger')))) });
  await rejectsWithServerError(stranger.createProducer({ topic: topic() }), 'AuthorizationError');
  await rejectsWithServerError(
    stranger.subscribe({ topic: topic(), subscription: 's' }),
    'AuthorizationError',
  );

  const producerOnly = client({ auth: tokenAuth(remember(secure.token(producerOnlyRole))) });
  const t = topic();
  const producer = await producerOnly.createProducer({ topic: t });
  await producer.send({ payload: Buffer.from('allowed') });
  await producer.close();
  await rejectsWithServerError(producerOnly.subscribe({ topic: t, subscription: 's' }), 'AuthorizationError');
});

test('TLS without the CA is refused: the broker certificate is not trusted', async () => {
  const c = client({ tls: {} });
  let caught: unknown;
  await assert.rejects(c.createProducer({ topic: topic() }), (err) => ((caught = err), true));
  assert.ok(caught instanceof K2pError, inspect(caught));
  assert.ok(['K2P_PLS_CONNECT', 'K2P_PLS_DISCONNECTED'].includes(caught.code), caught.message);
  assert.match(caught.message, /certificate/i);
  assertNoSecret('the TLS error', caught);
});

test('pulsar+ssl:// to an IP address: verified against the certificate, no SNI warning (RFC 6066)', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code ?? w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const c = client({ serviceUrl: secure.serviceUrl.replace('localhost', '127.0.0.1') });
    const producer = await c.createProducer({ topic: topic() });
    await producer.send({ payload: Buffer.from('by ip') });
    await producer.close();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(
    warnings.filter((w) => /DEP0123|ServerName/.test(w)),
    [],
  );
});

test("an expiring token is refreshed on the broker's challenge: the connection stays up", async () => {
  // The broker checks every 2 s (authenticationRefreshCheckSeconds in pulsar-secure) and sends AUTH_CHALLENGE
  // once the token of the connection has expired; our client answers with a fresh one from the function.
  let minted = 0;
  const c = client({
    auth: tokenAuth(() => {
      minted++;
      return remember(secure.token(appRole, 3));
    }),
  });
  const t = topic();
  const producer = await c.createProducer({ topic: t, producerName: uniqueName('refresh') });
  await producer.send({ payload: Buffer.from('before') });
  const connectedSince = async () => {
    const stats = await admin.topics.stats(t);
    return (stats.publishers[0] as { connectedSince?: string } | undefined)?.connectedSince;
  };
  const since = await connectedSince();
  assert.ok(since, 'the broker lists our producer');
  await new Promise((resolve) => setTimeout(resolve, 9_000)); // > 3 s expiry + 2 s checks, twice
  await producer.send({ payload: Buffer.from('after') });
  assert.ok(minted >= 3, `the client answered refresh challenges (tokens made: ${minted})`);
  assert.equal(await connectedSince(), since, 'the same connection: no reconnect after the token expired');
  await producer.close();
});

test('admin REST: the admin token works; no token or a wrong token gets 401', async () => {
  assert.ok((await admin.tenants.list()).includes('public'));
  const granted = await admin.namespaces.permissions(namespace);
  assert.deepEqual([...(granted[appRole] ?? [])].sort(), ['consume', 'produce']);

  for (const token of [undefined, remember(signHs256({ sub: secure.adminRole }, randomBytes(32)))]) {
    const other = new PulsarAdmin({ url: secure.adminUrl, token });
    let caught: unknown;
    await assert.rejects(other.tenants.list(), (err) => ((caught = err), true));
    assert.ok(caught instanceof K2pError, inspect(caught));
    assert.equal(caught.code, 'K2P_PLS_ADMIN');
    assert.equal(caught.details.status, 401, caught.message);
    assertNoSecret('the admin 401 error', caught);
  }
});

test('no token in util.inspect of client options, clients and admin clients', () => {
  const clientOptions: PulsarClientOptions = {
    serviceUrl: secure.serviceUrl,
    auth: tokenAuth(appToken),
    tls: { ca: secure.ca() },
  };
  assertNoSecret('client options', clientOptions);
  assertNoSecret('a client', client());
  assertNoSecret(
    'a token function',
    tokenAuth(() => appToken),
  );
  assertNoSecret('the admin client', admin);
});

test('the official Python client reads over TLS + token what our client wrote', async () => {
  const t = topic();
  await admin.topics.createNonPartitioned(t);
  await admin.subscriptions.create(t, 'py', 'earliest');
  const producer = await client().createProducer({ topic: t });
  const sent = Array.from({ length: 10 }, (_, i) => ({
    payload: Buffer.from(`from-ts-${i}`),
    key: `k${i}`,
    properties: { i: String(i) },
  }));
  await producer.sendBatch(sent);
  await producer.close();

  const consumed = await runReferee<{ payload_b64: string; key: string; properties: Record<string, string> }>(
    'pulsar_referee.py',
    [
      '--service-url',
      secure.serviceUrl,
      '--tls-ca',
      secure.caFile,
      '--token-env',
      'K2P_TEST_PULSAR_TOKEN',
      'consume',
      t,
      '-s',
      'py',
      '-n',
      '10',
    ],
    [],
    120_000,
    { K2P_TEST_PULSAR_TOKEN: appToken },
  );
  assert.deepEqual(
    consumed.lines.map((m) => [Buffer.from(m.payload_b64, 'base64').toString(), m.key, m.properties.i]),
    sent.map((m, i) => [m.payload.toString(), `k${i}`, String(i)]),
  );
});
