// Consumer-instance state in Redis (the redis connector), shared by every gateway process:
//   {prefix}i:{group}:{id}       string  the instance's JSON state, PX = the instance timeout
//   {prefix}p:{group}:{id}       hash    tpKey → next offset to fetch, same expiry
//   {prefix}m:{group}            zset    subscribed instances by last request time (ms)
// Group and instance names are length-prefixed in keys so `a:b` + `c` never collides with `a` + `b:c`.
import type { Redis } from 'ioredis';
import { K2pError } from '../../errors.js';
import type { InstanceStore } from './instance-store.js';
import type { InstanceState } from './types.js';

/** Redis failures as the gateway's own retriable error (answered 50003). */
function guard<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw new K2pError('K2P_HTTP_CONSUMER_STORE', `consumer-instance state in Redis: ${(err as Error).message}`, {}, { canRetry: true });
    }
  };
}

export class RedisInstanceStore implements InstanceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'k2p:facade:consumers:',
    private readonly ownsConnection = true,
  ) {
    for (const m of ['create', 'get', 'put', 'delete', 'positions', 'setPositions', 'heartbeat', 'leave'] as const) {
      const original = this[m].bind(this) as (...args: unknown[]) => Promise<unknown>;
      (this as unknown as Record<string, unknown>)[m] = guard(original);
    }
  }

  private name(group: string, id: string): string {
    return `${group.length}:${group}:${id}`;
  }

  private stateKey(group: string, id: string): string {
    return `${this.prefix}i:${this.name(group, id)}`;
  }

  private positionsKey(group: string, id: string): string {
    return `${this.prefix}p:${this.name(group, id)}`;
  }

  private membersKey(group: string): string {
    return `${this.prefix}m:${group}`;
  }

  async create(state: InstanceState, ttlMs: number): Promise<boolean> {
    const ok = await this.redis.set(this.stateKey(state.group, state.id), JSON.stringify(state), 'PX', ttlMs, 'NX');
    if (ok === 'OK') await this.redis.del(this.positionsKey(state.group, state.id));
    return ok === 'OK';
  }

  async get(group: string, id: string, ttlMs: number): Promise<InstanceState | undefined> {
    const k = this.stateKey(group, id);
    const [[, text], [, renewed]] = (await this.redis.multi().get(k).pexpire(k, ttlMs).pexpire(this.positionsKey(group, id), ttlMs).exec())! as [[unknown, string | null], [unknown, number]];
    if (text === null || renewed === 0) return undefined;
    return JSON.parse(text) as InstanceState;
  }

  async put(state: InstanceState, ttlMs: number): Promise<void> {
    await this.redis.set(this.stateKey(state.group, state.id), JSON.stringify(state), 'PX', ttlMs, 'XX');
  }

  async delete(group: string, id: string): Promise<void> {
    await this.redis.multi().del(this.stateKey(group, id), this.positionsKey(group, id)).zrem(this.membersKey(group), id).exec();
  }

  async positions(group: string, id: string): Promise<Map<string, bigint>> {
    const all = await this.redis.hgetall(this.positionsKey(group, id));
    return new Map(Object.entries(all).map(([k, v]) => [k, BigInt(v)]));
  }

  async setPositions(group: string, id: string, changes: ReadonlyMap<string, bigint | null>, ttlMs: number): Promise<void> {
    if (changes.size === 0) return;
    const k = this.positionsKey(group, id);
    const m = this.redis.multi();
    const set: string[] = [];
    const del: string[] = [];
    for (const [tp, v] of changes) {
      if (v === null) del.push(tp);
      else set.push(tp, v.toString());
    }
    if (set.length > 0) m.hset(k, ...set);
    if (del.length > 0) m.hdel(k, ...del);
    m.pexpire(k, ttlMs);
    await m.exec();
  }

  async heartbeat(group: string, id: string, ttlMs: number): Promise<string[]> {
    const now = Date.now();
    const k = this.membersKey(group);
    const res = await this.redis.multi().zadd(k, now, id).zremrangebyscore(k, '-inf', String(now - ttlMs)).zrange(k, '0', '-1').pexpire(k, ttlMs * 2).exec();
    return ((res![2]![1] as string[]) ?? []).slice().sort();
  }

  async leave(group: string, id: string): Promise<void> {
    await this.redis.zrem(this.membersKey(group), id);
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => undefined);
  }
}
