// Provisioning: what must exist on Pulsar before any record flows, computed as a plan (a dry run prints it)
// and then applied. Kafka partition p goes to Pulsar partition p, so the partition counts must match.
import { K2pError, isK2pError } from '../errors.js';
import type { PulsarAdmin } from '../pulsar/admin/index.js';
import { parseTopicName } from '../pulsar/client/index.js';

/** What the mirror needs to know of a Kafka topic. */
export interface SourceTopic {
  name: string;
  partitions: number;
  retentionMs?: number;
  retentionBytes?: number;
  cleanupPolicy?: string;
  maxMessageBytes?: number;
}

export type PlannedAction =
  | { kind: 'create-tenant'; tenant: string }
  | { kind: 'create-namespace'; namespace: string }
  | { kind: 'create-topic'; topic: string; partitions: number }
  | { kind: 'create-dead-letter-topic'; topic: string }
  | { kind: 'add-partitions'; topic: string; from: number; to: number }
  | { kind: 'enable-deduplication'; topic: string }
  | { kind: 'set-retention'; topic: string; retentionTimeInMinutes: number; retentionSizeInMB: number }
  | { kind: 'set-compaction-threshold'; topic: string; bytes: number }
  | { kind: 'note'; topic: string; message: string };

export interface TopicPlan {
  source: SourceTopic;
  target: string;
  /** Where records that cannot be mapped go (non-partitioned, deduplicating); absent: none. */
  deadLetter?: string;
  persistent: boolean;
  actions: PlannedAction[];
}

/** Pulsar's default maxMessageSize; larger Kafka records are sent in chunks. */
const PULSAR_MAX_MESSAGE_BYTES = 5 * 1024 * 1024;
/** Compaction runs once this much backlog accumulated (the gateway's default for compacted Kafka topics). */
const COMPACTION_THRESHOLD_BYTES = 100 * 1024 * 1024;

function retentionFor(source: SourceTopic): { retentionTimeInMinutes: number; retentionSizeInMB: number } | undefined {
  if (source.retentionMs === undefined && source.retentionBytes === undefined) return undefined;
  const minutes = source.retentionMs === undefined || source.retentionMs < 0 ? -1 : Math.ceil(source.retentionMs / 60_000);
  const mb = source.retentionBytes === undefined || source.retentionBytes < 0 ? -1 : Math.ceil(source.retentionBytes / (1024 * 1024));
  return { retentionTimeInMinutes: minutes, retentionSizeInMB: mb };
}

/** Plans one Kafka topic → Pulsar topic. Reads Pulsar's state; changes nothing. */
export async function planTopic(admin: PulsarAdmin, source: SourceTopic, target: string, known: KnownState, deadLetter?: string): Promise<TopicPlan> {
  const t = parseTopicName(target);
  if (t.partition >= 0) {
    throw new K2pError('K2P_MIRROR_CONFIG', `target ${target} names one partition; map a Kafka topic to a whole topic`, { topic: source.name, target });
  }
  const persistent = t.domain === 'persistent';
  const actions: PlannedAction[] = [];
  if (!(await known.tenantExists(t.tenant))) actions.push({ kind: 'create-tenant', tenant: t.tenant });
  const namespace = `${t.tenant}/${t.namespace}`;
  if (!(await known.namespaceExists(namespace))) actions.push({ kind: 'create-namespace', namespace });

  if (persistent) {
    const existing = actions.length > 0 ? undefined : await existingPartitions(admin, target);
    if (existing === undefined) {
      actions.push({ kind: 'create-topic', topic: target, partitions: source.partitions });
    } else if (existing.partitions === 0) {
      throw new K2pError('K2P_MIRROR_CONFIG', `${target} exists as a non-partitioned topic; Kafka topic ${source.name} has ${source.partitions} partitions`, {
        topic: source.name,
        target,
        expected: `a partitioned topic with ${source.partitions} partitions, or no topic`,
      });
    } else if (existing.partitions > source.partitions) {
      throw new K2pError('K2P_MIRROR_CONFIG', `${target} has ${existing.partitions} partitions, more than Kafka topic ${source.name} (${source.partitions}); Pulsar cannot remove partitions`, {
        topic: source.name,
        target,
      });
    } else if (existing.partitions < source.partitions) {
      actions.push({ kind: 'add-partitions', topic: target, from: existing.partitions, to: source.partitions });
    }
    actions.push({ kind: 'enable-deduplication', topic: target });
    const retention = retentionFor(source);
    if (retention) actions.push({ kind: 'set-retention', topic: target, ...retention });
    if (source.cleanupPolicy?.split(',').includes('compact')) {
      actions.push({ kind: 'set-compaction-threshold', topic: target, bytes: COMPACTION_THRESHOLD_BYTES });
    }
  } else {
    actions.push({ kind: 'note', topic: target, message: 'non-persistent target: no deduplication, records are not kept (ephemeral data only)' });
  }
  if ((source.maxMessageBytes ?? 0) > PULSAR_MAX_MESSAGE_BYTES) {
    actions.push({
      kind: 'note',
      topic: target,
      message: `Kafka max.message.bytes ${source.maxMessageBytes} exceeds Pulsar's ${PULSAR_MAX_MESSAGE_BYTES}: larger records are sent in chunks`,
    });
  }
  if (deadLetter !== undefined) {
    const d = parseTopicName(deadLetter);
    if (d.domain !== 'persistent') {
      throw new K2pError('K2P_MIRROR_CONFIG', `dead-letter topic ${deadLetter} must be persistent (dead letters are kept until someone handles them)`, { topic: source.name, deadLetter });
    }
    const dNamespace = `${d.tenant}/${d.namespace}`;
    if (d.tenant !== t.tenant && !(await known.tenantExists(d.tenant)) && !actions.some((a) => a.kind === 'create-tenant' && a.tenant === d.tenant)) {
      actions.push({ kind: 'create-tenant', tenant: d.tenant });
    }
    if (dNamespace !== namespace && !(await known.namespaceExists(dNamespace))) actions.push({ kind: 'create-namespace', namespace: dNamespace });
    actions.push({ kind: 'create-dead-letter-topic', topic: deadLetter });
  }
  return deadLetter !== undefined ? { source, target, deadLetter, persistent, actions } : { source, target, persistent, actions };
}

