// Layer 2: the connection logic of our Pulsar client against a scripted in-process broker (handshake,
// partial frames, request ids and timeouts, keep-alive, disconnects, auth refresh). No real broker here.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isK2pError, type ErrorCode, type K2pError } from '../../../src/errors.js';
import { tokenAuth } from '../../../src/pulsar/client/auth.js';
import {
  Connection,
  type ConnectionOptions,
  type ConsumerHandler,
  type ProducerHandler,
} from '../../../src/pulsar/client/connection.js';
import {
  PROTOCOL_VERSION_MAX,
  encodeCommand,
  type Command,
  type CommandOf,
} from '../../../src/pulsar/protocol/index.js';
import { FakeBroker } from '../../helpers/fake-broker.js';

async function startBroker(t: TestContext): Promise<FakeBroker> {
  const broker = await FakeBroker.start();
  t.after(() => broker.close());
  return broker;
}

function newConnection(
  t: TestContext,
  broker: FakeBroker,
  opts: Partial<ConnectionOptions> = {},
): Connection {
  const conn = new Connection({
    host: '127.0.0.1',
    port: broker.port,
    connectTimeoutMs: 1000,
    operationTimeoutMs: 1000,
    keepAliveIntervalMs: 60_000,
    clientVersion: 'k2p-test/1.2',
    ...opts,
  });
  t.after(() => conn.close());
  return conn;
}

async function openConnection(
  t: TestContext,
  broker: FakeBroker,
  opts: Partial<ConnectionOptions> = {},
): Promise<Connection> {
  const conn = newConnection(t, broker, opts);
  await conn.open();
  return conn;
}

function lookup(conn: Connection, topic: string): Promise<CommandOf<'LOOKUP_RESPONSE'>> {
  return conn.request({ type: 'LOOKUP', topic, requestId: conn.newRequestId() }, 'LOOKUP_RESPONSE');
}

function lookupAnswer(requestId: bigint, brokerServiceUrl: string): Command {
  return { type: 'LOOKUP_RESPONSE', requestId, response: 'Connect', brokerServiceUrl };
}

/** Asserts that `promise` rejects with a K2pError of `code`; returns the error. */
async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<K2pError> {
  let caught: unknown;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.ok(isK2pError(caught, code), `expected ${code}, got ${String(caught)}`);
  return caught;
}

