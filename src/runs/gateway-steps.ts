// The real steps: plan and provision through src/mirror, backfill watched through the lag of the run's
// mirror group (the mirrors themselves run in every gateway process, see supervisor.ts), offset sync,
// cutover and rollback through src/offsets, verification through src/verify.
import { K2pError, isK2pError } from '../errors.js';
import { applyPlan, describePlan } from '../mirror/provision.js';
import { planPair } from '../mirror/setup.js';
import { cutover, rollback, syncGroups, type GroupTarget } from '../offsets/index.js';
import { backfillCheck, type BackfillMemo } from './backfill-check.js';
import { sampleLag } from './lag.js';
import { LoadedRun, type RunResources } from './resources.js';
import type { RunStore } from './run-store.js';
import type { RunSteps, StepContext, StepOutcome } from './run-steps.js';
import type { Run, RunTopic } from './types.js';
import { runError } from './errors.js';
import { verify, type VerifyReport } from '../verify/index.js';

/** Offsets refusals that pass once people or the mirror catch up: the step looks again instead of failing. */
const WAIT_CODES = new Set(['K2P_OFF_GROUP_ACTIVE', 'K2P_OFF_MIRROR_BEHIND', 'K2P_OFF_SUBSCRIPTION_ACTIVE']);

export interface GatewayStepsOptions {
  /** How often backfill, sync and cutover look again while waiting. Default 2000 ms. */
  pollMs?: number;
}

export class GatewaySteps implements RunSteps {
  private readonly pollMs: number;

  constructor(
    private readonly resources: RunResources,
    private readonly store: RunStore,
    options: GatewayStepsOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 2000;
  }

  private async planTopics(loaded: LoadedRun, apply: boolean): Promise<RunTopic[]> {
    const topics: RunTopic[] = [];
    for (const pair of loaded.pairs) {
      const planned = await planPair(loaded.config, pair);
      for (const plan of planned.plans) {
        if (apply) await applyPlan(pair.admin, plan);
        topics.push({ source: plan.source.name, target: plan.target, partitions: plan.source.partitions, pair: LoadedRun.pairName(pair), actions: describePlan(plan).slice(1).map((l) => l.trim()) });
      }
    }
    return topics.sort((a, b) => a.source.localeCompare(b.source));
  }

  plan = async (ctx: StepContext): Promise<StepOutcome> => {
    const topics = await this.planTopics(this.resources.get(ctx.run), false);
    await this.store.putTopics(ctx.run.id, topics);
    const actions = topics.reduce((n, t) => n + t.actions.length, 0);
    return { done: true, note: `${topics.length} topic(s), ${topics.reduce((n, t) => n + t.partitions, 0)} partition(s), ${actions} action(s) to apply` };
  };

  provision = async (ctx: StepContext): Promise<StepOutcome> => {
    // Planned again: what exists now is what counts (apply is idempotent).
    const topics = await this.planTopics(this.resources.get(ctx.run), true);
    await this.store.putTopics(ctx.run.id, topics);
    return { done: true, note: `${topics.length} topic(s) provisioned` };
  };

  backfill = async (ctx: StepContext): Promise<StepOutcome> => {
    const topics = await this.store.topics(ctx.run.id);
    // Sampled here, not stored: the snapshot and its history belong to the supervisor's sampler (a fresh
    // snapshot written here would make it skip its samples, leaving holes in the charts).
    const snapshot = await sampleLag(this.resources.get(ctx.run), topics);
    const check = backfillCheck(snapshot, ctx.memo as BackfillMemo);
    if (check.done) return { done: true, note: `caught up: ${snapshot.mirrored.toLocaleString('en-US')} records mirrored` };
    return { done: false, retryInMs: this.pollMs, note: `${check.behind.toLocaleString('en-US')} record(s) to backfill on ${check.partitions} partition(s)` };
  };

