// What a run is, as stored: its config files (contents, so any gateway process can load them), where it
// stands (status, current step, generation) and what each step found. Plain JSON: the store writes it as is.

/** The steps of a run, in order. */
export const STEPS = ['plan', 'provision', 'backfill', 'sync', 'verify', 'cutover'] as const;
export type StepName = (typeof STEPS)[number];

/**
 * - `active`: steps are being worked on;
 * - `live`: every step is done; the mirror keeps tailing, groups can be rolled back or cut over again;
 * - `paused`: no step runs and no mirror consumes until resumed;
 * - `failed`: a step failed for good (its reason is kept); resume tries that step again;
 * - `cancelled`: stopped for good (what Pulsar holds stays).
 */
export type RunStatus = 'active' | 'live' | 'paused' | 'failed' | 'cancelled';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed';

export interface StepState {
  status: StepStatus;
  startedAt?: number;
  finishedAt?: number;
  attempts: number;
  /** One line on what the step is doing or found (e.g. "lag 1,204 records on 3 partitions"). */
  note?: string;
  error?: RunError;
  /** What the step keeps between its looks (see StepContext.memo). */
  memo?: Record<string, unknown>;
}

export interface RunError {
  code: string;
  message: string;
  canRetry: boolean;
}

export interface ConfigFile {
  /** The name it was given as (`connectors/local.yaml`), for messages. */
  name: string;
  content: string;
}

export type CutoverMode = 'auto' | 'manual';

export interface RunOptions {
  /** `auto`: the cutover step cuts every mapped group over; `manual`: it waits for each group's cutover call. */
  cutover: CutoverMode;
  /** Verify waits this long for Pulsar to catch up with Kafka's end before the tail counts as missing. */
  verifySettleMs: number;
}

export interface Run {
  id: string;
  name?: string;
  createdAt: number;
  updatedAt: number;
  status: RunStatus;
  /** The step being worked on (the last one once live). */
  step: StepName;
  /** Bumped by resume (and by each new lease of work): jobs of an older generation stop without effect. */
  generation: number;
  options: RunOptions;
  files: ConfigFile[];
  steps: Record<StepName, StepState>;
  /** Why the run failed or was cancelled. */
  error?: RunError;
  /** Set while paused: the status resume returns to. */
  pausedFrom?: 'active' | 'live';
  /**
   * The groups the run's mappings take, fixed at creation, so `k2p status` and the admin API show them
   * without loading (and resolving the secrets of) the config files. Absent on runs created before it.
   */
  groupSelection?: GroupSelection;
}

/** Which consumer groups a run migrates: the offsets store scope and each group matcher of its mappings. */
export interface GroupSelection {
  /** The offsets module's store scope (`<kafka connector>→<pulsar connector>`). */
  scope: string;
  /** Exact names and /regex/ sources (with flags), as in the mappings. */
  matchers: { name?: string; regex?: string; flags?: string }[];
}

/** The planned topics of a run: what provision creates and the mirror copies. */
export interface RunTopic {
  source: string;
  target: string;
  partitions: number;
  /** Kafka connector → Pulsar connector. */
  pair: string;
  actions: string[];
}

/** Lag of one partition as last sampled (Kafka end offset vs. the mirror group's committed offset). */
export interface PartitionLag {
  partition: number;
  /** Kafka end offset (read_committed). */
  end: number;
  /** Next offset the mirror will read (-1: nothing committed yet). */
  committed: number;
  /** Kafka start offset (first stored) when sampled: backfill % is of what lies between start and end. */
  start: number;
  lag: number;
}

export interface TopicLag {
  topic: string;
  partitions: PartitionLag[];
  lag: number;
  /** Records mirrored (sum of committed − start), for throughput. */
  mirrored: number;
  total: number;
  backfillPercent: number;
}

export interface LagSnapshot {
  at: number;
  topics: TopicLag[];
  lag: number;
  mirrored: number;
  total: number;
}

/** One point of the run's history (charts): totals, and per topic when the run has few topics. */
export interface HistoryPoint {
  at: number;
  lag: number;
  mirrored: number;
  /** Records per second since the previous point. */
  rate: number;
  topics?: Record<string, { lag: number; rate: number }>;
}

/** Result of the verify step (or a verify started from the API), kept with the run. */
export interface VerifyResult {
  id: string;
  status: 'running' | 'done' | 'failed';
  startedAt: number;
  finishedAt?: number;
  identical?: boolean;
  /** The report's summary (topics, counts, first divergences); absent while running. */
  report?: unknown;
  error?: RunError;
}

/** A per-group cutover or rollback asked for through a run. */
export interface GroupOperation {
  group: string;
  kind: 'cutover' | 'rollback';
  status: 'queued' | 'running' | 'done' | 'failed';
  at: number;
  result?: unknown;
  error?: RunError;
}