/** Resolves to the state of a promise without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await sleep(0);
  return state;
}

test(
  'CONNECT carries client version, protocol version and token auth; CONNECTED.max_message_size is adopted',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on(
      'CONNECT',
      (_cmd, c) =>
        void c.send({
          type: 'CONNECTED',
          serverVersion: 'fake-9.9',
          protocolVersion: 19,
          maxMessageSize: 1_234_567,
        }),
    );

    const conn = await openConnection(t, broker, { auth: tokenAuth('secret-jwt') });
    const { cmd } = await (await broker.connection(1)).waitFor('CONNECT');
    assert.equal(cmd.clientVersion, 'k2p-test/1.2');
    assert.equal(cmd.protocolVersion, PROTOCOL_VERSION_MAX);
    assert.equal(cmd.authMethodName, 'token');
    assert.equal(Buffer.from(cmd.authData ?? []).toString('utf8'), 'secret-jwt');
    assert.equal(cmd.proxyToBrokerUrl, undefined);
    assert.equal(cmd.featureFlags?.supportsAuthRefresh, true);
    assert.equal(conn.maxMessageSize, 1_234_567);
    assert.equal(conn.serverVersion, 'fake-9.9');
    assert.equal(conn.protocolVersion, 19);

    // Without auth nothing is sent for it; through a proxy the target broker is named.
    await openConnection(t, broker, { proxyToBrokerUrl: 'pulsar://broker-2:6650' });
    const second = (await (await broker.connection(2)).waitFor('CONNECT')).cmd;
    assert.equal(second.authMethodName, undefined);
    assert.equal(second.authData, undefined);
    assert.equal(second.proxyToBrokerUrl, 'pulsar://broker-2:6650');
    assert.deepEqual(broker.errors, []);
  },
);

test(
  'CONNECTED split byte by byte completes the handshake with its last byte; answers split the same way',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on('CONNECT', undefined).on('LOOKUP', undefined);
    const conn = newConnection(t, broker);
    const opening = conn.open();
    const fake = await broker.connection(1);
    await fake.waitFor('CONNECT');

    const connected = encodeCommand({
      type: 'CONNECTED',
      serverVersion: 'split',
      protocolVersion: 21,
      maxMessageSize: 777_777,
    });
    await fake.write(connected.subarray(0, connected.length - 1), { split: 1 });
    await sleep(20);
    assert.equal(await settled(opening), 'pending', 'handshake completed before the last byte arrived');
    await fake.write(connected.subarray(connected.length - 1));
    await opening;
    assert.equal(conn.serverVersion, 'split');
    assert.equal(conn.maxMessageSize, 777_777);

    const asking = lookup(conn, 'persistent://public/default/split');
    const { cmd } = await fake.waitFor('LOOKUP');
    await fake.send(lookupAnswer(cmd.requestId, 'pulsar://byte-by-byte:6650'), { split: 1, gapMs: 1 });
    assert.equal((await asking).brokerServiceUrl, 'pulsar://byte-by-byte:6650');
  },
);

test(
  'several frames in one chunk, and chunk boundaries inside frame headers, are all dispatched to the right requests',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on('LOOKUP', undefined);
    const conn = await openConnection(t, broker);
    const fake = await broker.connection(1);

    // Round 1: three answers (in reverse order) and a PING, all in one write.
    const asks = [lookup(conn, 'a'), lookup(conn, 'b'), lookup(conn, 'c')];
    const ids = await Promise.all(
      [1, 2, 3].map(async (nth) => (await fake.waitFor('LOOKUP', { nth })).cmd.requestId),
    );
    await fake.sendAll([
      lookupAnswer(ids[2]!, 'pulsar://c:1'),
      { type: 'PING' },
      lookupAnswer(ids[0]!, 'pulsar://a:1'),
      lookupAnswer(ids[1]!, 'pulsar://b:1'),
    ]);
    assert.deepEqual(
      (await Promise.all(asks)).map((r) => r.brokerServiceUrl),
      ['pulsar://a:1', 'pulsar://b:1', 'pulsar://c:1'],
    );
    await fake.waitFor('PONG');

    // Round 2: the same stream cut 2 bytes into the second frame's size prefix, then mid-body of the third.
    const more = [lookup(conn, 'd'), lookup(conn, 'e'), lookup(conn, 'f')];
    const ids2 = await Promise.all(
      [4, 5, 6].map(async (nth) => (await fake.waitFor('LOOKUP', { nth })).cmd.requestId),
    );
    const frames = [
      lookupAnswer(ids2[1]!, 'pulsar://e:1'),
      lookupAnswer(ids2[0]!, 'pulsar://d:1'),
      lookupAnswer(ids2[2]!, 'pulsar://f:1'),
    ];
    const first = encodeCommand(frames[0]!).length;
    const second = encodeCommand(frames[1]!).length;
    await fake.sendAll(frames, { split: [first + 2, second - 2 + 5] });
    assert.deepEqual(
      (await Promise.all(more)).map((r) => r.brokerServiceUrl),
      ['pulsar://d:1', 'pulsar://e:1', 'pulsar://f:1'],
    );
    assert.equal(conn.closed, false);
  },
);

test(
  'a request nobody answers fails with K2P_PLS_TIMEOUT after the timeout; its late answer is ignored',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on('LOOKUP', undefined);
    const conn = await openConnection(t, broker, { operationTimeoutMs: 150 });
    const fake = await broker.connection(1);

    const started = Date.now();
    const asking = lookup(conn, 'slow');
    const { cmd: lost } = await fake.waitFor('LOOKUP');
    const err = await rejectsWith(asking, 'K2P_PLS_TIMEOUT');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 145 && elapsed < 1000, `timed out after ${elapsed} ms`);
    assert.equal(err.details.request, 'LOOKUP');
    assert.equal(err.canRetry, true);

    // A new request is waiting when the old answer finally arrives: the late answer must not settle it.
    const next = lookup(conn, 'next');
    const { cmd: current } = await fake.waitFor('LOOKUP', { nth: 2 });
    assert.notEqual(current.requestId, lost.requestId);
    await fake.send(lookupAnswer(lost.requestId, 'pulsar://late:1'));
    await sleep(30);
    assert.equal(await settled(next), 'pending', 'the late answer settled another request');
    assert.equal(conn.closed, false);
    await fake.send(lookupAnswer(current.requestId, 'pulsar://on-time:1'));
    assert.equal((await next).brokerServiceUrl, 'pulsar://on-time:1');
  },
);

test(
  'a broker ERROR rejects the request with K2P_PLS_SERVER named after the server error, retriable or not',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on(
      'LOOKUP',
      (cmd, c) =>
        void c.send(
          cmd.topic === 'loading'
            ? {
                type: 'ERROR',
                requestId: cmd.requestId,
                error: 'ServiceNotReady',
                message: 'topic is being loaded',
              }
            : { type: 'ERROR', requestId: cmd.requestId, error: 'InvalidTopicName', message: 'bad name' },
        ),
    );
    const conn = await openConnection(t, broker);

    const notReady = await rejectsWith(lookup(conn, 'loading'), 'K2P_PLS_SERVER');
    assert.equal(notReady.details.serverError, 'ServiceNotReady');
    assert.equal(notReady.canRetry, true);
    assert.match(notReady.message, /ServiceNotReady: topic is being loaded/);
    assert.equal(notReady.details.request, 'LOOKUP on ' + conn.address);

    const invalid = await rejectsWith(lookup(conn, 'bad//name'), 'K2P_PLS_SERVER');
    assert.equal(invalid.details.serverError, 'InvalidTopicName');
    assert.equal(invalid.canRetry, false);
    assert.equal(conn.closed, false, 'a request error must not close the connection');
  },
);

test(
  'an ERROR answering CONNECT fails open() with K2P_PLS_SERVER and closes the socket',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on(
      'CONNECT',
      (_cmd, c) =>
        void c.send({ type: 'ERROR', requestId: 0n, error: 'AuthenticationError', message: 'token expired' }),
    );
    const conn = newConnection(t, broker, { auth: tokenAuth('expired') });
    const err = await rejectsWith(conn.open(), 'K2P_PLS_SERVER');
    assert.equal(err.details.serverError, 'AuthenticationError');
    assert.equal(err.canRetry, false);
    const fake = await broker.connection(1);
    const socketClosed = await Promise.race([
      fake.closedPromise.then(() => true),
      sleep(500).then(() => false),
    ]);
    assert.ok(socketClosed, 'the socket of a failed handshake was left open');
    assert.equal(conn.closed, true);
  },
);

test(
  'no CONNECTED within connectTimeoutMs fails open() with K2P_PLS_CONNECT and closes the socket',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on('CONNECT', undefined);
    const conn = newConnection(t, broker, { connectTimeoutMs: 120 });
    const started = Date.now();
    await rejectsWith(conn.open(), 'K2P_PLS_CONNECT');
    assert.ok(Date.now() - started >= 115);
    await (
      await broker.connection(1)
    ).closedPromise;
  },
);

test('a PING from the broker is answered with PONG', { timeout: 5000 }, async (t) => {
  const broker = await startBroker(t);
  await openConnection(t, broker);
  const fake = await broker.connection(1);
  assert.equal(fake.commands('PONG').length, 0);
  await fake.send({ type: 'PING' });
  await fake.waitFor('PONG', { timeoutMs: 500 });
  await fake.send({ type: 'PING' }, { split: 1 });
  await fake.waitFor('PONG', { nth: 2, timeoutMs: 500 });
});

test(
  'the client PINGs every keep-alive interval and stays connected while the broker answers',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    const conn = await openConnection(t, broker, { keepAliveIntervalMs: 60 });
    const fake = await broker.connection(1);
    await sleep(420);
    const pings = fake.commands('PING').length;
    assert.ok(pings >= 3 && pings <= 8, `${pings} PINGs in 420 ms at a 60 ms interval`);
    assert.equal(conn.closed, false, 'closed although the broker answered every PING');
  },
);

test(
  'a broker silent for two keep-alive intervals gets the connection closed with K2P_PLS_DISCONNECTED',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on('PING', undefined).on('LOOKUP', undefined);
    const conn = await openConnection(t, broker, { keepAliveIntervalMs: 100, operationTimeoutMs: 5000 });
    const openedAt = Date.now();
    const fake = await broker.connection(1);
    const closed = new Promise<{ err: Error; at: number }>((resolve) =>
      conn.onClose((err) => resolve({ err, at: Date.now() })),
    );
    const waiting = lookup(conn, 'waiting');

    const { err, at } = await closed;
    const after = at - openedAt;
    assert.ok(isK2pError(err, 'K2P_PLS_DISCONNECTED'), String(err));
    assert.ok(after >= 195 && after <= 600, `closed ${after} ms after the last byte from the broker`);
    assert.ok(fake.commands('PING').length >= 1, 'no PING was sent before giving up');
    await rejectsWith(waiting, 'K2P_PLS_DISCONNECTED');
    await fake.closedPromise;
  },
);

test(
  'the broker dropping the socket fails every pending request and tells producers and consumers',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    broker.on('LOOKUP', undefined).on('PRODUCER', undefined);
    const conn = await openConnection(t, broker, { operationTimeoutMs: 5000 });
    const fake = await broker.connection(1);

    const told: string[] = [];
    const errors: Error[] = [];
    const producer = (name: string): ProducerHandler => ({
      onSendReceipt: () => told.push(`${name}:receipt`),
      onSendError: () => told.push(`${name}:send-error`),
      onClosedByBroker: () => told.push(`${name}:closed-by-broker`),
      onConnectionClosed: (err) => (told.push(`${name}:connection-closed`), errors.push(err)),
    });
    const consumer: ConsumerHandler = {
      onMessage: () => told.push('consumer:message'),
      onClosedByBroker: () => told.push('consumer:closed-by-broker'),
      onConnectionClosed: (err) => (told.push('consumer:connection-closed'), errors.push(err)),
    };
    conn.registerProducer(1n, producer('producer-1'));
    conn.registerProducer(2n, producer('producer-2'));
    conn.unregisterProducer(2n);
    conn.registerConsumer(7n, consumer);
    let listenerErr: Error | undefined;
    conn.onClose((err) => (listenerErr = err));

    const a = lookup(conn, 'a');
    const b = conn.request(
      { type: 'PRODUCER', topic: 't', producerId: 1n, requestId: conn.newRequestId() },
      'PRODUCER_SUCCESS',
    );
    await fake.waitFor('PRODUCER');
    await fake.drop();

    await rejectsWith(a, 'K2P_PLS_DISCONNECTED');
    await rejectsWith(b, 'K2P_PLS_DISCONNECTED');
    assert.deepEqual(told.sort(), ['consumer:connection-closed', 'producer-1:connection-closed']);
    for (const err of errors) assert.ok(isK2pError(err, 'K2P_PLS_DISCONNECTED'), String(err));
    assert.ok(isK2pError(listenerErr, 'K2P_PLS_DISCONNECTED'));
    assert.equal(conn.closed, true);
    // Afterwards: requests fail at once, one-way sends are dropped quietly.
    await rejectsWith(lookup(conn, 'after'), 'K2P_PLS_DISCONNECTED');
    assert.doesNotThrow(() => conn.send({ type: 'PING' }));
  },
);

test(
  'a frame over the adopted size limit closes the connection with K2P_PLS_FRAME',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    // A 1 KiB broker limit: frames may be 1 KiB + 10 KiB header room; the default (5 MiB) would wait for more.
    broker.on(
      'CONNECT',
      (_cmd, c) =>
        void c.send({ type: 'CONNECTED', serverVersion: 'small', protocolVersion: 21, maxMessageSize: 1024 }),
    );
    broker.on('LOOKUP', undefined);
    const conn = await openConnection(t, broker, { operationTimeoutMs: 2000 });
    const fake = await broker.connection(1);
    const closed = new Promise<Error>((resolve) => conn.onClose(resolve));
    const waiting = lookup(conn, 'x');
    await fake.waitFor('LOOKUP');

    const header = Buffer.alloc(8);
    header.writeUInt32BE(20_000, 0); // claims a 20 KB frame
    header.writeUInt32BE(10, 4);
    await fake.write(header);

    const err = await rejectsWith(waiting, 'K2P_PLS_FRAME');
    assert.ok(isK2pError(await closed, 'K2P_PLS_FRAME'));
    assert.match(err.message, /exceeds the limit/);
    await fake.closedPromise;
  },
);

test(
  'a frame whose size field is impossible closes the connection with K2P_PLS_FRAME',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    const conn = await openConnection(t, broker);
    const fake = await broker.connection(1);
    const closed = new Promise<Error>((resolve) => conn.onClose(resolve));
    await fake.write(Buffer.from([0, 0, 0, 2, 0xde, 0xad]), { split: 3 });
    assert.ok(isK2pError(await closed, 'K2P_PLS_FRAME'));
    await fake.closedPromise;
  },
);

test(
  'AUTH_CHALLENGE is answered with AUTH_RESPONSE carrying fresh token data',
  { timeout: 5000 },
  async (t) => {
    const broker = await startBroker(t);
    let issued = 0;
    const conn = await openConnection(t, broker, { auth: tokenAuth(() => `token-${++issued}`) });
    const fake = await broker.connection(1);
    const { cmd: connect } = await fake.waitFor('CONNECT');
    assert.equal(Buffer.from(connect.authData ?? []).toString(), 'token-1');

    await fake.send({
      type: 'AUTH_CHALLENGE',
      serverVersion: 'fake',
      protocolVersion: 21,
      challenge: { authMethodName: 'token', authData: Buffer.from('refresh') },
    });
    const { cmd: answer } = await fake.waitFor('AUTH_RESPONSE', { timeoutMs: 500 });
    assert.equal(answer.response?.authMethodName, 'token');
    assert.equal(Buffer.from(answer.response?.authData ?? []).toString(), 'token-2');
    assert.equal(answer.clientVersion, 'k2p-test/1.2');
    assert.equal(answer.protocolVersion, PROTOCOL_VERSION_MAX);

    // Every challenge asks the provider again.
    await fake.send(
      { type: 'AUTH_CHALLENGE', challenge: { authMethodName: 'token', authData: Buffer.from('refresh') } },
      { split: 2 },
    );
    const { cmd: again } = await fake.waitFor('AUTH_RESPONSE', { nth: 2, timeoutMs: 500 });
    assert.equal(Buffer.from(again.response?.authData ?? []).toString(), 'token-3');
    assert.equal(conn.closed, false);
  },
);