async function existingPartitions(admin: PulsarAdmin, target: string): Promise<{ partitions: number } | undefined> {
  let partitions: number;
  try {
    partitions = await admin.topics.partitions(target);
  } catch (err) {
    if (isK2pError(err, 'K2P_PLS_ADMIN') && err.details.status === 404) return undefined;
    throw err;
  }
  if (partitions > 0) return { partitions };
  return (await admin.topics.exists(target)) ? { partitions: 0 } : undefined;
}

/** Tenants and namespaces, looked up once per plan. */
export class KnownState {
  private tenants: Promise<string[]> | undefined;
  private readonly namespaces = new Map<string, Promise<string[]>>();

  constructor(private readonly admin: PulsarAdmin) {}

  async tenantExists(tenant: string): Promise<boolean> {
    this.tenants ??= this.admin.tenants.list();
    return (await this.tenants).includes(tenant);
  }

  async namespaceExists(namespace: string): Promise<boolean> {
    const tenant = namespace.split('/')[0]!;
    if (!(await this.tenantExists(tenant))) return false;
    let list = this.namespaces.get(tenant);
    if (!list) {
      list = this.admin.namespaces.list(tenant);
      this.namespaces.set(tenant, list);
    }
    return (await list).includes(namespace);
  }
}

/** Applies a plan; idempotent (existing things are left as they are). Waits until deduplication is live. */
export async function applyPlan(admin: PulsarAdmin, plan: TopicPlan): Promise<void> {
  for (const action of plan.actions) {
    switch (action.kind) {
      case 'create-tenant':
        await admin.tenants.ensure(action.tenant);
        break;
      case 'create-namespace':
        await admin.namespaces.ensure(action.namespace);
        break;
      case 'create-topic':
        await admin.topics.ensure(action.topic, action.partitions);
        break;
      case 'add-partitions':
        await admin.topics.updatePartitions(action.topic, action.to);
        break;
      case 'create-dead-letter-topic':
        await admin.topics.ensure(action.topic, 0);
        await admin.topics.setDeduplication(action.topic, true);
        break;
      case 'enable-deduplication':
        await admin.topics.setDeduplication(action.topic, true);
        break;
      case 'set-retention':
        await admin.topics.setRetention(action.topic, { retentionTimeInMinutes: action.retentionTimeInMinutes, retentionSizeInMB: action.retentionSizeInMB });
        break;
      case 'set-compaction-threshold':
        await admin.topics.setCompactionThreshold(action.topic, action.bytes);
        break;
      case 'note':
        break;
    }
  }
  if (plan.actions.some((a) => a.kind === 'enable-deduplication')) await waitForDeduplication(admin, plan.target);
  if (plan.deadLetter !== undefined) await waitForDeduplication(admin, plan.deadLetter);
}

/** Topic policies reach the broker through a system topic: no record may flow before dedup is on. */
async function waitForDeduplication(admin: PulsarAdmin, topic: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await admin.topics.getDeduplication(topic)) !== true) {
    if (Date.now() > deadline) {
      throw new K2pError('K2P_MIRROR_CONFIG', `deduplication on ${topic} not in effect after ${timeoutMs} ms (are topic-level policies enabled on the broker?)`, { target: topic });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One line per action, for `k2p plan`. */
export function describePlan(plan: TopicPlan): string[] {
  const lines = [`${plan.source.name} (${plan.source.partitions} partitions) → ${plan.target}`];
  for (const a of plan.actions) {
    switch (a.kind) {
      case 'create-tenant':
        lines.push(`  + tenant ${a.tenant}`);
        break;
      case 'create-namespace':
        lines.push(`  + namespace ${a.namespace}`);
        break;
      case 'create-topic':
        lines.push(`  + partitioned topic with ${a.partitions} partitions`);
        break;
      case 'add-partitions':
        lines.push(`  ~ partitions ${a.from} → ${a.to}`);
        break;
      case 'create-dead-letter-topic':
        lines.push(`  + dead-letter topic ${a.topic} (deduplication on)`);
        break;
      case 'enable-deduplication':
        lines.push('  ~ deduplication on');
        break;
      case 'set-retention':
        lines.push(`  ~ retention ${a.retentionTimeInMinutes} min / ${a.retentionSizeInMB} MB (from retention.ms / retention.bytes)`);
        break;
      case 'set-compaction-threshold':
        lines.push(`  ~ compaction threshold ${a.bytes} bytes (cleanup.policy=compact)`);
        break;
      case 'note':
        lines.push(`  ! ${a.message}`);
        break;
    }
  }
  return lines;
}
