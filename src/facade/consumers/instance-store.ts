// Where consumer-instance state lives so that any gateway process can serve an instance: its config,
// subscription or assignment, and its fetch positions (the next Kafka-numbered offset per partition).
// Every read of an instance renews its expiry: an instance not used for `ttlMs` is gone (40403).
// RedisInstanceStore is the shared one (the redis connector); MemoryInstanceStore serves one process.
import type { InstanceState } from './types.js';

export interface InstanceStore {
  /** Stores a new instance; false when one of that name exists in the group. */
  create(state: InstanceState, ttlMs: number): Promise<boolean>;
  /** The instance (and renews its expiry), undefined when unknown or expired. */
  get(group: string, id: string, ttlMs: number): Promise<InstanceState | undefined>;
  put(state: InstanceState, ttlMs: number): Promise<void>;
  delete(group: string, id: string): Promise<void>;
  /** Fetch positions by tpKey. */
  positions(group: string, id: string): Promise<Map<string, bigint>>;
  /** Sets (bigint) or forgets (null) positions. */
  setPositions(group: string, id: string, changes: ReadonlyMap<string, bigint | null>, ttlMs: number): Promise<void>;
  /** Marks a subscribed instance alive in its group now; returns the group's live members, sorted. */
  heartbeat(group: string, id: string, ttlMs: number): Promise<string[]>;
  leave(group: string, id: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryInstanceStore implements InstanceStore {
  private readonly states = new Map<string, { state: InstanceState; expires: number; positions: Map<string, bigint> }>();
  private readonly members = new Map<string, Map<string, number>>();

  private key(group: string, id: string): string {
    return `${group}\u0000${id}`;
  }

  private live(group: string, id: string): { state: InstanceState; expires: number; positions: Map<string, bigint> } | undefined {
    const k = this.key(group, id);
    const e = this.states.get(k);
    if (e && e.expires <= Date.now()) {
      this.states.delete(k);
      return undefined;
    }
    return e;
  }

  async create(state: InstanceState, ttlMs: number): Promise<boolean> {
    if (this.live(state.group, state.id)) return false;
    this.states.set(this.key(state.group, state.id), { state: structuredClone(state), expires: Date.now() + ttlMs, positions: new Map() });
    return true;
  }

  async get(group: string, id: string, ttlMs: number): Promise<InstanceState | undefined> {
    const e = this.live(group, id);
    if (!e) return undefined;
    e.expires = Date.now() + ttlMs;
    return structuredClone(e.state);
  }

  async put(state: InstanceState, ttlMs: number): Promise<void> {
    const e = this.live(state.group, state.id);
    this.states.set(this.key(state.group, state.id), { state: structuredClone(state), expires: Date.now() + ttlMs, positions: e?.positions ?? new Map() });
  }

  async delete(group: string, id: string): Promise<void> {
    this.states.delete(this.key(group, id));
    await this.leave(group, id);
  }

  async positions(group: string, id: string): Promise<Map<string, bigint>> {
    return new Map(this.live(group, id)?.positions ?? []);
  }

  async setPositions(group: string, id: string, changes: ReadonlyMap<string, bigint | null>): Promise<void> {
    const e = this.live(group, id);
    if (!e) return;
    for (const [k, v] of changes) {
      if (v === null) e.positions.delete(k);
      else e.positions.set(k, v);
    }
  }

  async heartbeat(group: string, id: string, ttlMs: number): Promise<string[]> {
    const now = Date.now();
    const m = this.members.get(group) ?? new Map<string, number>();
    this.members.set(group, m);
    m.set(id, now);
    for (const [member, seen] of m) if (seen <= now - ttlMs) m.delete(member);
    return [...m.keys()].sort();
  }

  async leave(group: string, id: string): Promise<void> {
    this.members.get(group)?.delete(id);
  }

  async close(): Promise<void> {}
}