  sync = async (ctx: StepContext): Promise<StepOutcome> => {
    const offsets = this.resources.get(ctx.run).offsets();
    if (!offsets) return { done: true, note: 'no group mappings' };
    const groups = await offsets.mappedGroups();
    const outcomes = await syncGroups(offsets.deps, groups);
    const waiting = outcomes.filter((o) => o.waiting > 0);
    if (waiting.length > 0) return { done: false, retryInMs: this.pollMs, note: `waiting for the mirror: ${waiting.map((o) => o.group).join(', ')}` };
    return { done: true, note: `${groups.length} group(s) synced` };
  };

  verify = async (ctx: StepContext): Promise<StepOutcome> => {
    const id = `step-${ctx.run.generation}`;
    const startedAt = Date.now();
    await this.store.putVerify(ctx.run.id, { id, status: 'running', startedAt });
    const { identical, report } = await this.verifyNow(ctx.run).catch(async (err: Error) => {
      await this.store.putVerify(ctx.run.id, { id, status: 'failed', startedAt, finishedAt: Date.now(), error: runError(err) });
      throw err;
    });
    await this.store.putVerify(ctx.run.id, { id, status: 'done', startedAt, finishedAt: Date.now(), identical, report });
    const r = report as VerifyReport;
    if (!identical) {
      throw new K2pError('K2P_VERIFY_DIVERGENT', `verification found ${r.divergenceCount} divergence(s) between Kafka and Pulsar (run ${ctx.run.id}, verification ${id})`, { run: ctx.run.id, verification: id });
    }
    return { done: true, note: `identical: ${r.topics.reduce((n, t) => n + t.matched, 0).toLocaleString('en-US')} record(s) on ${r.topics.length} topic(s)` };
  };

  cutover = async (ctx: StepContext): Promise<StepOutcome> => {
    const offsets = this.resources.get(ctx.run).offsets();
    if (!offsets) return { done: true, note: 'no group mappings' };
    const groups = await offsets.mappedGroups();
    const pending: string[] = [];
    for (const g of groups) {
      const state = await offsets.deps.store.get(g.group);
      if (state?.phase === 'cut-over') continue;
      if (ctx.run.options.cutover === 'manual') {
        pending.push(g.group);
        continue;
      }
      try {
        await cutover(offsets.deps, g, { waitMs: 0 });
      } catch (err) {
        if (!isK2pError(err) || !WAIT_CODES.has(err.code)) throw err;
        pending.push(`${g.group} (${err.code})`);
      }
    }
    if (pending.length > 0) {
      const why = ctx.run.options.cutover === 'manual' ? 'waiting for the cutover of' : 'cutover waits for';
      return { done: false, retryInMs: Math.max(this.pollMs, 5000), note: `${why} ${pending.join(', ')}` };
    }
    return { done: true, note: `${groups.length} group(s) cut over` };
  };

  private groupTarget(run: Run, group: string): { deps: NonNullable<ReturnType<LoadedRun['offsets']>>['deps']; g: GroupTarget } {
    const offsets = this.resources.get(run).offsets();
    if (!offsets) throw new K2pError('K2P_RUN_INPUT', `run ${run.id} has no group mappings, so no group to cut over or roll back`, { run: run.id, group });
    return { deps: offsets.deps, g: offsets.groupTarget(group) };
  }

  async cutoverGroup(run: Run, group: string): Promise<unknown> {
    const { deps, g } = this.groupTarget(run, group);
    return cutover(deps, g, { waitMs: 60_000 });
  }

  async rollbackGroup(run: Run, group: string): Promise<unknown> {
    const { deps, g } = this.groupTarget(run, group);
    return rollback(deps, g);
  }

  async verifyNow(run: Run): Promise<{ identical: boolean; report: unknown }> {
    const loaded = this.resources.get(run);
    const topics = (await this.store.topics(run.id)).map((t) => t.source);
    // Registry topics compare bodies and writer schemas by default (verify() given a config).
    const report = await verify({ config: loaded.config, topics, settleMs: run.options.verifySettleMs, positions: false, maxDivergences: 20 });
    return { identical: report.identical, report: JSON.parse(JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) };
  }

  async release(runId: string): Promise<void> {
    await this.resources.release(runId);
  }
}
