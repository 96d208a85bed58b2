// Layer 2: the producer's pending queue across a reconnect, driven through a PulsarClient pointed at the
// scripted in-process broker. What a real broker stores is checked by the real-broker tests elsewhere.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PulsarClient } from '../../../src/pulsar/client/client.js';
import type { MessageId } from '../../../src/pulsar/client/message-id.js';
import type { CommandOf } from '../../../src/pulsar/protocol/index.js';
import { FAKE_PRODUCER_NAME, FakeBroker, type FakeConnection } from '../../helpers/fake-broker.js';

const TOPIC = 'persistent://public/default/fake-resend';

async function setup(t: TestContext): Promise<{ broker: FakeBroker; client: PulsarClient }> {
  const broker = await FakeBroker.start();
  const client = new PulsarClient({
    serviceUrl: broker.serviceUrl,
    operationTimeoutMs: 1000,
    connectTimeoutMs: 1000,
    keepAliveIntervalMs: 60_000,
  });
  t.after(async () => {
    await client.close();
    await broker.close();
  });
  return { broker, client };
}

function receipt(cmd: CommandOf<'SEND'>, ledgerId = 9n): CommandOf<'SEND_RECEIPT'> {
  return {
    type: 'SEND_RECEIPT',
    producerId: cmd.producerId,
    sequenceId: cmd.sequenceId,
    messageId: { ledgerId, entryId: cmd.sequenceId },
  };
}

function sendsOn(conn: FakeConnection): { seq: bigint; payload: string; crcOk: boolean }[] {
  return conn.frames
    .filter((f) => f.command.type === 'SEND')
    .map((f) => ({
      seq: (f.command as CommandOf<'SEND'>).sequenceId,
      payload: f.payload?.toString() ?? '',
      crcOk: f.checksumValid,
    }));
}

