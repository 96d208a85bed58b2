// The offset index: sparse checkpoints "Kafka offset → Pulsar message id" per Pulsar partition, fed by the
// mirror (MirrorOptions.onStored). Only an accelerator: a scan starts at the checkpoint just below the
// offset it looks for instead of at the first message, and checks the checkpoint on the way (a wrong or
// stale one costs a scan from the start, never a wrong answer). Storage is bounded: one checkpoint per
// `stride` offsets, at most `maxCheckpoints` per partition (the oldest are dropped).
import type { StoredBatch } from '../mirror/mirror.js';
import { MessageId } from '../pulsar/client/index.js';
import type { StoredMessage } from './types.js';

export interface OffsetIndex {
  /** Records checkpoints from a batch the mirror stored (ids -1:-1, records the broker already had, and
   * messages not in a batch entry are skipped). */
  record(batch: StoredBatch): Promise<void>;
  /** The checkpoint with the greatest offset < `offset` on this Pulsar partition topic, if any. */
  below(target: string, offset: bigint): Promise<StoredMessage | undefined>;
  /** Drops a checkpoint found wrong (topic recreated, data trimmed). */
  forget(target: string, checkpoint: StoredMessage): Promise<void>;
}

/** The Redis commands the index uses (an ioredis client fits). */
export interface IndexRedis {
  zadd(key: string, ...scoreMembers: (string | number)[]): Promise<number | string | null>;
  zrevrangebyscore(key: string, max: string | number, min: string | number, limit: 'LIMIT', offset: number, count: number): Promise<string[]>;
  zremrangebyrank(key: string, start: number, stop: number): Promise<number>;
  zrem(key: string, ...members: string[]): Promise<number>;
}

export interface RedisOffsetIndexOptions {
  /** Key prefix; default `k2p:offset-index:`. */
  prefix?: string;
  /** Offsets between two checkpoints of a partition; default 1000. */
  stride?: number;
  /** Checkpoints kept per partition; default 10,000. */
  maxCheckpoints?: number;
}

function member(c: StoredMessage): string {
  const id = c.id;
  return `${c.offset}:${id.ledgerId}:${id.entryId}:${id.partition}:${id.batchIndex}:${id.batchSize}`;
}

function parseMember(text: string): StoredMessage | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^-?[0-9]+$/.test(p))) return undefined;
  const [offset, ledger, entry, partition, batchIndex, batchSize] = parts as [string, string, string, string, string, string];
  return { offset: BigInt(offset), id: new MessageId(BigInt(ledger), BigInt(entry), Number(partition), Number(batchIndex), Number(batchSize)) };
}

export class RedisOffsetIndex implements OffsetIndex {
  private readonly prefix: string;
  private readonly stride: bigint;
  private readonly maxCheckpoints: number;
  /** Last checkpoint offset written per partition by this process (-stride before the first). */
  private readonly lastWritten = new Map<string, bigint>();
  private readonly writes = new Map<string, number>();

  constructor(
    private readonly redis: IndexRedis,
    options: RedisOffsetIndexOptions = {},
  ) {
    this.prefix = options.prefix ?? 'k2p:offset-index:';
    this.stride = BigInt(options.stride ?? 1000);
    this.maxCheckpoints = options.maxCheckpoints ?? 10_000;
  }

  private key(target: string): string {
    return `${this.prefix}${target}`;
  }

  async record(batch: StoredBatch): Promise<void> {
    const key = this.key(batch.target);
    if (!this.lastWritten.has(key)) {
      const [top] = await this.redis.zrevrangebyscore(key, '+inf', '-inf', 'LIMIT', 0, 1);
      const last = top === undefined ? undefined : parseMember(top);
      this.lastWritten.set(key, last ? last.offset : -this.stride);
    }
    let last = this.lastWritten.get(key)!;
    const add: (string | number)[] = [];
    for (const r of batch.records) {
      // Only messages inside batch entries: a reader can start at one inclusively (not at a lone message).
      if (r.id.ledgerId < 0n || r.id.batchIndex < 0 || r.offset < last + this.stride) continue;
      add.push(Number(r.offset), member({ offset: r.offset, id: r.id }));
      last = r.offset;
    }
    if (add.length === 0) return;
    this.lastWritten.set(key, last);
    await this.redis.zadd(key, ...add);
    // Trim now and then, not on every write: the bound is kept within a few entries.
    const n = (this.writes.get(key) ?? 0) + 1;
    this.writes.set(key, n);
    if (n % 64 === 0) await this.redis.zremrangebyrank(key, 0, -(this.maxCheckpoints + 1));
  }

  async below(target: string, offset: bigint): Promise<StoredMessage | undefined> {
    const found = await this.redis.zrevrangebyscore(this.key(target), `(${offset}`, '-inf', 'LIMIT', 0, 1);
    const c = found[0] === undefined ? undefined : parseMember(found[0]);
    return c && c.offset < offset ? c : undefined;
  }

  async forget(target: string, checkpoint: StoredMessage): Promise<void> {
    await this.redis.zrem(this.key(target), member(checkpoint));
  }
}
