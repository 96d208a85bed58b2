// Topics, partitions, stats and topic-level policies.
import { parseTopicName, topicRestPath } from '../client/topic-name.js';
import type { AdminHttp } from './http.js';
import { isHttpStatus } from './http.js';
import { ignoreConflict } from './tenants.js';

/** The parts of the broker's topic stats that callers use; the broker sends many more. */
export interface TopicStats {
  msgInCounter: number;
  bytesInCounter: number;
  msgOutCounter: number;
  storageSize: number;
  publishers: { producerName: string; msgRateIn: number }[];
  subscriptions: Record<string, SubscriptionStats>;
  deduplicationStatus?: string;
  [more: string]: unknown;
}

export interface SubscriptionStats {
  msgBacklog: number;
  type: string;
  consumers: { consumerName: string }[];
  [more: string]: unknown;
}

/** The parts of the broker's internal stats (managed ledger and cursors) that callers use. */
export interface TopicInternalStats {
  lastConfirmedEntry: string;
  cursors: Record<string, CursorInternalStats>;
  [more: string]: unknown;
}

export interface CursorInternalStats {
  /** `L:E`: every entry up to here is acknowledged. */
  markDeletePosition: string;
  readPosition: string;
  /** Entries acknowledged past the mark-delete position, as ranges: `[]`, or `[(L:a..L:b],(L:c..L:d]]`. */
  individuallyDeletedMessages: string;
  [more: string]: unknown;
}

export interface MessagePosition {
  ledgerId: bigint;
  entryId: bigint;
  partition: number;
  batchIndex: number;
}

export interface RetentionPolicy {
  retentionTimeInMinutes: number;
  retentionSizeInMB: number;
}

export class Topics {
  constructor(private readonly http: AdminHttp) {}

  private path(topic: string): string {
    return `/admin/v2/${topicRestPath(topic)}`;
  }

  /** Topics of a namespace (non-partitioned topics and individual partitions). */
  list(namespace: string, domain: 'persistent' | 'non-persistent' = 'persistent'): Promise<string[]> {
    return this.http.call('GET', `/admin/v2/${domain}/${namespace}`);
  }

  /** Partitioned topics of a namespace (base names). */
  listPartitioned(namespace: string, domain: 'persistent' | 'non-persistent' = 'persistent'): Promise<string[]> {
    return this.http.call('GET', `/admin/v2/${domain}/${namespace}/partitioned`);
  }

  async createPartitioned(topic: string, partitions: number): Promise<void> {
    await this.http.call('PUT', `${this.path(topic)}/partitions`, partitions);
  }

  async createNonPartitioned(topic: string, properties?: Record<string, string>): Promise<void> {
    await this.http.call('PUT', this.path(topic), properties);
  }

  /** Creates the topic with that many partitions (0 = non-partitioned) unless it exists; true when created. */
  async ensure(topic: string, partitions: number): Promise<boolean> {
    return ignoreConflict(() => (partitions > 0 ? this.createPartitioned(topic, partitions) : this.createNonPartitioned(topic)));
  }

  /** Partition count; 0 for a non-partitioned (or missing) topic, as the broker reports it. */
  async partitions(topic: string): Promise<number> {
    const meta = await this.http.call<{ partitions: number }>('GET', `${this.path(topic)}/partitions`);
    return meta.partitions;
  }

  /** Raises the partition count of a partitioned topic to `total` (Pulsar cannot lower it). */
  async updatePartitions(topic: string, total: number): Promise<void> {
    await this.http.call('POST', `${this.path(topic)}/partitions`, total);
  }

  async delete(topic: string, options: { force?: boolean } = {}): Promise<void> {
    const partitioned = (await this.partitions(topic).catch(() => 0)) > 0;
    const suffix = partitioned ? '/partitions' : '';
    await this.http.call('DELETE', `${this.path(topic)}${suffix}?force=${options.force ?? false}`);
  }

  async exists(topic: string): Promise<boolean> {
    try {
      await this.http.call('GET', `${this.path(topic)}/stats`);
      return true;
    } catch (err) {
      if (isHttpStatus(err, 404)) return (await this.partitions(topic)) > 0;
      throw err;
    }
  }

  stats(topic: string): Promise<TopicStats> {
    return this.http.call('GET', `${this.path(topic)}/stats`);
  }

  /** Stats of a partitioned topic: the aggregate, plus one entry per partition when `perPartition`. */
  partitionedStats(topic: string, perPartition = true): Promise<TopicStats & { partitions: Record<string, TopicStats> }> {
    return this.http.call('GET', `${this.path(topic)}/partitioned-stats?perPartition=${perPartition}`);
  }

  /** Managed-ledger and cursor state of one (non-partitioned or partition) topic. */
  internalStats(topic: string): Promise<TopicInternalStats> {
    return this.http.call('GET', `${this.path(topic)}/internalStats`);
  }

  async lastMessageId(topic: string): Promise<MessagePosition> {
    const id = await this.http.call<{ ledgerId: number; entryId: number; partitionIndex?: number; batchIndex?: number }>(
      'GET',
      `${this.path(topic)}/lastMessageId`,
    );
    return {
      ledgerId: BigInt(id.ledgerId),
      entryId: BigInt(id.entryId),
      partition: id.partitionIndex ?? parseTopicName(topic).partition,
      batchIndex: id.batchIndex ?? -1,
    };
  }

  /** Unloads the topic from its broker: producers and consumers are disconnected and reconnect. */
  async unload(topic: string): Promise<void> {
    await this.http.call('PUT', `${this.path(topic)}/unload`);
  }

  // Topic-level policies (need topicLevelPoliciesEnabled on the broker).

  async setDeduplication(topic: string, enabled: boolean): Promise<void> {
    await this.http.call('POST', `${this.path(topic)}/deduplicationEnabled`, enabled);
  }

  getDeduplication(topic: string): Promise<boolean | undefined> {
    return this.http.call('GET', `${this.path(topic)}/deduplicationEnabled`);
  }

  async setRetention(topic: string, retention: RetentionPolicy): Promise<void> {
    await this.http.call('POST', `${this.path(topic)}/retention`, retention);
  }

  getRetention(topic: string): Promise<RetentionPolicy | undefined> {
    return this.http.call('GET', `${this.path(topic)}/retention`);
  }

  async setCompactionThreshold(topic: string, bytes: number): Promise<void> {
    await this.http.call('POST', `${this.path(topic)}/compactionThreshold`, bytes);
  }

  getCompactionThreshold(topic: string): Promise<number | undefined> {
    return this.http.call('GET', `${this.path(topic)}/compactionThreshold`);
  }

  /** Starts compaction of one (non-partitioned or partition) topic now. */
  async triggerCompaction(topic: string): Promise<void> {
    await this.http.call('PUT', `${this.path(topic)}/compaction`);
  }

  /** NOT_RUN | RUNNING | SUCCESS | ERROR */
  async compactionStatus(topic: string): Promise<{ status: string; lastError?: string }> {
    return this.http.call('GET', `${this.path(topic)}/compaction`);
  }
}