function track(p: Promise<MessageId>): { settled: boolean; value?: MessageId; error?: unknown } {
  const state: { settled: boolean; value?: MessageId; error?: unknown } = { settled: false };
  p.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

test(
  'a dropped connection: unacknowledged sends go out again in order with the same sequence ids, same name, next epoch',
  { timeout: 5000 },
  async (t) => {
    const { broker, client } = await setup(t);
    // The first connection never answers a SEND; later ones acknowledge each as it arrives.
    broker.on('SEND', (cmd, conn) => {
      if (conn !== broker.connections[0]) void conn.send(receipt(cmd));
    });

    const producer = await client.createProducer({ topic: TOPIC, batching: false, sendTimeoutMs: 3000 });
    const firstConn = await broker.connection(1);
    const { cmd: firstProducer } = await firstConn.waitFor('PRODUCER');
    assert.equal(firstProducer.producerName, undefined);
    assert.equal(firstProducer.epoch ?? 0n, 0n);
    assert.equal(producer.partition(0).producerName, `${FAKE_PRODUCER_NAME}-0`);

    const sends = [0, 1, 2].map((i) => producer.send({ payload: Buffer.from(`m${i}`) }));
    await firstConn.waitFor('SEND', { nth: 3 });
    await firstConn.drop();
    // Two more while the producer is away.
    sends.push(producer.send({ payload: Buffer.from('m3') }), producer.send({ payload: Buffer.from('m4') }));
    const states = sends.map(track);
    assert.deepEqual(
      sendsOn(firstConn).map((s) => s.seq),
      [0n, 1n, 2n],
    );

    const ids = await Promise.all(sends);
    const second = await broker.connection(2);
    assert.equal(broker.connections.length, 2, 'one connection per broker: lookup and producer share it');

    const { cmd: again } = await second.waitFor('PRODUCER');
    assert.equal(
      again.producerName,
      `${FAKE_PRODUCER_NAME}-0`,
      'the reconnect must keep the broker-given name',
    );
    assert.equal(again.userProvidedProducerName, false);
    assert.equal(again.epoch, 1n);
    assert.equal(again.producerId, firstProducer.producerId);

    assert.deepEqual(
      sendsOn(second),
      [0, 1, 2, 3, 4].map((i) => ({ seq: BigInt(i), payload: `m${i}`, crcOk: true })),
    );
    assert.deepEqual(
      ids.map((id) => [id.ledgerId, id.entryId]),
      [0n, 1n, 2n, 3n, 4n].map((seq) => [9n, seq]),
    );
    assert.ok(states.every((s) => s.settled && s.error === undefined));
    assert.equal(producer.partition(0).pendingCount, 0);
    assert.equal(producer.partition(0).lastSequenceId, 4n);

    // A stale receipt (seq 2 again) ahead of the next one must not settle the next send.
    broker.on(
      'SEND',
      (cmd, conn) =>
        void conn.sendAll([
          { ...receipt(cmd), sequenceId: 2n, messageId: { ledgerId: 1n, entryId: 1n } },
          receipt(cmd, 10n),
        ]),
    );
    const next = await producer.send({ payload: Buffer.from('m5') });
    assert.deepEqual([next.ledgerId, next.entryId], [10n, 5n]);
    assert.equal(sendsOn(second).length, 6, 'no send went out twice on the new connection');
    assert.deepEqual(broker.errors, []);
  },
);

test(
  'a SEND_ERROR makes the producer reconnect and resend from the failed message',
  { timeout: 5000 },
  async (t) => {
    const { broker, client } = await setup(t);
    broker.on('SEND', (cmd, conn) => {
      if (conn !== broker.connections[0]) return void conn.send(receipt(cmd));
      // Acknowledge 0, refuse 1 (2 arrives behind it and is never answered on this connection).
      if (cmd.sequenceId === 0n) void conn.send(receipt(cmd));
      else if (cmd.sequenceId === 1n)
        void conn.send({
          type: 'SEND_ERROR',
          producerId: cmd.producerId,
          sequenceId: 1n,
          error: 'PersistenceError',
          message: 'bookie down',
        });
    });
    const producer = await client.createProducer({
      topic: TOPIC,
      producerName: 'named',
      batching: false,
      sendTimeoutMs: 3000,
    });
    await broker.connection(1);

    const ids = await Promise.all([0, 1, 2].map((i) => producer.send({ payload: Buffer.from(`m${i}`) })));
    const second = await broker.connection(2);
    const { cmd: again } = await second.waitFor('PRODUCER');
    assert.equal(again.producerName, 'named');
    assert.equal(again.userProvidedProducerName, true);
    assert.equal(again.epoch, 1n);
    assert.deepEqual(
      sendsOn(second).map((s) => [s.seq, s.payload]),
      [
        [1n, 'm1'],
        [2n, 'm2'],
      ],
    );
    assert.deepEqual(
      ids.map((id) => id.entryId),
      [0n, 1n, 2n],
    );
  },
);

test(
  'CLOSE_PRODUCER from the broker: the producer comes back on a new PRODUCER with the next epoch',
  { timeout: 5000 },
  async (t) => {
    const { broker, client } = await setup(t);
    broker.on('SEND', undefined);
    const producer = await client.createProducer({ topic: TOPIC, batching: false, sendTimeoutMs: 3000 });
    const conn = await broker.connection(1);
    const { cmd: first } = await conn.waitFor('PRODUCER');

    const sent = track(producer.send({ payload: Buffer.from('held') }));
    await conn.waitFor('SEND');
    broker.on('SEND', (cmd, c) => void c.send(receipt(cmd)));
    await conn.send({ type: 'CLOSE_PRODUCER', producerId: first.producerId, requestId: 99n });

    const { cmd: again } = await conn.waitFor('PRODUCER', { nth: 2 });
    assert.equal(again.epoch, 1n);
    assert.equal(again.producerName, first.producerName ?? `${FAKE_PRODUCER_NAME}-0`);
    await conn.waitFor('SEND', { nth: 2 });
    for (let i = 0; i < 50 && !sent.settled; i++) await sleep(10);
    assert.equal(sent.error, undefined);
    assert.equal(sent.value?.entryId, 0n);
    assert.equal(broker.connections.length, 1, 'a closed producer does not need a new connection');
  },
);

test('a broker that never answers a send: every pending send fails with K2P_PLS_SEND_TIMEOUT', { timeout: 5000 }, async (t) => {
  const { broker, client } = await setup(t);
  broker.on('SEND', undefined); // stored nowhere, no receipt
  const producer = await client.createProducer({ topic: TOPIC, batching: false, sendTimeoutMs: 300 });
  const started = Date.now();
  const results = await Promise.allSettled([1, 2, 3].map((i) => producer.send({ payload: Buffer.from(`m${i}`) })));
  const elapsed = Date.now() - started;
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.equal((r as PromiseRejectedResult).reason.code, 'K2P_PLS_SEND_TIMEOUT');
  }
  assert.ok(elapsed >= 300 && elapsed < 2500, `failed after ${elapsed} ms`);
  assert.equal(producer.partition(0).pendingCount, 0, 'nothing left pending');
});
