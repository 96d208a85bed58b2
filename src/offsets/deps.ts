// What the offset operations need, gathered once (from config files by setup.ts, or by hand in tests).
import type { PulsarAdmin } from '../pulsar/admin/index.js';
import type { PulsarClient, SubscriptionType } from '../pulsar/client/index.js';
import type { GroupStateStore } from './group-state.js';
import type { KafkaGroups } from './kafka-groups.js';
import type { OffsetIndex } from './offset-index.js';

export interface OffsetsDeps {
  kafka: KafkaGroups;
  pulsar: PulsarClient;
  admin: PulsarAdmin;
  store: GroupStateStore;
  /** Accelerates scans; translation is exact without it. */
  index?: OffsetIndex;
  /** The Pulsar (partitioned) topic a Kafka topic is mirrored to; undefined when it is not mirrored. */
  targetOf(topic: string): string | undefined;
  /**
   * The mirror's Kafka consumer group: its committed offsets say what Pulsar holds, gaps included. Without
   * it, only the last offset stored in Pulsar is known (a gap at the end then reads as "not caught up").
   */
  mirrorGroup?: string;
  /** Admin calls and scans in flight at once. Default 16. */
  concurrency?: number;
  /** Subscription placements in flight at once when many groups are placed together (sync). Default 256. */
  placeConcurrency?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** A Kafka group and the Pulsar subscription it becomes (from its group mapping). */
export interface GroupTarget {
  group: string;
  subscription: string;
  type: SubscriptionType;
  whenNoOffset: 'earliest' | 'latest' | 'skip';
}
