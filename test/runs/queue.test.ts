// A gateway stopped while its BullMQ queue and worker are still connecting must stop cleanly: BullMQ closed
// too early leaves a rejection nobody handles ("Connection is closed"), which failed whichever test was running
// (test/admin/api once, in a CI rehearsal: its second gateway lives for one test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gateway } from '../../src/runs/index.js';
import { STACK, uniqueName } from '../helpers/stack.js';
import { dropKeys } from './helpers.js';

test('gateways started and stopped within milliseconds leave no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const record = (err: unknown) => void unhandled.push(err);
  process.on('unhandledRejection', record);
  try {
    const prefix = uniqueName('k2p-stop-test');
    for (let i = 0; i < 20; i++) {
      const gateway = new Gateway({ redisUrl: STACK.redisUrl, prefix: `${prefix}-${i}`, tickMs: 500, stalledIntervalMs: 5000 }).start();
      await new Promise((resolve) => setTimeout(resolve, i % 5));
      await gateway.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // late rejections surface
    await dropKeys(`${prefix}-*`);
  } finally {
    process.off('unhandledRejection', record);
  }
  assert.deepEqual(unhandled.map((e) => (e as Error).message), []);
});
