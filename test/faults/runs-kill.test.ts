// kill -9 of the gateway during a run: `k2p run` killed during backfill and again after it came back, while
// a producer keeps writing, started again with --attach each time; the run continues where it was (same
// generation, no resume needed), reaches live with the group cut over, and Pulsar holds exactly what Kafka
// holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisGroupStateStore } from '../../src/offsets/index.js';
import { RedisRunStore } from '../../src/runs/index.js';
import { testClient } from '../helpers/pulsar.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { assertPulsarEqualsKafka, createEstate, dropKeys, produce } from '../runs/helpers.js';
import { k2p } from '../runs/process.js';

const client = testClient();
const redis = new Redis(STACK.redisUrl);
cleanup(() => redis.quit());

const PARTITIONS = 3;
const RECORDS = 150_000; // per partition and topic: 900,000 to backfill (about 20 s here at full speed)

test('kill -9 of k2p run during backfill and again later: the run continues where it was and Pulsar equals Kafka', { timeout: 900_000 }, async () => {
  const estate = await createEstate({ topics: 2, partitions: PARTITIONS, records: RECORDS, consumed: 1000 });
  const prefix = uniqueName('k2p-kill');
  const store = new RedisRunStore(redis, `${prefix}:runs:`);
  const common = ['--redis', STACK.redisUrl, '--prefix', prefix, '--json', '--interval', '500'];
  const progressAt = (p: number) => (l: Record<string, unknown>) => typeof l.total === 'number' && l.total > 0 && (l.mirrored as number) >= p * (l.total as number);

  let gw = k2p(['run', ...estate.files.flatMap((f) => ['-c', f]), '--cutover', 'auto', '--verify-settle', '5000', ...common]);
  const created = await gw.waitLine((l) => l.event === 'created', 120_000);
  const id = created.run as string;
  cleanup(async () => {
    gw.child.kill('SIGKILL');
    await dropKeys(`${prefix}:*`);
  });
  const writer = produce(estate.topics, PARTITIONS, RECORDS, RECORDS + 10_000); // keeps writing meanwhile

  // First kill: during backfill, once some of it is done.
  const first = await gw.waitLine((l) => l.step === 'backfill' && progressAt(0.05)(l) && !progressAt(0.9)(l), 600_000);
  await gw.kill9();
  const atKill = await store.get(id);
  assert.equal(atKill?.status, 'active');
  assert.equal(atKill?.step, 'backfill', `killed during backfill (${JSON.stringify(atKill?.steps.backfill)})`);
  gw = k2p(['run', '--attach', id, ...common]);
  await gw.waitLine((l) => l.event === 'attached', 120_000);
  // Second kill: as soon as the new gateway has moved the run on (more mirrored, or a later step).
  const moved = await gw.waitLine((l) => l.status === 'active' && (l.step !== 'backfill' || (l.mirrored as number) > (first.mirrored as number)), 600_000);
  await gw.kill9();
  console.log(`# killed at ${first.step} ${String(first.mirrored)}/${String(first.total)}, then at ${String(moved.step)} ${String(moved.mirrored)}/${String(moved.total)}`);
  gw = k2p(['run', '--attach', id, ...common]);
  await gw.waitLine((l) => l.event === 'attached', 120_000);
  await writer;

  // The last gateway finishes the run; it exits 0 once live.
  assert.equal(await gw.exited, 0, 'k2p run --attach exits 0 when the run is live');
  const run = await store.get(id);
  assert.equal(run?.status, 'live');
  assert.equal(run?.generation, 1, 'continued without a resume');
  for (const s of Object.values(run!.steps)) assert.equal(s.status, 'done');
  const verified = (await store.verifications(id)).at(-1);
  assert.equal(verified?.identical, true);
  const group = await new RedisGroupStateStore(redis, 'kafka-t→pulsar-t').get(estate.group);
  assert.equal(group?.phase, 'cut-over');

  // Whatever the mirror had not tailed when the last gateway stopped is taken by one more gateway.
  const tail = k2p(['run', '--attach', id, '--follow', ...common]);
  await tail.waitLine((l) => l.status === 'live' && l.lag === 0 && (l.mirrored as number) === (l.total as number), 300_000);
  tail.child.kill('SIGTERM');
  assert.equal(await tail.exited, 0);
  for (const t of estate.topics) assert.equal(await assertPulsarEqualsKafka(client, t, estate.target(t), PARTITIONS), PARTITIONS * (RECORDS + 10_000));
});
