// The consumer option rawEntries against the real Pulsar standalone: entries taken with receiveEntries and
// walked with scanEntry give every message exactly as receive() gives it (ids, keys — text and binary —,
// properties, event times, null values, sequence ids), readers starting or seeking inside a batch leave out
// the same messages, and the queue stays bounded with preciseFlowControl.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MessageId,
  batchSizeOf,
  keyOf,
  scanEntry,
  sequenceIdOf,
  type Consumer,
  type Message,
  type OutgoingMessage,
} from '../../../src/pulsar/client/index.js';
import { freshTopic, testClient } from '../../helpers/pulsar.js';

const client = testClient();

/** What both ways of reading must agree on, per message. */
interface Seen {
  id: string;
  batchSize: number;
  key: string | undefined;
  value: string | null;
  properties: Record<string, string>;
  eventTime: number | undefined;
  sequenceId: string;
}

const fromMessage = (m: Message): Seen => ({
  id: m.id.toString(),
  batchSize: m.id.batchSize,
  key: m.keyBytes?.toString('hex'),
  value: m.nullValue ? null : m.payload.toString('hex'),
  properties: m.properties,
  eventTime: m.eventTime,
  sequenceId: String(m.sequenceId),
});

async function readMessages(consumer: Consumer, n: number): Promise<Seen[]> {
  const out: Seen[] = [];
  while (out.length < n) {
    const got = await consumer.receiveBatch(n - out.length, 10_000);
    assert.ok(got.length > 0, `messages stopped after ${out.length} of ${n}`);
    out.push(...got.map(fromMessage));
  }
  return out;
}

async function readEntries(consumer: Consumer, n: number, max = 1000): Promise<Seen[]> {
  const out: Seen[] = [];
  while (out.length < n) {
    const entries = await consumer.receiveEntries(max, 10_000);
    assert.ok(entries.length > 0, `entries stopped after ${out.length} of ${n} messages`);
    for (const e of entries) {
      scanEntry(e, (index, m, payload) => {
        const properties: Record<string, string> = {};
        for (const p of m.properties ?? []) properties[p.key] = p.value;
        out.push({
          id: new MessageId(e.ledgerId, e.entryId, e.partition, index).toString(),
          batchSize: batchSizeOf(e),
          key: keyOf(m)?.toString('hex'),
          value: payload === null ? null : payload.toString('hex'),
          properties,
          eventTime: m.eventTime || undefined,
          sequenceId: String(sequenceIdOf(e, index, m)),
        });
      });
    }
  }
  return out;
}

function message(i: number): OutgoingMessage {
  return {
    payload: i % 7 === 3 ? null : Buffer.from(`m${i}`),
    key: i % 5 === 0 ? undefined : i % 2 === 0 ? `k${i}` : Buffer.from([i & 255, 0, 0xff]),
    properties: { a: `x${i}`, 'k2p.offset': String(i), ...(i % 4 === 0 ? { b: 'é' } : {}) },
    eventTime: i % 6 === 0 ? undefined : 1_700_000_000_000 + i,
  };
}

/** 60 messages in batch entries of 10, then 5 sent one entry each. */
async function fill(topic: string): Promise<MessageId[]> {
  const batched = await client.createProducer({ topic, batchingMaxMessages: 10, batchingMaxDelayMs: 50 });
  const ids = await batched.sendBatch(Array.from({ length: 60 }, (_, i) => message(i)));
  await batched.close();
  const single = await client.createProducer({ topic, batching: false });
  for (let i = 60; i < 65; i++) ids.push(await single.send(message(i)));
  await single.close();
  return ids;
}

const reader = (topic: string, start: MessageId, inclusive: boolean, rawEntries: boolean) =>
  client.subscribe({
    topic,
    subscription: `r-${Math.random().toString(36).slice(2)}`,
    durable: false,
    startMessageId: start,
    startMessageIdInclusive: inclusive,
    initialPosition: 'Earliest',
    preciseFlowControl: true,
    rawEntries,
  });

test('rawEntries: every message as receive() gives it, batched or not', async () => {
  const topic = await freshTopic('raw-entries');
  await fill(topic);
  const plain = await reader(topic, MessageId.earliest, true, false);
  const raw = await reader(topic, MessageId.earliest, true, true);
  const expected = await readMessages(plain, 65);
  assert.equal(new Set(expected.map((m) => m.batchSize)).size > 1, true, 'batched and single entries');
  assert.deepEqual(await readEntries(raw, 65, 25), expected);
  assert.deepEqual(await raw.receiveEntries(100, 300), [], 'nothing more');
  await Promise.all([plain.close(), raw.close()]);
});

test('rawEntries: a reader starting inside a batch or at a single message, or seeking into a batch, leaves out the same messages', async () => {
  const topic = await freshTopic('raw-entries-start');
  const ids = await fill(topic);
  // Index 3 of the third entry, and a message sent as an entry of its own.
  for (const k of [23, 62]) {
    for (const inclusive of [true, false]) {
      const plain = await reader(topic, ids[k]!, inclusive, false);
      const raw = await reader(topic, ids[k]!, inclusive, true);
      const n = inclusive ? 65 - k : 64 - k;
      const expected = await readMessages(plain, n);
      assert.equal(expected[0]!.properties['k2p.offset'], String(inclusive ? k : k + 1));
      assert.deepEqual(await readEntries(raw, n), expected, `start ${k}, inclusive: ${inclusive}`);
      assert.deepEqual(await raw.receiveEntries(100, 300), [], `start ${k}, inclusive: ${inclusive}: nothing more`);
      await Promise.all([plain.close(), raw.close()]);
    }
  }
  const plain = await reader(topic, MessageId.earliest, true, false);
  const raw = await reader(topic, MessageId.earliest, true, true);
  const to = ids[45]!;
  await Promise.all([plain.seek(to), raw.seek(to)]);
  const expected = await readMessages(plain, 20);
  assert.equal(expected[0]!.properties['k2p.offset'], '45');
  assert.deepEqual(await readEntries(raw, 20), expected);
  await Promise.all([plain.close(), raw.close()]);
});

test('rawEntries with preciseFlowControl: the queue stays bounded, every message comes in order', async () => {
  const topic = await freshTopic('raw-entries-flow');
  const producer = await client.createProducer({ topic, batchingMaxMessages: 500, batchingMaxDelayMs: 50 });
  const n = 20_000;
  await producer.sendBatch(Array.from({ length: n }, (_, i) => ({ payload: Buffer.from(`m${i}`) })));
  await producer.close();
  const raw = await client.subscribe({ topic, subscription: 'raw', initialPosition: 'Earliest', receiverQueueSize: 1000, preciseFlowControl: true, rawEntries: true });
  await new Promise((r) => setTimeout(r, 1500));
  const part = raw.partitions[0]!;
  assert.ok(part.buffered > 0 && part.buffered <= 1500, `${part.buffered} buffered: at most the queue and one entry`);
  let next = 0;
  let most = 0;
  while (next < n) {
    const entries = await raw.receiveEntries(300, 10_000);
    assert.ok(entries.length > 0, `stopped at ${next}`);
    for (const e of entries) scanEntry(e, (_i, _m, payload) => assert.equal(payload?.toString(), `m${next++}`));
    most = Math.max(most, part.buffered);
  }
  assert.ok(most <= 1500, `at most ${most} buffered while receiving`);
  assert.deepEqual(await raw.receiveEntries(100, 300), []);
  await raw.close();
});
