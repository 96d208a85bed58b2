// Migration runs: plan → provision → backfill → sync → verify → cutover as BullMQ jobs over Redis (docs/runs.md).
export { Gateway, QUEUE_NAME, type GatewayOptions } from './gateway.js';
export { RunService, DEFAULT_RUN_OPTIONS, type CreateRun } from './service.js';
export { RedisRunStore } from './redis-run-store.js';
export type { RunStore } from './run-store.js';
export type { RunSteps, StepContext, StepOutcome } from './run-steps.js';
export { GatewaySteps } from './gateway-steps.js';
export { readConfigFiles, loadRunConfig } from './config-files.js';
export { RunResources, LoadedRun, mirrorGroupOf } from './resources.js';
export { wantsMirror } from './supervisor.js';
export { STEPS, type Run, type RunStatus, type StepName, type StepState, type RunTopic, type LagSnapshot, type TopicLag, type PartitionLag, type HistoryPoint, type VerifyResult, type GroupOperation, type RunOptions, type ConfigFile } from './types.js';
