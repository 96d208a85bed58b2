// What `verify()` takes. Either config files (clients built from the connectors, topics and groups from the
// mappings) or your own clients and topic pairs.
import type { Kafka } from 'kafkajs';
import type { KafkaConnector } from '../kafka/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { PulsarAdmin } from '../pulsar/admin/index.js';
import type { PulsarClient } from '../pulsar/client/index.js';
import type { KafkaSide } from './records.js';
import type { ValueComparator } from './values.js';

/** A range bound: a Kafka offset (the same on every partition) or a time (ms since the epoch). */
export type Bound = { offset: bigint } | { time: number };

/** One Kafka topic and the Pulsar topic it is mirrored (or dual-written) to. */
export interface TopicPair {
  kafkaTopic: string;
  pulsarTopic: string;
  /** The mapping's `schema:` (bytes | string | json | registry), for a comparator factory. */
  schema?: string;
}

export interface DualWriteOptions {
  /** Header (Kafka) / property (Pulsar) the writer sets to the same value on both sides. Default "k2p-id". */
  identityHeader?: string;
  /** Custom identity; default: the identity header, else a digest of key and value. */
  identity?: (record: { key: Buffer | null; value: Buffer | null; headers: KafkaSide['headers'] }) => string;
  /** Records younger than this (ms before the start of the run) may still be in flight: never reported. Default 10 s. */
  toleranceMs?: number;
}

export interface SampleOptions {
  /** Windows checked in all. */
  windows: number;
  /** Kafka records per window. Default 1000. */
  windowSize?: number;
  /** Only this many random partitions per topic (default all). */
  partitions?: number;
  /** For reproducible samples. Default: random. */
  seed?: number;
  /** Confidence of the stated bound. Default 0.95. */
  confidence?: number;
}

export interface VerifyProgress {
  topic: string;
  /** Kafka records compared so far (all topics) and planned in all. */
  records: number;
  plannedRecords: number;
  divergences: number;
  elapsedMs: number;
}

/** A Kafka connector as verify takes it (the connector files' kind, or kafkaClient's). */
export type VerifyKafkaConnector = Omit<KafkaConnector, 'brokers'> & { readonly brokers: readonly string[] };

export interface VerifyOptions {
  /** Connector and mapping files (or a loaded config). */
  config?: readonly string[] | GatewayConfig;
  /** Your own clients (used with `pairs`, or with `config` instead of building clients from it). */
  kafka?: Kafka;
  /**
   * The connector your `kafka` client reaches (brokers, ssl, sasl): Kafka's records are then read with the
   * gateway's own fetch client (src/kafka/wire), as when verify builds its clients from connector files.
   * Without it, records are read with your kafkajs client in the calling thread.
   */
  kafkaConnector?: VerifyKafkaConnector;
  pulsar?: PulsarClient;
  pulsarAdmin?: PulsarAdmin;
  /** Topics to compare when no config is given. */
  pairs?: TopicPair[];
  /** Restrict to these Kafka topics (exact names). */
  topics?: readonly string[];
  /** 'mirror' (default): paired by Kafka offset, partition for partition. 'dual-write': paired by identity. */
  mode?: 'mirror' | 'dual-write';
  from?: Bound;
  to?: Bound;
  /** Divergences listed in the report (all are counted). Default 20. */
  maxDivergences?: number;
  /** Mirror mode: Pulsar messages a record may arrive late before it counts as missing. Default 10,000. */
  window?: number;
  /** Wait this long for Pulsar to catch up with Kafka's end before the tail counts as missing. Default 0. */
  settleMs?: number;
  /**
   * A side that makes no progress for this long before reaching the end known as the run started (Kafka's
   * end offset, Pulsar's last message id) fails the run with K2P_VERIFY_INCOMPLETE: a comparison that did
   * not read both sides to their ends is never reported identical. Default 120,000 ms.
   */
  readTimeoutMs?: number;
  /**
   * Read Kafka in a worker thread (default true): fetching and packing Kafka's records then runs beside the
   * Pulsar reading and the comparison. Only when verify knows the Kafka connector (`config` without `kafka`,
   * or `kafkaConnector`); with your own client alone, Kafka is read in the calling thread.
   */
  kafkaThread?: boolean;
  /**
   * Mirror mode: read Pulsar in a worker thread (default false), its messages handed over packed, so this
   * thread only compares. Only when verify builds the Pulsar client from `config` (not with your `pulsar`).
   * Off by default because on the 2-core machine it was slower (docs/verify.md, "Pulsar in a worker thread").
   */
  pulsarThread?: boolean;
  /** Fields compared (all by default). */
  compare?: { key?: boolean; headers?: boolean; timestamp?: boolean };
  /** Value comparison for every topic. Default: bytes. */
  valueComparator?: ValueComparator;
  /** Or one per topic (undefined → `valueComparator`, else bytes): e.g. decoded values for schema topics. */
  valueComparatorFor?: (pair: TopicPair) => ValueComparator | undefined;
  dualWrite?: DualWriteOptions;
  /** Compare mapped groups' committed offsets with their subscriptions (default: when groups are mapped). */
  positions?: boolean | { groups?: readonly string[] };
  sample?: SampleOptions;
  onProgress?: (p: VerifyProgress) => void;
  progressIntervalMs?: number;
}
