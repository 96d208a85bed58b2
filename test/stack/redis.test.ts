// Smoke test of the local Redis (the job queue's datastore).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { STACK, uniqueName } from '../helpers/stack.js';

test('redis answers PING and keeps a value', async () => {
  const client = new Redis(STACK.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    assert.equal(await client.ping(), 'PONG');
    const key = uniqueName('k2p:test');
    await client.set(key, 'value', 'EX', 30);
    assert.equal(await client.get(key), 'value');
  } finally {
    client.disconnect();
  }
});
