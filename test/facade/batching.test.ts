// Coalesced produce: the batcher alone (order, one send in flight, limits, a failed send fails exactly its
// requests), and against the real stack a partition added to the topic after the facade's Kafka producer loaded
// its metadata (kafkajs would leave those records out of the send and report nothing).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendBatcher } from '../../src/facade/batcher.js';
import { fixture, kafka, readKafka, V2_BINARY, b64 } from './fixture.js';

/** Two turns of the event loop: an idle batcher sends after one more turn than the one a request came in. */
const turns = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

test('batcher: requests arriving while a send is in flight go together, in order, each with its own result', async () => {
  const sends: number[][] = [];
  let release!: () => void;
  const batcher = new SendBatcher<number, string>(async (requests) => {
    sends.push([...requests]);
    if (sends.length === 1) await new Promise<void>((resolve) => (release = resolve));
    return { results: requests.map((r) => `r${r}`) };
  });
  const first = batcher.submit(0, 1);
  await turns(); // the first send leaves alone and stays in flight
  const later = [1, 2, 3, 4].map((n) => batcher.submit(n, 1));
  release();
  assert.deepEqual(await Promise.all([first, ...later]), ['r0', 'r1', 'r2', 'r3', 'r4']);
  assert.deepEqual(sends, [[0], [1, 2, 3, 4]]);
  assert.deepEqual(batcher.stats, { sends: 2, requests: 5 });
  await batcher.idle();
});

test('batcher: a send carries at most maxRecords records, a request with more goes alone and whole', async () => {
  const sends: string[][] = [];
  const batcher = new SendBatcher<string, string>(async (requests) => {
    sends.push([...requests]);
    return { results: requests.map((r) => `ok ${r}`) };
  }, { maxWeight: 1_000, maxRequests: 100, maxRecords: 5 });
  const results = await Promise.all([batcher.submit('a', 1, 2), batcher.submit('b', 1, 3), batcher.submit('c', 1, 1), batcher.submit('huge', 1, 9), batcher.submit('d', 1, 4)]);
  assert.deepEqual(results, ['ok a', 'ok b', 'ok c', 'ok huge', 'ok d']);
  assert.deepEqual(sends, [['a', 'b'], ['c'], ['huge'], ['d']]);
});

test('batcher: a failed send fails exactly its requests; a heavy request goes alone; results may come after the next send starts', async () => {
  const sends: string[][] = [];
  let late!: (v: readonly string[]) => void;
  const batcher = new SendBatcher<string, string>(
    async (requests) => {
      sends.push([...requests]);
      if (requests.includes('bad')) throw new Error('broker said no');
      if (requests.includes('slow')) return { results: new Promise<readonly string[]>((resolve) => (late = resolve)) };
      return { results: requests.map((r) => `ok ${r}`) };
    },
    { maxWeight: 10, maxRequests: 3 },
  );
  const bad = assert.rejects(batcher.submit('bad', 1), /broker said no/);
  const sameSend = assert.rejects(batcher.submit('b', 1), /broker said no/); // same turn: same send
  await turns();
  const nextSend = batcher.submit('a', 1);
  await bad;
  await sameSend;
  assert.equal(await nextSend, 'ok a', 'a request of a later send is not failed by an earlier one');
  assert.deepEqual(sends, [['bad', 'b'], ['a']]);
  // Weight and count limits: 'big' (weight 20) goes alone; at most 3 per send.
  const results = Promise.all([batcher.submit('x', 4), batcher.submit('y', 4), batcher.submit('big', 20), batcher.submit('p', 1), batcher.submit('q', 1), batcher.submit('r', 1), batcher.submit('s', 1)]);
  assert.deepEqual(await results, ['ok x', 'ok y', 'ok big', 'ok p', 'ok q', 'ok r', 'ok s']);
  assert.deepEqual(sends.slice(-4), [['x', 'y'], ['big'], ['p', 'q', 'r'], ['s']]);
  // A send whose results come later frees the batcher for the next send at once.
  const slow = batcher.submit('slow', 1);
  await turns();
  assert.equal(await batcher.submit('after', 1), 'ok after');
  late(['ok slow']);
  assert.equal(await slow, 'ok slow');
});

test('route kafka: a partition added after the producer loaded the topic gets its records (kafkajs would drop them), offsets exact', { timeout: 120_000 }, async () => {
  const f = await fixture('fct-batch-newpart', 'kafka', 2);
  const produce = async (path: string, values: string[]) => {
    const res = await f.app.inject({ method: 'POST', url: `/topics/${f.topic}${path}`, headers: { 'content-type': V2_BINARY }, payload: { records: values.map((v) => ({ value: b64(v) })) } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ offsets: { partition: number; offset: number | null; error_code: number | null; error: string | null }[] }>().offsets;
  };
  assert.deepEqual((await produce('/partitions/1', ['before'])).map((o) => [o.partition, o.offset, o.error_code]), [[1, 0, null]]);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createPartitions({ topicPartitions: [{ topic: f.topic, count: 4 }] });
  await kafkaAdmin.disconnect();
  // Concurrent requests to the new partitions and an old one, coalesced into shared sends.
  const outs = await Promise.all([produce('/partitions/3', ['n3-a', 'n3-b']), produce('/partitions/2', ['n2-a']), produce('/partitions/1', ['old-a']), produce('/partitions/3', ['n3-c'])]);
  assert.deepEqual(
    outs.map((o) => o.map((x) => [x.partition, x.offset, x.error_code])),
    [
      [
        [3, 0, null],
        [3, 1, null],
      ],
      [[2, 0, null]],
      [[1, 1, null]],
      [[3, 2, null]],
    ],
  );
  const stored = await readKafka(f.topic, 6);
  assert.deepEqual(
    stored.map((r) => [r.partition, Number(r.offset), r.value]),
    [
      [1, 0, 'before'],
      [1, 1, 'old-a'],
      [2, 0, 'n2-a'],
      [3, 0, 'n3-a'],
      [3, 1, 'n3-b'],
      [3, 2, 'n3-c'],
    ],
  );
});
