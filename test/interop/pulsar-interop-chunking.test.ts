// Interop: a 12 MB message (over the broker's 5 MB limit) chunked by one client and reassembled by the
// other, byte-identical (sha256), both ways.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import {
  admin,
  freshTopic,
  interopClient,
  pyConsume,
  pyProduce,
  receiveN,
  sha256,
} from '../helpers/pulsar-interop.js';
import { cleanup } from '../helpers/stack.js';

const client = interopClient();
const SIZE = 12 * 1024 * 1024;
/** Chunks the broker's default 5 MB limit forces at least. */
const MIN_CHUNKS = Math.ceil(SIZE / (5 * 1024 * 1024));

/**
 * The C++ client cuts chunks of maxMessageSize minus the metadata, so a stored chunk is a few bytes over
 * 5 MB; a bookie left at its 5 MB frame default rejects it and the broker retries the write in a loop that
 * stalls the whole (shared) stack. Our local stack's bookie reads the standalone.conf it was started with:
 * when that file lacks the frame limit, the stack predates the fix in stack/services/pulsar.ts — skip
 * (with the reason) rather than break every other test running on it. Restart the stack to run it.
 */
function bookieRejectsFullChunks(): string | false {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const conf = join(process.env.K2P_STACK_DIR ?? join(root, '.stack'), 'pulsar', 'standalone.conf');
  if (!existsSync(conf)) return false;
  const limit = /^nettyMaxFrameSizeBytes=(\d+)/m.exec(readFileSync(conf, 'utf8'));
  if (limit && Number(limit[1]) >= 5 * 1024 * 1024 + 10 * 1024) return false;
  return `the running local stack's bookie rejects frames over 5 MB (${conf} has no nettyMaxFrameSizeBytes=5253120): restart the stack`;
}

test('a chunked 12 MB message from our producer is read back byte-identical by the Python client', async () => {
  const topic = await freshTopic('ix-chunk-ours');
  await admin.subscriptions.create(topic, 'py', 'earliest');
  const big = randomBytes(SIZE);
  const producer = await client.createProducer({ topic, chunking: true, batching: false });
  // A small message on each side of the big one: chunks must not disturb their neighbours.
  await producer.send({ payload: Buffer.from('before'), properties: { n: '0' } });
  await producer.send({ payload: big, key: 'big-one', properties: { n: '1' } });
  await producer.send({ payload: Buffer.from('after'), properties: { n: '2' } });
  await producer.close();
  // The broker stored chunks, not one 12 MB entry: 2 small messages + at least MIN_CHUNKS chunks.
  const stored = (await admin.topics.stats(topic)).msgInCounter;
  assert.ok(stored >= 2 + MIN_CHUNKS, `${stored} entries stored`);

  const got = await pyConsume(topic, 'py', 3, { digestOnly: true, timeoutS: 60 });
  assert.deepEqual(
    got.map((m) => [m.properties.n, m.payload_size, m.payload_sha256]),
    [
      ['0', 6, sha256(Buffer.from('before'))],
      ['1', SIZE, sha256(big)],
      ['2', 5, sha256(Buffer.from('after'))],
    ],
  );
  assert.equal(got[1]!.key, 'big-one');
});

test(
  'a chunked 12 MB message from the Python client is read back byte-identical by our consumer',
  { skip: bookieRejectsFullChunks() },
  async () => {
    const topic = await freshTopic('ix-chunk-py');
    const consumer = await client.subscribe({ topic, subscription: 'ours', initialPosition: 'Earliest' });
    const dir = await mkdtemp(join(tmpdir(), 'k2p-chunk-'));
    cleanup(() => rm(dir, { recursive: true, force: true }));
    const big = randomBytes(SIZE);
    const file = join(dir, 'big.bin');
    await writeFile(file, big);
    await pyProduce(
      topic,
      [
        { payload_b64: Buffer.from('before').toString('base64'), properties: { n: '0' } },
        { payload_file: file, key: 'big-one', properties: { n: '1' } },
        { payload_b64: Buffer.from('after').toString('base64'), properties: { n: '2' } },
      ],
      { chunking: true, batching: false },
    );
    const got = await receiveN(consumer, 3, 60_000);
    await consumer.close();
    assert.deepEqual(
      got.map((m) => [m.properties.n, m.payload.length, sha256(m.payload)]),
      [
        ['0', 6, sha256(Buffer.from('before'))],
        ['1', SIZE, sha256(big)],
        ['2', 5, sha256(Buffer.from('after'))],
      ],
    );
    assert.equal(got[1]!.key, 'big-one');
    assert.ok(
      (got[1]!.chunkIds?.length ?? 0) >= MIN_CHUNKS,
      `reassembled from ${got[1]!.chunkIds?.length} chunks`,
    );
    assert.equal(
      got[1]!.chunkIds?.at(-1)?.toString(),
      got[1]!.id.toString(),
      'the message id is the last chunk',
    );
  },
);
