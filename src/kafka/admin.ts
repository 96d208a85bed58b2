// A small interface over the kafkajs admin client: what the gateway needs to know about a Kafka cluster
// (topics, partitions, carried-over configs, offsets, consumer groups) and nothing else.
import kafkajs, { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { K2pError } from '../errors.js';
import { kafkaAdminError, kafkaErrorType } from './errors.js';

/** Topic configs the gateway carries over to Pulsar (values as Kafka reports them). */
export const CARRIED_TOPIC_CONFIGS = ['retention.ms', 'retention.bytes', 'cleanup.policy', 'max.message.bytes'] as const;
export type CarriedTopicConfig = (typeof CARRIED_TOPIC_CONFIGS)[number];

export interface TopicConfig {
  /** Effective values (a topic override, or the broker default). */
  values: Partial<Record<CarriedTopicConfig, string>>;
  /** Which of them are set on the topic itself (not inherited defaults). */
  overridden: CarriedTopicConfig[];
}

export interface PartitionOffsets {
  partition: number;
  /** Log start offset: the first offset still stored. */
  start: string;
  /**
   * End offset as a read_committed reader sees it (kafkajs asks ListOffsets with READ_COMMITTED, so this is
   * the last stable offset; it equals the high watermark when no transaction is open).
   */
  end: string;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** The next offset the group will read; "-1" when the group has no commit for this partition. */
  offset: string;
  metadata: string | null;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** Partitions assigned to the member (decoded for protocol type "consumer"; empty otherwise). */
  assignment: { topic: string; partitions: number[] }[];
}

export interface GroupDescription {
  groupId: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead, Unknown. */
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Every topic except internal ones (`__*`, `_schemas`), sorted. */
  listTopics(): Promise<string[]>;
  /** Partition count per topic; a topic that does not exist is absent from the map. */
  partitionCounts(topics: string[]): Promise<Map<string, number>>;
  /** The carried-over configs per topic (from DescribeConfigs). */
  topicConfigs(topics: string[]): Promise<Map<string, TopicConfig>>;
  /** Start and end offset of each partition of a topic, by partition. */
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** A consumer group's committed offsets (all its topics, or the ones given), by topic then partition. */
  committedOffsets(groupId: string, topics?: string[]): Promise<CommittedOffset[]>;
  /** Consumer groups on the cluster. */
  listGroups(): Promise<{ groupId: string; protocolType: string }[]>;
  describeGroup(groupId: string): Promise<GroupDescription>;
}

/** Internal topics never mirrored: Kafka's own (`__consumer_offsets`, `__transaction_state`, ...) and `_schemas`. */
// kafkajs is CommonJS; Node's ESM loader does not detect this one as a named export.
const { ConfigResourceTypes } = kafkajs;

export function isInternalTopic(name: string): boolean {
  return name.startsWith('__') || name === '_schemas';
}

function decodeAssignment(protocolType: string, bytes: Buffer): GroupMember['assignment'] {
  if (protocolType !== 'consumer' || bytes.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(bytes);
    if (!decoded) return [];
    return Object.entries(decoded.assignment)
      .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
      .sort((a, b) => a.topic.localeCompare(b.topic));
  } catch {
    return []; // a custom assignor's bytes: the members are still listed
  }
}

/**
 * Admin calls answer a person or a planner: a few seconds of retries, not the mirror's minutes. The retries
 * are ours (kafkajs's are off): kafkajs retries UNKNOWN_TOPIC_OR_PARTITION for ~9 s, so a question about a
 * deleted topic would wait that long (twice, with the reset below) for an answer we can give at once.
 */
const RETRY_DELAYS_MS = [300, 600, 1_200, 2_400, 4_800];

/** Worth asking again: the cluster was unreachable, or Kafka marked its error retriable. */
function isTransient(error: K2pError): boolean {
  return error.code === 'K2P_KFK_CONNECT' || (error.code === 'K2P_KFK_ADMIN' && error.canRetry);
}

/**
 * kafkajs remembers every topic it was asked about and puts them all in each later metadata request; once
 * one of them is deleted, every request of that admin fails with UNKNOWN_TOPIC_OR_PARTITION. So on that
 * error the kafkajs admin is replaced by a fresh one; if a topic the call names is gone, the call fails
 * with "does not exist" right away, otherwise it is tried again.
 */
export class KafkajsAdmin implements KafkaAdmin {
  private admin: Admin;
  private connected = false;
  /** The replacement under way, shared by calls that fail at the same time. */
  private resetting: Promise<void> | undefined;

  /** `connector` names the cluster in errors. */
  constructor(
    private readonly kafka: Kafka,
    private readonly connector: string,
  ) {
    this.admin = this.freshAdmin();
  }

  private freshAdmin(): Admin {
    return this.kafka.admin({ retry: { retries: 0 } });
  }

  /** Runs `fn` with our retry policy; `topics` are the topics the call is about (checked on UNKNOWN_TOPIC_OR_PARTITION). */
  private async call<T>(op: string, details: Record<string, unknown>, fn: () => Promise<T>, topics: string[] = []): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const used = this.admin;
      try {
        return await fn();
      } catch (err) {
        const error = kafkaAdminError(this.connector, op, err, details);
        const delay = RETRY_DELAYS_MS[attempt];
        if (kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION' && this.connected) {
          await this.reset(used).catch((e: unknown) => {
            throw kafkaAdminError(this.connector, op, e, details);
          });
          const missing = await this.missingTopics(op, details, topics);
          if (missing.length > 0) {
            throw new K2pError(
              'K2P_KFK_ADMIN',
              `${this.connector}: ${op} failed: topic ${missing.join(', ')} does not exist`,
              { ...error.details, missing },
              { cause: err, canRetry: false },
            );
          }
          if (delay === undefined) throw error;
          // The first retry needs no pause: the fresh admin no longer asks about the deleted topic.
          if (attempt > 0) await sleep(delay);
          continue;
        }
        if (delay === undefined || !isTransient(error)) throw error;
        await sleep(delay);
      }
    }
  }

  /** Which of `topics` the cluster does not have (asked without a topic list, so kafkajs remembers none). */
  private async missingTopics(op: string, details: Record<string, unknown>, topics: string[]): Promise<string[]> {
    if (topics.length === 0) return [];
    try {
      const meta = await this.admin.fetchTopicMetadata();
      const present = new Set(meta.topics.map((t) => t.name));
      return topics.filter((t) => !present.has(t));
    } catch (err) {
      throw kafkaAdminError(this.connector, op, err, details);
    }
  }

  /** Replaces `failed` with a fresh admin, unless another call already did. */
  private async reset(failed: Admin): Promise<void> {
    if (this.admin !== failed) return this.resetting;
    const fresh = this.freshAdmin();
    this.admin = fresh;
    this.resetting = (async () => {
      await failed.disconnect().catch(() => undefined);
      await fresh.connect();
    })().finally(() => {
      this.resetting = undefined;
    });
    return this.resetting;
  }

  async connect(): Promise<void> {
    // Not through call(): kafkajs already retries connecting (the client's retry settings).
    await this.admin.connect().catch((err: unknown) => {
      throw kafkaAdminError(this.connector, 'connect', err);
    });
    this.connected = true;
  }

  async close(): Promise<void> {
    this.connected = false;
    await this.admin.disconnect();
  }

  async listTopics(): Promise<string[]> {
    const names = await this.call('listTopics', {}, () => this.admin.listTopics());
    return names.filter((n) => !isInternalTopic(n)).sort();
  }

  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    // Without a topic list kafkajs asks for all topics and remembers none (see the class comment).
    const meta = await this.call('partitionCounts', { topics }, () => this.admin.fetchTopicMetadata());
    const wanted = new Set(topics);
    for (const t of meta.topics) if (wanted.has(t.name)) out.set(t.name, t.partitions.length);
    return out;
  }

  async topicConfigs(topics: string[]): Promise<Map<string, TopicConfig>> {
    const out = new Map<string, TopicConfig>();
    if (topics.length === 0) return out;
    const res = await this.call('topicConfigs', { topics }, () =>
      this.admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: [...CARRIED_TOPIC_CONFIGS] })),
      }),
    );
    for (const r of res.resources) {
      if (r.errorCode !== 0) {
        throw kafkaAdminError(this.connector, 'topicConfigs', new Error(r.errorMessage ?? `error code ${r.errorCode}`), { topic: r.resourceName });
      }
      const config: TopicConfig = { values: {}, overridden: [] };
      for (const e of r.configEntries) {
        const name = e.configName as CarriedTopicConfig;
        if (!CARRIED_TOPIC_CONFIGS.includes(name)) continue;
        config.values[name] = e.configValue;
        if (!e.isDefault) config.overridden.push(name);
      }
      out.set(r.resourceName, config);
    }
    return out;
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    const res = await this.call('offsets', { topic }, () => this.admin.fetchTopicOffsets(topic), [topic]);
    return res.map((p) => ({ partition: p.partition, start: p.low, end: p.high })).sort((a, b) => a.partition - b.partition);
  }

  async committedOffsets(groupId: string, topics?: string[]): Promise<CommittedOffset[]> {
    const res = await this.call('committedOffsets', { groupId, topics }, () =>
      this.admin.fetchOffsets(topics ? { groupId, topics } : { groupId }),
      topics,
    );
    const out: CommittedOffset[] = [];
    for (const t of res) {
      for (const p of t.partitions) out.push({ topic: t.topic, partition: p.partition, offset: p.offset, metadata: p.metadata });
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async listGroups(): Promise<{ groupId: string; protocolType: string }[]> {
    const res = await this.call('listGroups', {}, () => this.admin.listGroups());
    return res.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })).sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const res = await this.call('describeGroup', { groupId }, () => this.admin.describeGroups([groupId]));
    const g = res.groups[0];
    if (!g) throw kafkaAdminError(this.connector, 'describeGroup', new Error('no description returned'), { groupId });
    return {
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      protocol: g.protocol,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: decodeAssignment(g.protocolType, m.memberAssignment),
      })),
    };
  }
}
