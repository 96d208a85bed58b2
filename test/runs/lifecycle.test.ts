// A run end to end on the real stack: plan → provision → backfill → sync → verify → cutover (auto) → live,
// each step a BullMQ job; then pause / resume / cancel, and a non-retriable error failing the run at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gateway, readConfigFiles } from '../../src/runs/index.js';
import { RedisGroupStateStore } from '../../src/offsets/index.js';
import { Redis } from 'ioredis';
import { admin, testClient } from '../helpers/pulsar.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { assertPulsarEqualsKafka, createEstate, dropKeys, produce, waitRun } from './helpers.js';

const client = testClient();

function startGateway(prefix: string): Gateway {
  const g = new Gateway({ redisUrl: STACK.redisUrl, prefix, tickMs: 500, sampleMs: 1000, pollMs: 1000, lockDurationMs: 10_000, stalledIntervalMs: 5000 }).start();
  cleanup(async () => {
    await g.stop();
    await dropKeys(`${prefix}:*`);
  });
  return g;
}

test('a run goes through every step as jobs and ends live, Pulsar equal to Kafka and the group cut over', { timeout: 300_000 }, async () => {
  const estate = await createEstate({ topics: 2, partitions: 2, records: 300, consumed: 120 });
  const gateway = startGateway(uniqueName('k2p-test'));
  const run = await gateway.service.create({ files: readConfigFiles(estate.files), options: { cutover: 'auto', verifySettleMs: 5000 } });
  assert.equal(run.status, 'active');
  assert.equal(run.step, 'plan');

  const live = await waitRun(gateway, run.id, (r) => r.status === 'live');
  for (const step of ['plan', 'provision', 'backfill', 'sync', 'verify', 'cutover'] as const) assert.equal(live.steps[step].status, 'done', `${step}: ${JSON.stringify(live.steps[step])}`);
  const topics = await gateway.store.topics(run.id);
  assert.deepEqual(topics.map((t) => t.source), estate.topics);
  const verifications = await gateway.store.verifications(run.id);
  assert.equal(verifications.at(-1)?.identical, true);

  // Offsets: the group's state says cut over, placed at the committed offset 120 on every partition.
  const redis = new Redis(STACK.redisUrl);
  cleanup(() => redis.quit());
  const state = await new RedisGroupStateStore(redis, 'kafka-t→pulsar-t').get(estate.group);
  assert.equal(state?.phase, 'cut-over');
  assert.deepEqual(state.partitions.map((p) => p.kafkaOffset), ['120', '120']);

  // Tailing goes on while live: new records arrive, and the lag goes back to 0.
  await produce(estate.topics, 2, 300, 350);
  for (const t of estate.topics) assert.equal(await assertPulsarEqualsKafka(client, t, estate.target(t), 2), 700);
  const lag = await gateway.store.lag(run.id);
  assert.ok(lag && lag.topics.length === 2);
});

test('pause stops the work and the mirror, resume continues under a new generation, cancel is final', { timeout: 300_000 }, async () => {
  const estate = await createEstate({ topics: 1, partitions: 1, records: 50 });
  const gateway = startGateway(uniqueName('k2p-test'));
  const run = await gateway.service.create({ files: readConfigFiles(estate.files), options: { cutover: 'manual', verifySettleMs: 2000 } });
  const paused = await gateway.service.pause(run.id);
  assert.equal(paused.status, 'paused');
  await assert.rejects(gateway.service.pause(run.id), /K2P_RUN_STATE/);
  await new Promise((r) => setTimeout(r, 3000));
  const still = await gateway.store.get(run.id);
  assert.equal(still?.status, 'paused');
  assert.equal(gateway.supervisor!.mirroring().length, 0, 'no mirror while paused');

  const resumed = await gateway.service.resume(run.id);
  assert.equal(resumed.generation, run.generation + 1);
  // Manual cutover: the run waits at the cutover step for the group (no group exists: nothing to wait for).
  const live = await waitRun(gateway, run.id, (r) => r.status === 'live');
  assert.equal(live.steps.cutover.note, '0 group(s) cut over');

  const cancelled = await gateway.service.cancel(run.id);
  assert.equal(cancelled.status, 'cancelled');
  await assert.rejects(gateway.service.resume(run.id), /K2P_RUN_STATE/);
  await assert.rejects(gateway.service.get('nope'), /K2P_RUN_NOT_FOUND/);
  const deadline = Date.now() + 30_000;
  while (gateway.supervisor!.mirroring().includes(run.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.ok(!gateway.supervisor!.mirroring().includes(run.id), 'mirror stopped after cancel');
});

test('a non-retriable error fails the step at once with its reason; resume tries again', { timeout: 120_000 }, async () => {
  const estate = await createEstate({ topics: 1, partitions: 1, records: 0 });
  const gateway = startGateway(uniqueName('k2p-test'));
  // The Pulsar target exists with more partitions than the Kafka topic: K2P_MIRROR_CONFIG at plan, not retriable.
  await admin.topics.createPartitioned(estate.target(estate.topics[0]!), 3);
  const run = await gateway.service.create({ files: readConfigFiles(estate.files) });
  const failed = await waitRun(gateway, run.id, (r) => r.status === 'failed', 60_000);
  assert.equal(failed.step, 'plan');
  assert.equal(failed.steps.plan.status, 'failed');
  assert.equal(failed.steps.plan.attempts, 1, 'not retried');
  assert.equal(failed.error!.code, 'K2P_MIRROR_CONFIG');
  assert.match(failed.error!.message, /Pulsar cannot remove partitions/);
  assert.equal(failed.error!.canRetry, false);
  const again = await gateway.service.resume(run.id);
  assert.equal(again.status, 'active');
  const failedAgain = await waitRun(gateway, run.id, (r) => r.status === 'failed' && r.generation === again.generation, 60_000);
  assert.equal(failedAgain.steps.plan.attempts, 1);
});
