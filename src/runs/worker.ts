// Processes the run queue in one gateway process. A step job works only if it still belongs to the run's
// current step and generation and the run is active (pause, cancel and resume make older jobs stop without
// effect). "Not yet" puts the job back as delayed without using an attempt; an error is retried with backoff
// when it can help (K2pError canRetry), else it fails the step at once with its reason (UnrecoverableError).
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { runError } from './errors.js';
import { closeWhenReady, JOB_GROUP, JOB_STEP, JOB_VERIFY, type GroupJobData, type RunQueue, type StepJobData, type VerifyJobData } from './queue.js';
import type { RunStore } from './run-store.js';
import type { RunSteps } from './run-steps.js';
import { STEPS, type Run, type RunError } from './types.js';

export interface RunWorkerOptions {
  connection: ConnectionOptions;
  queueName: string;
  prefix?: string;
  store: RunStore;
  queue: RunQueue;
  steps: RunSteps;
  /** Jobs worked on at once by this process. Default 8 (steps mostly wait on clusters). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal: a killed process's job is taken over after about this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

function current(run: Run | undefined, data: StepJobData): run is Run {
  return run !== undefined && run.status === 'active' && run.step === data.step && run.generation === data.generation;
}

export class RunWorker {
  readonly worker: Worker;

  constructor(private readonly o: RunWorkerOptions) {
    this.worker = new Worker(o.queueName, (job, token) => this.process(job, token), {
      connection: o.connection,
      prefix: o.prefix,
      concurrency: o.concurrency ?? 8,
      lockDuration: o.lockDurationMs ?? 20_000,
      stalledInterval: o.stalledIntervalMs ?? 10_000,
      // A process killed several times in a row must not fail the run: a stalled job is simply taken over.
      maxStalledCount: 100,
      autorun: false,
    });
    this.worker.on('error', (err) => this.log('worker-error', { error: err.message }));
  }

  start(): void {
    void this.worker.run();
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.o.log?.(event, fields);
  }

  private async process(job: Job, token?: string): Promise<unknown> {
    switch (job.name) {
      case JOB_STEP:
        return this.step(job as Job<StepJobData>, token);
      case JOB_GROUP:
        return this.group(job as Job<GroupJobData>);
      case JOB_VERIFY:
        return this.verify(job as Job<VerifyJobData>);
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
  }

  private async step(job: Job<StepJobData>, token?: string): Promise<unknown> {
    const { runId, step } = job.data;
    const { store } = this.o;
    const started = await store.update(runId, (r) => {
      if (!current(r, job.data)) return undefined;
      const s = r.steps[step];
      s.status = 'running';
      s.startedAt ??= Date.now();
      s.attempts = job.attemptsMade + 1;
      return r;
    });
    if (!current(started, job.data)) return { skipped: (started as Run | undefined)?.status ?? 'deleted' };
    const memo = started.steps[step].memo ?? {};
    let outcome;
    try {
      outcome = await this.o.steps[step]({
        run: started,
        memo,
        note: async (text) => {
          await store.update(runId, (r) => (current(r, job.data) ? ((r.steps[step].note = text), r) : undefined));
        },
      });
    } catch (err) {
      throw await this.stepFailed(job, err);
    }
    if (!outcome.done) {
      await store.update(runId, (r) => {
        if (!current(r, job.data)) return undefined;
        r.steps[step].memo = memo;
        if (outcome.note !== undefined) r.steps[step].note = outcome.note;
        delete r.steps[step].error;
        return r;
      });
      await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
      throw new DelayedError();
    }
    const next = STEPS[STEPS.indexOf(step) + 1];
    const after = await store.update(runId, (r) => {
      if (!current(r, job.data)) return undefined;
      const s = r.steps[step];
      s.status = 'done';
      s.finishedAt = Date.now();
      if (outcome.note !== undefined) s.note = outcome.note;
      delete s.error;
      delete s.memo;
      if (next) {
        r.step = next;
        r.steps[next] = { status: 'pending', attempts: 0 };
      } else r.status = 'live';
      return r;
    });
    this.log('step-done', { run: runId, step, note: outcome.note });
    // Crash between the update and this add: the supervisor's reconcile adds the job.
    if (after && next && after.step === next && after.status === 'active') await this.o.queue.addStep(after);
    return { done: true, note: outcome.note };
  }

  /** Records the error; the last attempt (or a non-retriable error) fails the run with it. */
  private async stepFailed(job: Job<StepJobData>, err: unknown): Promise<Error> {
    const e = runError(err);
    const last = !e.canRetry || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    this.log(last ? 'step-failed' : 'step-retry', { run: job.data.runId, step: job.data.step, attempt: job.attemptsMade + 1, code: e.code, error: e.message });
    await this.o.store.update(job.data.runId, (r) => {
      if (!current(r, job.data)) return undefined;
      const s = r.steps[job.data.step];
      s.error = e;
      if (last) {
        s.status = 'failed';
        s.finishedAt = Date.now();
        r.status = 'failed';
        r.error = e;
      }
      return r;
    });
    return e.canRetry ? (err instanceof Error ? err : new Error(e.message)) : new UnrecoverableError(`${e.code}: ${e.message}`);
  }

  private async group(job: Job<GroupJobData>): Promise<unknown> {
    const { runId, group, kind } = job.data;
    const run = await this.o.store.get(runId);
    if (!run || run.status === 'cancelled') return { skipped: run?.status ?? 'deleted' };
    await this.o.store.putGroupOperation(runId, { group, kind, status: 'running', at: Date.now() });
    try {
      const result = kind === 'cutover' ? await this.o.steps.cutoverGroup(run, group) : await this.o.steps.rollbackGroup(run, group);
      const plain = JSON.parse(JSON.stringify(result ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
      await this.o.store.putGroupOperation(runId, { group, kind, status: 'done', at: Date.now(), result: plain });
      this.log(`group-${kind}`, { run: runId, group });
      return plain;
    } catch (err) {
      const e = runError(err);
      const last = !e.canRetry || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.o.store.putGroupOperation(runId, { group, kind, status: last ? 'failed' : 'queued', at: Date.now(), error: e });
      throw e.canRetry ? err : new UnrecoverableError(`${e.code}: ${e.message}`);
    }
  }

  private async verify(job: Job<VerifyJobData>): Promise<unknown> {
    const { runId, verifyId } = job.data;
    const run = await this.o.store.get(runId);
    if (!run) return { skipped: 'deleted' };
    const startedAt = Date.now();
    await this.o.store.putVerify(runId, { id: verifyId, status: 'running', startedAt });
    try {
      const { identical, report } = await this.o.steps.verifyNow(run);
      await this.o.store.putVerify(runId, { id: verifyId, status: 'done', startedAt, finishedAt: Date.now(), identical, report });
      return { identical };
    } catch (err) {
      const error: RunError = runError(err);
      await this.o.store.putVerify(runId, { id: verifyId, status: 'failed', startedAt, finishedAt: Date.now(), error });
      throw new UnrecoverableError(`${error.code}: ${error.message}`);
    }
  }

  async close(): Promise<void> {
    await closeWhenReady(this.worker);
  }
}
