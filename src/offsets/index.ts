// Consumer-group offsets: Kafka committed offsets ⇄ exact Pulsar subscription positions (docs/offsets.md).
export { cutover, type CutoverOptions, type CutoverResult } from './cutover.js';
export { rollback, type RollbackResult } from './rollback.js';
export { syncGroups, OffsetSync, type SyncOutcome } from './sync.js';
export { groupStatus, type GroupStatus } from './status.js';
export { planGroup, TopicBounds, type GroupPlan, type PartitionRequest } from './plan.js';
export { translate, applyTranslations } from './translate.js';
export { PartitionScanner } from './scan.js';
export { RedisOffsetIndex, type OffsetIndex } from './offset-index.js';
export { RedisGroupStateStore, type GroupState, type GroupStateStore, type PartitionState, type GroupPhase } from './group-state.js';
export { KafkajsGroups, type KafkaGroups } from './kafka-groups.js';
export { offsetsFromConfig, type OffsetsSetup } from './setup.js';
export { checkBrokerSettings } from './broker-settings.js';
export type { OffsetsDeps, GroupTarget } from './deps.js';
