// The work of each step behind one interface, so the worker (retries, state, generations) knows nothing of
// Kafka or Pulsar and a test can drive the state machine with steps of its own. GatewaySteps is the real one.
import type { Run, StepName } from './types.js';

/** What a step answers: done, or not yet (the worker looks again after `retryInMs`, without using an attempt). */
export type StepOutcome = { done: true; note?: string } | { done: false; retryInMs: number; note?: string };

export interface StepContext {
  run: Run;
  /** Persists a one-line note on the step (what it is doing or waiting for). */
  note(text: string): Promise<void>;
  /** Data a step keeps between its looks (e.g. backfill's target offsets); saved with the run. */
  memo: Record<string, unknown>;
}

export type RunSteps = Record<StepName, (ctx: StepContext) => Promise<StepOutcome>> & {
  /** Cuts one group over (the per-group cutover asked for through the API or CLI). */
  cutoverGroup(run: Run, group: string): Promise<unknown>;
  rollbackGroup(run: Run, group: string): Promise<unknown>;
  /** A verification on demand; resolves with the report. */
  verifyNow(run: Run): Promise<{ identical: boolean; report: unknown }>;
  /** Called when this process no longer works on a run (terminal, or shutting down). */
  release?(runId: string): Promise<void>;
};
