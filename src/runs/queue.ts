// The BullMQ queue of run work, shared by every gateway process. Three kinds of job: a run's current step,
// a per-group cutover or rollback, and a verification on demand. Job ids are derived from the run, step and
// generation, so two processes adding the same work add it once.
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Run, StepName } from './types.js';

export const JOB_STEP = 'step';
export const JOB_GROUP = 'group';
export const JOB_VERIFY = 'verify';

export interface StepJobData {
  runId: string;
  step: StepName;
  generation: number;
}
export interface GroupJobData {
  runId: string;
  group: string;
  kind: 'cutover' | 'rollback';
}
export interface VerifyJobData {
  runId: string;
  verifyId: string;
}

/** Retries with exponential backoff (1 s, 2 s, 4 s, ...); finished jobs kept a day for the record. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function stepJobId(run: Pick<Run, 'id' | 'step' | 'generation'>): string {
  return `${run.id}.${run.step}.${run.generation}`;
}

/**
 * Closes a BullMQ queue or worker once its connection is ready (or failed to be). Closed while it was still
 * connecting, BullMQ leaves a rejection nobody handles ("Connection is closed"), which fails whatever test
 * or process is running then: a gateway started and stopped within milliseconds did it 10-18 times in 30.
 */
export async function closeWhenReady(bull: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }): Promise<void> {
  await bull.waitUntilReady().catch(() => undefined); // a connection that never came up: close() still cleans up
  await bull.close();
}

export class RunQueue {
  readonly queue: Queue;

  constructor(connection: ConnectionOptions, name: string, prefix?: string) {
    this.queue = new Queue(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS });
  }

  async addStep(run: Pick<Run, 'id' | 'step' | 'generation'>): Promise<void> {
    const data: StepJobData = { runId: run.id, step: run.step, generation: run.generation };
    await this.queue.add(JOB_STEP, data, { jobId: stepJobId(run) });
  }

  /** Is the job for the run's current step there (waiting, delayed, active or finished)? */
  async hasStep(run: Pick<Run, 'id' | 'step' | 'generation'>): Promise<boolean> {
    return (await this.queue.getJob(stepJobId(run))) !== undefined;
  }

  async addGroup(data: GroupJobData, seq: number): Promise<void> {
    await this.queue.add(JOB_GROUP, data, { jobId: `${data.runId}.${data.kind}.${encodeURIComponent(data.group)}.${seq}` });
  }

  async addVerify(data: VerifyJobData): Promise<void> {
    await this.queue.add(JOB_VERIFY, data, { jobId: `${data.runId}.verify.${data.verifyId}`, attempts: 1 });
  }

  async close(): Promise<void> {
    await closeWhenReady(this.queue);
  }
}
