// What offset translation asks of Kafka about consumer groups: who is a member, what is committed, where
// partitions start and end, and (rollback) setting a group's committed offsets. Reads go through the
// project's KafkaAdmin; setting offsets uses the kafkajs admin (Kafka refuses it while the group has members).
import type { Admin, Kafka } from 'kafkajs';
import { K2pError } from '../errors.js';
import { KafkajsAdmin, type CommittedOffset, type GroupDescription, type PartitionOffsets } from '../kafka/index.js';

export interface KafkaGroups {
  /** Consumer groups on the cluster. */
  list(): Promise<string[]>;
  describe(group: string): Promise<GroupDescription>;
  /** Committed offsets (all partitions of `topics` when given, "-1" where none; else the topics with commits). */
  committed(group: string, topics?: string[]): Promise<CommittedOffset[]>;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** Sets the group's committed offsets on partitions of one topic (the group must have no members). */
  commit(group: string, topic: string, partitions: { partition: number; offset: bigint }[]): Promise<void>;
  close(): Promise<void>;
}

export class KafkajsGroups implements KafkaGroups {
  private readonly reads: KafkajsAdmin;
  private readonly writes: Admin;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly connector: string,
  ) {
    this.reads = new KafkajsAdmin(kafka, connector);
    this.writes = kafka.admin({ retry: { retries: 3, initialRetryTime: 300 } });
  }

  private connect(): Promise<void> {
    this.connected ??= Promise.all([this.reads.connect(), this.writes.connect()]).then(() => undefined);
    return this.connected;
  }

  async list(): Promise<string[]> {
    await this.connect();
    return (await this.reads.listGroups()).map((g) => g.groupId);
  }

  async describe(group: string): Promise<GroupDescription> {
    await this.connect();
    return this.reads.describeGroup(group);
  }

  async committed(group: string, topics?: string[]): Promise<CommittedOffset[]> {
    await this.connect();
    return this.reads.committedOffsets(group, topics);
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    await this.connect();
    return this.reads.offsets(topic);
  }

  async commit(group: string, topic: string, partitions: { partition: number; offset: bigint }[]): Promise<void> {
    await this.connect();
    try {
      await this.writes.setOffsets({ groupId: group, topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset.toString() })) });
    } catch (err) {
      throw new K2pError('K2P_KFK_ADMIN', `${this.connector}: setting committed offsets of group ${group} on ${topic} failed: ${(err as Error).message}`, { group, topic }, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    await Promise.allSettled([this.reads.close(), this.writes.disconnect()]);
  }
}
