// The worker's retry policy with steps of our own (the clusters are not needed to judge it): a retriable
// K2pError is retried with exponential backoff and the run goes on; "not yet" answers do not use attempts;
// a stale job (older generation) does nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { K2pError } from '../../src/errors.js';
import { Gateway, readConfigFiles, type RunSteps, type StepOutcome } from '../../src/runs/index.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { dropKeys, waitRun, writeConfig } from './helpers.js';

function fakeSteps(calls: Record<string, number[]>, behaviour: Partial<Record<string, (n: number) => StepOutcome>>): RunSteps {
  const step = (name: string) => async (): Promise<StepOutcome> => {
    (calls[name] ??= []).push(Date.now());
    const b = behaviour[name];
    return b ? b(calls[name]!.length) : { done: true, note: `${name} ok` };
  };
  return {
    plan: step('plan'),
    provision: step('provision'),
    backfill: step('backfill'),
    sync: step('sync'),
    verify: step('verify'),
    cutover: step('cutover'),
    cutoverGroup: async () => ({}),
    rollbackGroup: async () => ({}),
    verifyNow: async () => ({ identical: true, report: {} }),
  };
}

function gatewayWith(steps: RunSteps): Gateway {
  const prefix = uniqueName('k2p-retry');
  const g = new Gateway({ redisUrl: STACK.redisUrl, prefix, steps: () => steps, tickMs: 500 }).start();
  cleanup(async () => {
    await g.stop();
    await dropKeys(`${prefix}:*`);
  });
  return g;
}

test('a retriable error is retried with exponential backoff (1 s, then 2 s) and the run goes on', { timeout: 120_000 }, async () => {
  const calls: Record<string, number[]> = {};
  const g = gatewayWith(
    fakeSteps(calls, {
      provision: (n) => {
        if (n <= 2) throw new K2pError('K2P_PLS_CONNECT', `broker away (attempt ${n})`, {});
        return { done: true };
      },
      // Two "not yet" answers before done: no attempt used.
      sync: (n) => (n <= 2 ? { done: false, retryInMs: 300, note: `waiting ${n}` } : { done: true }),
    }),
  );
  const run = await g.service.create({ files: readConfigFiles(writeConfig(uniqueName('k2prun')).files) });
  const live = await waitRun(g, run.id, (r) => r.status === 'live', 90_000);
  const t = calls.provision!;
  assert.equal(t.length, 3);
  assert.ok(t[1]! - t[0]! >= 900, `first retry after ${t[1]! - t[0]!} ms`);
  assert.ok(t[2]! - t[1]! >= 1900, `second retry after ${t[2]! - t[1]!} ms (exponential)`);
  assert.equal(live.steps.provision.attempts, 3);
  assert.equal(calls.sync!.length, 3);
  assert.equal(live.steps.sync.attempts, 1, '"not yet" does not use attempts');
  assert.equal(calls.plan!.length, 1, 'each step once');
});

test('a job of an older generation does nothing: pausing during a step keeps the run where it was', { timeout: 120_000 }, async () => {
  const calls: Record<string, number[]> = {};
  let release: () => void = () => undefined;
  const blocking = fakeSteps(calls, {});
  // provision blocks until released, while the run is paused and resumed.
  const gate = new Promise<void>((r) => (release = r));
  const slow = gatewayWith({
    ...blocking,
    provision: async () => {
      (calls.slowProvision ??= []).push(Date.now());
      await gate;
      return { done: true };
    },
  });
  const run = await slow.service.create({ files: readConfigFiles(writeConfig(uniqueName('k2prun')).files) });
  await waitRun(slow, run.id, (r) => r.step === 'provision' && r.steps.provision.status === 'running', 60_000);
  await slow.service.pause(run.id);
  const resumed = await slow.service.resume(run.id); // generation 2: a new provision job
  release();
  const live = await waitRun(slow, run.id, (r) => r.status === 'live', 60_000);
  assert.equal(live.generation, resumed.generation);
  assert.equal(calls.slowProvision!.length, 2, 'the old job finished without effect, the new one did the step');
  assert.equal(calls.backfill!.length, 1, 'the next step ran once, not twice');
});
