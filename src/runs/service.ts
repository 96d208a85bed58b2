// The run commands people and the admin API use: create from files, list, show, pause, resume, cancel, and
// the per-group cutover / rollback and on-demand verification (queued as jobs, done by any gateway process).
import { randomUUID } from 'node:crypto';
import { K2pError } from '../errors.js';
import { loadRunConfig } from './config-files.js';
import { groupSelectionOf } from './group-selection.js';
import type { RunQueue } from './queue.js';
import type { RunStore } from './run-store.js';
import { STEPS, type ConfigFile, type GroupOperation, type Run, type RunOptions, type StepName, type StepState } from './types.js';

export interface CreateRun {
  files: ConfigFile[];
  name?: string;
  options?: Partial<RunOptions>;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { cutover: 'manual', verifySettleMs: 30_000 };

function notFound(id: string): K2pError {
  return new K2pError('K2P_RUN_NOT_FOUND', `no run ${id}`, { run: id });
}

function refuse(run: Run, operation: string, allowed: string): K2pError {
  return new K2pError('K2P_RUN_STATE', `cannot ${operation} run ${run.id}: it is ${run.status}; ${operation} needs a run that is ${allowed}`, { run: run.id, status: run.status, operation });
}

export class RunService {
  constructor(
    readonly store: RunStore,
    private readonly queue: RunQueue,
  ) {}

  async create(input: CreateRun): Promise<Run> {
    const id = randomUUID().slice(0, 8);
    // Load once here: a run is never created from files that do not load (K2P_CFG_* with every problem).
    const selection = groupSelectionOf(loadRunConfig(`check-${id}`, input.files));
    const steps = Object.fromEntries(STEPS.map((s) => [s, { status: 'pending', attempts: 0 } satisfies StepState])) as Record<StepName, StepState>;
    const now = Date.now();
    const run: Run = {
      id,
      createdAt: now,
      updatedAt: now,
      status: 'active',
      step: 'plan',
      generation: 1,
      options: { ...DEFAULT_RUN_OPTIONS, ...input.options },
      files: input.files,
      steps,
    };
    if (input.name !== undefined) run.name = input.name;
    if (selection) run.groupSelection = selection;
    await this.store.create(run);
    await this.queue.addStep(run);
    return run;
  }

  list(): Promise<Run[]> {
    return this.store.list();
  }

  async get(id: string): Promise<Run> {
    const run = await this.store.get(id);
    if (!run) throw notFound(id);
    return run;
  }

  async pause(id: string): Promise<Run> {
    return this.change(id, 'pause', 'active or live', (r) => r.status === 'active' || r.status === 'live', (r) => {
      r.pausedFrom = r.status === 'live' ? 'live' : 'active';
      r.status = 'paused';
    });
  }

  /** Resumes a paused or failed run: the current step starts again under a new generation. */
  async resume(id: string): Promise<Run> {
    const run = await this.change(id, 'resume', 'paused or failed', (r) => r.status === 'paused' || r.status === 'failed', (r) => {
      r.status = r.pausedFrom === 'live' ? 'live' : 'active';
      delete r.pausedFrom;
      delete r.error;
      r.generation++;
      const s = r.steps[r.step];
      if (s.status === 'failed') r.steps[r.step] = { status: 'pending', attempts: 0 };
    });
    if (run.status === 'active') await this.queue.addStep(run);
    return run;
  }

  async cancel(id: string): Promise<Run> {
    return this.change(id, 'cancel', 'not cancelled', (r) => r.status !== 'cancelled', (r) => {
      r.status = 'cancelled';
      r.generation++;
    });
  }

  private async change(id: string, operation: string, allowed: string, ok: (r: Run) => boolean, apply: (r: Run) => void): Promise<Run> {
    let refused: Run | undefined;
    const after = await this.store.update(id, (r) => {
      if (!ok(r)) {
        refused = r;
        return undefined;
      }
      refused = undefined;
      apply(r);
      return r;
    });
    if (!after) throw notFound(id);
    if (refused) throw refuse(refused, operation, allowed);
    return after;
  }

  /** Queues a cutover or rollback of one group (done by whichever gateway process takes the job). */
  async groupOperation(id: string, group: string, kind: 'cutover' | 'rollback'): Promise<GroupOperation> {
    const run = await this.get(id);
    if (run.status === 'cancelled') throw refuse(run, kind, 'not cancelled');
    if (kind === 'cutover' && STEPS.indexOf(run.step) < STEPS.indexOf('cutover') && run.status !== 'live') {
      throw new K2pError('K2P_RUN_STATE', `cannot cut group ${group} over yet: run ${run.id} is at step ${run.step}; groups are cut over once the run has verified (step cutover)`, { run: run.id, step: run.step, group });
    }
    const op: GroupOperation = { group, kind, status: 'queued', at: Date.now() };
    await this.store.putGroupOperation(id, op);
    await this.queue.addGroup({ runId: id, group, kind }, op.at);
    return op;
  }

  /** Starts a verification of the run's topics now; its result appears under the returned id. */
  async startVerify(id: string): Promise<{ id: string }> {
    const run = await this.get(id);
    if (STEPS.indexOf(run.step) < STEPS.indexOf('backfill')) {
      throw new K2pError('K2P_RUN_STATE', `cannot verify run ${run.id} yet: its topics are not provisioned (step ${run.step})`, { run: run.id, step: run.step });
    }
    const verifyId = `v${Date.now().toString(36)}`;
    await this.store.putVerify(id, { id: verifyId, status: 'running', startedAt: Date.now() });
    await this.queue.addVerify({ runId: id, verifyId });
    return { id: verifyId };
  }
}
