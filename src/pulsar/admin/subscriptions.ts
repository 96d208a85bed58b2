// Durable subscriptions: create at an exact position (batch index included), reset, inspect, delete.
import { topicRestPath } from '../client/topic-name.js';
import type { AdminHttp } from './http.js';

/** Where a cursor should stand. `excluded` = start after this message rather than at it. */
export type CursorPosition =
  | 'earliest'
  | 'latest'
  | { ledgerId: bigint; entryId: bigint; batchIndex?: number; partition?: number; excluded?: boolean };

function resetCursorData(position: CursorPosition): unknown {
  if (position === 'earliest' || position === 'latest') return position;
  // The broker's ResetCursorData; numbers are safe here: ledger and entry ids stay far below 2^53.
  return {
    ledgerId: Number(position.ledgerId),
    entryId: Number(position.entryId),
    partitionIndex: position.partition ?? -1,
    batchIndex: position.batchIndex ?? -1,
    excluded: position.excluded ?? false, // the broker's field isExcluded is named 'excluded' in JSON (Jackson)
  };
}

export class Subscriptions {
  constructor(private readonly http: AdminHttp) {}

  private path(topic: string, subscription?: string): string {
    const base = `/admin/v2/${topicRestPath(topic)}`;
    return subscription === undefined ? base : `${base}/subscription/${encodeURIComponent(subscription)}`;
  }

  list(topic: string): Promise<string[]> {
    return this.http.call('GET', `${this.path(topic)}/subscriptions`);
  }

  /**
   * Creates a durable subscription whose cursor stands at `position` (on every partition, for a partitioned
   * topic). The broker's create call places a cursor on an entry only (Pulsar 4.0 ignores batchIndex and
   * isExcluded there), so a position inside a batch, or an excluded one, is finished with a reset-cursor,
   * which applies both as an ack set on the entry.
   */
  async create(topic: string, subscription: string, position: CursorPosition = 'latest'): Promise<void> {
    const inside = typeof position === 'object' && ((position.batchIndex ?? -1) >= 0 || position.excluded === true);
    const entryOnly = inside ? { ...position, batchIndex: -1, excluded: false } : position;
    await this.http.call('PUT', `${this.path(topic, subscription)}?replicated=false`, resetCursorData(entryOnly));
    if (inside) await this.resetToMessage(topic, subscription, position);
  }

  /** Moves an existing subscription's cursor to a message id (batch index included when given). */
  async resetToMessage(topic: string, subscription: string, position: Exclude<CursorPosition, 'earliest' | 'latest'>): Promise<void> {
    await this.http.call('POST', `${this.path(topic, subscription)}/resetcursor`, resetCursorData(position));
  }

  /** Moves an existing subscription's cursor to the first message published at or after `timestampMs`. */
  async resetToTime(topic: string, subscription: string, timestampMs: number): Promise<void> {
    await this.http.call('POST', `${this.path(topic, subscription)}/resetcursor/${timestampMs}`);
  }

  async skipAll(topic: string, subscription: string): Promise<void> {
    await this.http.call('POST', `${this.path(topic, subscription)}/skip_all`);
  }

  async delete(topic: string, subscription: string, force = false): Promise<void> {
    await this.http.call('DELETE', `${this.path(topic, subscription)}?force=${force}`);
  }

  /** The n-th (1-based) unacknowledged message of the subscription, as raw bytes with its metadata headers. */
  peek(topic: string, subscription: string, n = 1): Promise<{ headers: Headers; body: Buffer }> {
    return this.http.raw('GET', `${this.path(topic, subscription)}/position/${n}`);
  }
}
