// Our producer against the real Pulsar standalone: ids, sequence ids, deduplication, reconnects, limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../../src/errors.js';
import { MessageId } from '../../../src/pulsar/client/index.js';
import { admin, freshTopic, nothingMore, receiveN, testClient } from '../../helpers/pulsar.js';
import { uniqueName } from '../../helpers/stack.js';

const client = testClient();

async function enableDedup(topic: string): Promise<void> {
  await admin.topics.setDeduplication(topic, true);
  // The policy reaches the broker through a system topic; wait until the topic reports it.
  const deadline = Date.now() + 15_000;
  while ((await admin.topics.getDeduplication(topic)) !== true) {
    assert.ok(Date.now() < deadline, 'deduplication policy not applied');
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('batched sends resolve with ids in send order, batch indexes inside one entry', async () => {
  const topic = await freshTopic('prod-ids');
  const producer = await client.createProducer({ topic, batchingMaxDelayMs: 50 });
  const ids = await producer.sendBatch(Array.from({ length: 5 }, (_, i) => ({ payload: Buffer.from(`m${i}`) })));
  assert.deepEqual(
    ids.map((id) => id.batchIndex),
    [0, 1, 2, 3, 4],
  );
  assert.equal(new Set(ids.map((id) => `${id.ledgerId}:${id.entryId}`)).size, 1, 'one entry');
  const single = await producer.send({ payload: Buffer.from('alone') });
  assert.equal(single.batchIndex, -1, 'a batch of one goes out as a plain message');
  assert.equal(single.compare(ids[4]!) > 0, true);
  await producer.close();
});

test('sendNow() sends the open batch at once, without waiting for earlier receipts or the batch timer', async () => {
  const topic = await freshTopic('prod-send-now');
  const producer = await client.createProducer({ topic, batchingMaxDelayMs: 60_000 });
  const part = producer.partition(0);
  const first = Array.from({ length: 3 }, (_, i) => producer.send({ payload: Buffer.from(`a${i}`) }));
  await Promise.resolve(); // send() takes its permit in a microtask
  part.sendNow();
  const second = Array.from({ length: 2 }, (_, i) => producer.send({ payload: Buffer.from(`b${i}`) }));
  await Promise.resolve();
  part.sendNow(); // while the first batch may still wait for its receipt
  const started = Date.now();
  const ids = await Promise.all([...first, ...second]);
  assert.ok(Date.now() - started < 30_000, 'not held until the 60 s batch timer');
  assert.deepEqual(ids.map((id) => id.batchIndex), [0, 1, 2, 0, 1]);
  assert.equal(ids[0]!.compare(ids[3]!) < 0, true, 'two entries, in send order');
  await producer.close();
});

test('user-given sequence ids and deduplication: a resend after a new producer stores nothing twice', async () => {
  const topic = await freshTopic('prod-dedup');
  await enableDedup(topic);
  const consumer = await client.subscribe({ topic, subscription: 'check', initialPosition: 'Earliest' });
  const name = uniqueName('mirror');

  const first = await client.createProducer({ topic, producerName: name, batching: false });
  await first.sendBatch(Array.from({ length: 100 }, (_, i) => ({ payload: Buffer.from(`m${i}`), sequenceId: BigInt(i * 10) })));
  assert.deepEqual(first.lastSequenceIds(), [990n]);
  await first.close();

  // A restarted pipeline resends from an older position: the broker drops what it has (ids -1:-1).
  const second = await client.createProducer({ topic, producerName: name, batching: true });
  assert.deepEqual(second.lastSequenceIds(), [990n], 'PRODUCER_SUCCESS told us where the broker is');
  const ids = await second.sendBatch(Array.from({ length: 150 }, (_, i) => ({ payload: Buffer.from(`m${i + 50}`), sequenceId: BigInt((i + 50) * 10) })));
  const dropped = ids.filter((id) => id.ledgerId === -1n).length;
  assert.equal(dropped, 50, 'sequence ids 500..990 were duplicates');
  await second.close();

  const got = await receiveN(consumer, 200);
  assert.deepEqual(
    got.map((m) => m.payload.toString()),
    Array.from({ length: 200 }, (_, i) => `m${i}`),
  );
  assert.deepEqual(
    got.map((m) => m.sequenceId),
    Array.from({ length: 200 }, (_, i) => BigInt(i * 10)),
  );
  assert.equal(await nothingMore(consumer), undefined);
});

test('a topic unload mid-stream: pending sends are resent and deduplicated, order kept', async () => {
  const topic = await freshTopic('prod-unload');
  await enableDedup(topic);
  const consumer = await client.subscribe({ topic, subscription: 'check', initialPosition: 'Earliest' });
  const producer = await client.createProducer({ topic, producerName: uniqueName('p'), batchingMaxMessages: 50 });
  const sends: Promise<MessageId>[] = [];
  for (let i = 0; i < 5000; i++) {
    sends.push(producer.send({ payload: Buffer.from(`m${i}`) }));
    if (i === 2000) await admin.topics.unload(topic); // the broker closes the producer; we reconnect
  }
  await Promise.all(sends);
  const got = await receiveN(consumer, 5000, 20_000);
  assert.deepEqual(
    got.map((m) => m.payload.toString()),
    Array.from({ length: 5000 }, (_, i) => `m${i}`),
  );
  assert.equal(await nothingMore(consumer), undefined, 'no duplicate after the reconnect');
  await producer.close();
});

test('send() waits when maxPendingMessages are in flight instead of buffering without bound', async () => {
  const topic = await freshTopic('prod-pending');
  const producer = await client.createProducer({ topic, maxPendingMessages: 10, batchingMaxDelayMs: 200 });
  const part = producer.partition(0);
  const sends = Array.from({ length: 30 }, (_, i) => producer.send({ payload: Buffer.from(`m${i}`) }));
  await new Promise((r) => setImmediate(r));
  assert.ok(part.pendingCount <= 10, `pending ${part.pendingCount} stays within the limit`);
  await Promise.all(sends);
  assert.equal(part.pendingCount, 0);
  await producer.close();
});

test('sends keep their call order while they wait for permits, also a send made as soon as an earlier one resolves', async () => {
  const topic = await freshTopic('prod-permit-order');
  const consumer = await client.subscribe({ topic, subscription: 's', initialPosition: 'Earliest' });
  const producer = await client.createProducer({ topic, maxPendingMessages: 3, batchingMaxDelayMs: 50 });
  const send = (i: number) => producer.send({ payload: Buffer.from(`m${i}`) });
  // m0-m2 take the three permits and go in one batch; m3 and m4 wait for permits. The batch's receipt hands
  // the permits on one by one: m3's, then m0 resolves (its caller sends m5 in the next microtask), then m4's,
  // and one is left over. m5 must not take that one ahead of m4, whose permit is granted but which has not
  // gone on yet.
  const first = [send(0), send(1), send(2)];
  const waiting = [send(3), send(4)];
  const after = first[0]!.then(() => send(5));
  await Promise.all([...first, ...waiting, after]);
  const got = await receiveN(consumer, 6);
  assert.deepEqual(
    got.map((m) => m.payload.toString()),
    ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'],
  );
  await producer.close();
});

test('null values, binary keys and properties survive the round trip', async () => {
  const topic = await freshTopic('prod-fields');
  const consumer = await client.subscribe({ topic, subscription: 's', initialPosition: 'Earliest' });
  const producer = await client.createProducer({ topic });
  const binaryKey = Buffer.from([0, 255, 1, 254]);
  await producer.sendBatch([
    { payload: null, key: 'deleted-key' },
    { payload: Buffer.from('v'), key: binaryKey, properties: { 'a b': 'ü' }, eventTime: 1234, orderingKey: 'ok' },
  ]);
  const [tombstone, keyed] = await receiveN(consumer, 2);
  assert.equal(tombstone!.nullValue, true);
  assert.equal(tombstone!.key, 'deleted-key');
  assert.deepEqual(keyed!.keyBytes, binaryKey);
  assert.deepEqual(keyed!.properties, { 'a b': 'ü' });
  assert.equal(keyed!.eventTime, 1234);
  assert.equal(keyed!.orderingKey?.toString(), 'ok');
  await producer.close();
});

test('a message over the broker limit is refused without chunking, and sent in chunks with it', async () => {
  const topic = await freshTopic('prod-large');
  const big = Buffer.alloc(6 * 1024 * 1024, 7);
  const plain = await client.createProducer({ topic, batching: false });
  await assert.rejects(plain.send({ payload: big }), (err) => isK2pError(err, 'K2P_PLS_MESSAGE_TOO_LARGE'));
  await plain.close();

  const consumer = await client.subscribe({ topic, subscription: 's', initialPosition: 'Earliest' });
  const chunked = await client.createProducer({ topic, batching: false, chunking: true });
  await chunked.send({ payload: big, key: 'big' });
  const [msg] = await receiveN(consumer, 1);
  assert.equal(msg!.payload.length, big.length);
  assert.ok(msg!.payload.equals(big));
  assert.equal(msg!.chunkIds?.length, 2);
  await chunked.close();
});

test('an Exclusive producer fences out a second one', async () => {
  const topic = await freshTopic('prod-exclusive');
  const first = await client.createProducer({ topic, accessMode: 'Exclusive' });
  await assert.rejects(client.createProducer({ topic, accessMode: 'Exclusive' }), (err) => isK2pError(err, 'K2P_PLS_SERVER'));
  await first.close();
});

test('ExclusiveWithFencing takes the topic over from an Exclusive producer, which then fails', async () => {
  const topic = await freshTopic('prod-fencing');
  const old = await client.createProducer({ topic, accessMode: 'Exclusive', batching: false });
  await old.send({ payload: Buffer.from('before') });
  const fencing = await client.createProducer({ topic, accessMode: 'ExclusiveWithFencing', batching: false });
  await fencing.send({ payload: Buffer.from('after') });
  await assert.rejects(
    old.send({ payload: Buffer.from('fenced') }),
    (err) => isK2pError(err) && (err.code === 'K2P_PLS_SERVER' || err.code === 'K2P_PLS_CLOSED'),
  );
  await fencing.close();
});

test('a non-persistent topic delivers to a connected consumer', async () => {
  const topic = `non-persistent://public/default/${uniqueName('np')}`;
  const consumer = await client.subscribe({ topic, subscription: 's' });
  const producer = await client.createProducer({ topic });
  await producer.sendBatch(Array.from({ length: 20 }, (_, i) => ({ payload: Buffer.from(`m${i}`) })));
  const got = await receiveN(consumer, 20);
  assert.deepEqual(
    got.map((m) => m.payload.toString()),
    Array.from({ length: 20 }, (_, i) => `m${i}`),
  );
  assert.match(got[0]!.topic, /^non-persistent:\/\//);
  await producer.close();
  await consumer.close();
});

test('a non-increasing sequence id goes out alone: newer messages after it are still stored', async () => {
  const topic = await freshTopic('prod-nonincreasing');
  await enableDedup(topic);
  const consumer = await client.subscribe({ topic, subscription: 's', initialPosition: 'Earliest' });
  const producer = await client.createProducer({ topic, producerName: uniqueName('p'), batchingMaxDelayMs: 50 });
  await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ payload: Buffer.from(`m${i}`), sequenceId: BigInt(i) })));
  const [again, newer] = await producer.sendBatch([
    { payload: Buffer.from('again'), sequenceId: 5n },
    { payload: Buffer.from('m20'), sequenceId: 20n },
  ]);
  assert.equal(again!.ledgerId, -1n, 'sequence id 5 is a duplicate');
  assert.notEqual(newer!.ledgerId, -1n, 'sequence id 20 is stored');
  const got = await receiveN(consumer, 11);
  assert.equal(got[10]!.payload.toString(), 'm20');
  await producer.close();
});
