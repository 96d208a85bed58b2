// The producer's pending-message bound: FIFO waiters, never more permits out than exist.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Semaphore } from '../../../src/pulsar/client/semaphore.js';

test('waiters are served in order and only when permits are free', async () => {
  const sem = new Semaphore(2);
  const order: number[] = [];
  const all = Array.from({ length: 5000 }, (_, i) => sem.acquire().then(() => order.push(i)));
  await Promise.resolve();
  assert.deepEqual(order, [0, 1]);
  for (let i = 0; i < 4998; i++) sem.release();
  await Promise.all(all);
  assert.deepEqual(order, Array.from({ length: 5000 }, (_, i) => i));
  assert.equal(sem.free, 0);
  assert.equal(sem.tryAcquire(), false);
  sem.release(2);
  assert.equal(sem.tryAcquire(2), true);
});
