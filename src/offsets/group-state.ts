// Where each group stands, kept across restarts: phase (syncing, cutting over, cut over, rolling back,
// rolled back), the last translation per partition, last sync time, and why sync stopped. One Redis hash
// per source cluster, one field per group (a JSON document).

export type GroupPhase = 'syncing' | 'cutting-over' | 'cut-over' | 'rolling-back' | 'rolled-back';

export interface PartitionState {
  topic: string;
  partition: number;
  /** Pulsar partition topic. */
  target: string;
  /** Kafka offset the subscription was placed for (decimal). */
  kafkaOffset: string;
  /** `after L:E:P:B` or `earliest`. */
  position: string;
  /** The message a consumer gets first there, when stored at the time: its id and Kafka offset. */
  nextId?: string;
  nextOffset?: string;
}

export interface GroupState {
  group: string;
  subscription: string;
  phase: GroupPhase;
  /** Why sync is not following the group (e.g. a Pulsar consumer is attached). */
  note?: string;
  /** ms since the epoch of the last sync that moved or confirmed the subscription. */
  lastSyncAt?: number;
  updatedAt: number;
  partitions: PartitionState[];
}

export interface GroupStateStore {
  get(group: string): Promise<GroupState | undefined>;
  put(state: GroupState): Promise<void>;
  list(): Promise<GroupState[]>;
  /** Removes a group's state (tests, or a group mapping removed). */
  delete(group: string): Promise<void>;
}

/** The Redis commands the store uses (an ioredis client fits). */
export interface StateRedis {
  hget(key: string, field: string): Promise<string | null>;
  hset(key: string, field: string, value: string): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, ...fields: string[]): Promise<number>;
}

export class RedisGroupStateStore implements GroupStateStore {
  private readonly key: string;

  /** `scope` separates source clusters (and test runs): the connector name, typically. */
  constructor(
    private readonly redis: StateRedis,
    scope: string,
  ) {
    this.key = `k2p:offsets:groups:${scope}`;
  }

  async get(group: string): Promise<GroupState | undefined> {
    const text = await this.redis.hget(this.key, group);
    return text === null ? undefined : (JSON.parse(text) as GroupState);
  }

  async put(state: GroupState): Promise<void> {
    await this.redis.hset(this.key, state.group, JSON.stringify({ ...state, updatedAt: Date.now() }));
  }

  async list(): Promise<GroupState[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all)
      .map((t) => JSON.parse(t) as GroupState)
      .sort((a, b) => a.group.localeCompare(b.group));
  }

  async delete(group: string): Promise<void> {
    await this.redis.hdel(this.key, group);
  }
}
