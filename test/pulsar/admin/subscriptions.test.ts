// Subscriptions placed at exact positions through the admin REST API (what offset translation relies on),
// cursor resets, stats and schemas — checked by consuming with our client against the real broker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../../src/errors.js';
import { admin, freshTopic, receiveN, testClient } from '../../helpers/pulsar.js';

const client = testClient();

async function produce(topic: string, n: number, batching = true) {
  const producer = await client.createProducer({ topic, batching, batchingMaxMessages: 10, batchingMaxDelayMs: 50 });
  const ids = await producer.sendBatch(Array.from({ length: n }, (_, i) => ({ payload: Buffer.from(`m${i}`) })));
  await producer.close();
  return ids;
}

const first = async (topic: string, subscription: string) => {
  const consumer = await client.subscribe({ topic, subscription });
  const [msg] = await receiveN(consumer, 1);
  await consumer.close();
  return msg!.payload.toString();
};

test('a subscription created at a message id inside a batch starts exactly at that message', async () => {
  const topic = await freshTopic('adm-sub-batch');
  await admin.subscriptions.create(topic, 'keep', 'earliest');
  const ids = await produce(topic, 30); // entries of 10
  const target = ids[14]!; // second entry, batch index 4
  assert.equal(target.batchIndex, 4);
  await admin.subscriptions.create(topic, 'at-14', { ledgerId: target.ledgerId, entryId: target.entryId, batchIndex: target.batchIndex });
  assert.equal(await first(topic, 'at-14'), 'm14');

  // excluded: start after the message.
  await admin.subscriptions.create(topic, 'after-14', { ledgerId: target.ledgerId, entryId: target.entryId, batchIndex: target.batchIndex, excluded: true });
  assert.equal(await first(topic, 'after-14'), 'm15');

  // A plain (non-batched) message id.
  const plain = await produce(topic, 3, false);
  await admin.subscriptions.create(topic, 'at-plain', { ledgerId: plain[1]!.ledgerId, entryId: plain[1]!.entryId });
  assert.equal(await first(topic, 'at-plain'), 'm1');
  assert.deepEqual((await admin.subscriptions.list(topic)).sort(), ['after-14', 'at-14', 'at-plain', 'keep']);
});

test('reset cursor by message id and by time; backlog in stats; delete', async () => {
  const topic = await freshTopic('adm-reset');
  await admin.subscriptions.create(topic, 's', 'earliest');
  const before = Date.now();
  const ids = await produce(topic, 20, false);
  const stats = await admin.topics.stats(topic);
  assert.equal(stats.subscriptions.s!.msgBacklog, 20);

  await admin.subscriptions.resetToMessage(topic, 's', { ledgerId: ids[7]!.ledgerId, entryId: ids[7]!.entryId });
  assert.equal(await first(topic, 's'), 'm7');

  await admin.subscriptions.skipAll(topic, 's');
  assert.equal((await admin.topics.stats(topic)).subscriptions.s!.msgBacklog, 0);
  await admin.subscriptions.resetToTime(topic, 's', before);
  assert.equal((await admin.topics.stats(topic)).subscriptions.s!.msgBacklog, 20);

  await admin.subscriptions.delete(topic, 's');
  assert.deepEqual(await admin.subscriptions.list(topic), []);
  await assert.rejects(admin.subscriptions.resetToTime(topic, 's', before), (err) => isK2pError(err, 'K2P_PLS_ADMIN') && err.details.status === 404);
});

test('a partitioned topic: a subscription is created on every partition; lastMessageId per partition', async () => {
  const topic = await freshTopic('adm-sub-parts', 3);
  await admin.subscriptions.create(topic, 'all', 'earliest');
  for (let p = 0; p < 3; p++) assert.deepEqual(await admin.subscriptions.list(`${topic}-partition-${p}`), ['all']);
  const producer = await client.createProducer({ topic, batching: false });
  const id = await producer.send({ payload: Buffer.from('x'), partition: 2 });
  await producer.close();
  const last = await admin.topics.lastMessageId(`${topic}-partition-2`);
  assert.equal(last.ledgerId, id.ledgerId);
  assert.equal(last.entryId, id.entryId);
});

test('schemas through the admin API: upload, read back, versions', async () => {
  const topic = await freshTopic('adm-schema');
  const v1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] });
  const v2 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'note', type: ['null', 'string'], default: null }] });
  assert.equal(await admin.schemas.latest(topic), undefined);
  assert.equal(await admin.schemas.upload(topic, { type: 'AVRO', schema: v1 }), 0);
  assert.equal(await admin.schemas.upload(topic, { type: 'AVRO', schema: v2 }), 1);
  const latest = await admin.schemas.latest(topic);
  assert.equal(latest?.type, 'AVRO');
  assert.deepEqual(JSON.parse(latest!.schema), JSON.parse(v2));
  assert.deepEqual(JSON.parse((await admin.schemas.version(topic, 0)).schema), JSON.parse(v1));
  // The binary protocol sees the same schema.
  const viaClient = await client.schemas.get(topic);
  assert.equal(viaClient?.schema.type, 'Avro');
  assert.deepEqual(JSON.parse(Buffer.from(viaClient!.schema.schemaData).toString()), JSON.parse(v2));
});
