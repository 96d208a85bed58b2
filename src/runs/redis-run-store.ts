// RunStore on Redis: one JSON string per run (updated with WATCH/MULTI, so two processes never lose each
// other's changes), a sorted set of run ids by creation time, and side keys per run for the planned topics,
// the last lag snapshot, a capped history list, verifications and group operations.
import type { Redis } from 'ioredis';
import type { RunStore } from './run-store.js';
import type { GroupOperation, HistoryPoint, LagSnapshot, Run, RunTopic, VerifyResult } from './types.js';

export class RedisRunStore implements RunStore {
  private watcher: Redis | undefined;
  private updates: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    /** Key prefix; separates installations (and tests). Default `k2p:runs:`. */
    private readonly prefix = 'k2p:runs:',
  ) {}

  private key(id: string, part = ''): string {
    return `${this.prefix}run:${id}${part ? `:${part}` : ''}`;
  }

  async create(run: Run): Promise<void> {
    await this.redis.multi().set(this.key(run.id), JSON.stringify(run)).zadd(`${this.prefix}index`, run.createdAt, run.id).exec();
  }

  async get(id: string): Promise<Run | undefined> {
    const text = await this.redis.get(this.key(id));
    return text === null ? undefined : (JSON.parse(text) as Run);
  }

  async list(): Promise<Run[]> {
    const ids = await this.redis.zrevrange(`${this.prefix}index`, 0, -1);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(...ids.map((id) => this.key(id)));
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as Run);
  }

  async update(id: string, change: (run: Run) => Run | undefined): Promise<Run | undefined> {
    // Updates of this process go one at a time over a connection of their own: WATCH is per connection.
    const next = this.updates.then(() => this.updateOnce(id, change));
    this.updates = next.catch(() => undefined);
    return next;
  }

  private async updateOnce(id: string, change: (run: Run) => Run | undefined): Promise<Run | undefined> {
    const key = this.key(id);
    this.watcher ??= this.redis.duplicate();
    const conn = this.watcher;
    for (;;) {
      await conn.watch(key);
      const text = await conn.get(key);
      if (text === null) {
        await conn.unwatch();
        return undefined;
      }
      const before = JSON.parse(text) as Run;
      const after = change(structuredClone(before));
      if (after === undefined) {
        await conn.unwatch();
        return before;
      }
      after.updatedAt = Date.now();
      const done = await conn.multi().set(key, JSON.stringify(after)).exec();
      if (done !== null) return after; // null: another process changed the run first; read it again
    }
  }

  /** Closes the update connection (the shared one belongs to the caller). */
  async close(): Promise<void> {
    await this.updates;
    this.watcher?.disconnect();
    this.watcher = undefined;
  }

  async delete(id: string): Promise<void> {
    const parts = ['', 'topics', 'lag', 'history', 'verify', 'groups'];
    await this.redis
      .multi()
      .del(...parts.map((p) => this.key(id, p)))
      .zrem(`${this.prefix}index`, id)
      .exec();
  }

  async putTopics(id: string, topics: RunTopic[]): Promise<void> {
    await this.redis.set(this.key(id, 'topics'), JSON.stringify(topics));
  }

  async topics(id: string): Promise<RunTopic[]> {
    const text = await this.redis.get(this.key(id, 'topics'));
    return text === null ? [] : (JSON.parse(text) as RunTopic[]);
  }

  async putLag(id: string, snapshot: LagSnapshot): Promise<void> {
    await this.redis.set(this.key(id, 'lag'), JSON.stringify(snapshot));
  }

  async lag(id: string): Promise<LagSnapshot | undefined> {
    const text = await this.redis.get(this.key(id, 'lag'));
    return text === null ? undefined : (JSON.parse(text) as LagSnapshot);
  }

  async addHistory(id: string, point: HistoryPoint, keep: number): Promise<void> {
    const key = this.key(id, 'history');
    await this.redis.multi().rpush(key, JSON.stringify(point)).ltrim(key, -keep, -1).exec();
  }

  async history(id: string): Promise<HistoryPoint[]> {
    return (await this.redis.lrange(this.key(id, 'history'), 0, -1)).map((t) => JSON.parse(t) as HistoryPoint);
  }

  async putVerify(id: string, result: VerifyResult): Promise<void> {
    await this.redis.hset(this.key(id, 'verify'), result.id, JSON.stringify(result));
  }

  async verifications(id: string): Promise<VerifyResult[]> {
    const all = await this.redis.hgetall(this.key(id, 'verify'));
    return Object.values(all)
      .map((t) => JSON.parse(t) as VerifyResult)
      .sort((a, b) => a.startedAt - b.startedAt);
  }

  async putGroupOperation(id: string, op: GroupOperation): Promise<void> {
    await this.redis.hset(this.key(id, 'groups'), op.group, JSON.stringify(op));
  }

  async groupOperations(id: string): Promise<GroupOperation[]> {
    const all = await this.redis.hgetall(this.key(id, 'groups'));
    return Object.values(all)
      .map((t) => JSON.parse(t) as GroupOperation)
      .sort((a, b) => a.group.localeCompare(b.group));
  }

  async lease(name: string, holder: string, ms: number): Promise<boolean> {
    const key = `${this.prefix}lease:${name}`;
    if ((await this.redis.set(key, holder, 'PX', ms, 'NX')) === 'OK') return true;
    // The holder renews its own lease.
    if ((await this.redis.get(key)) !== holder) return false;
    await this.redis.pexpire(key, ms);
    return true;
  }
}
