// What to compare: the clusters and topic pairs, from config files (connectors + mappings) or given directly.
import type { Kafka } from 'kafkajs';
import {
  loadConfig,
  resolveTopic,
  targetTopic,
  type GatewayConfig,
  type GroupMapping,
  type PulsarConnector,
} from '../config/index.js';
import { K2pError } from '../errors.js';
import { KafkajsAdmin } from '../kafka/index.js';
import { mirrorPairs } from '../mirror/setup.js';
import type { PulsarAdmin } from '../pulsar/admin/index.js';
import type { PulsarClient } from '../pulsar/client/index.js';
import type { TopicPair, VerifyKafkaConnector, VerifyOptions } from './options.js';

/** One Kafka cluster and one Pulsar cluster, the topics compared between them and the groups mapped. */
export interface ClusterPair {
  name: string;
  kafka: Kafka;
  /** The connector `kafka` reaches (verify built it, or the caller named it): records are read with our fetch client. */
  kafkaConnector?: VerifyKafkaConnector;
  pulsar: PulsarClient;
  /** The connector `pulsar` was built from (verify built it): mirror mode reads Pulsar in a worker thread. */
  pulsarConnector?: PulsarConnector;
  admin?: PulsarAdmin;
  pairs: TopicPair[];
  /** Group mappings of this source → target (positions). */
  groups: GroupMapping[];
  config?: GatewayConfig;
  source?: string;
  /** Clients verify() built and must close. */
  owned: boolean;
}

export async function clusterPairs(options: VerifyOptions): Promise<ClusterPair[]> {
  const wanted = options.topics ? new Set(options.topics) : undefined;
  if (!options.config) {
    if (!options.kafka || !options.pulsar || !options.pairs) {
      throw new K2pError(
        'K2P_VERIFY_INPUT',
        'verify needs config files, or kafka + pulsar clients and topic pairs',
        { expected: 'config, or kafka + pulsar + pairs' },
      );
    }
    const pairs = options.pairs.filter((p) => !wanted || wanted.has(p.kafkaTopic));
    return [
      {
        name: 'given',
        kafka: options.kafka,
        ...(options.kafkaConnector ? { kafkaConnector: options.kafkaConnector } : {}),
        pulsar: options.pulsar,
        admin: options.pulsarAdmin,
        pairs,
        groups: [],
        owned: false,
      },
    ];
  }
  const config = Array.isArray(options.config)
    ? loadConfig([...(options.config as string[])])
    : (options.config as GatewayConfig);
  const out: ClusterPair[] = [];
  for (const made of mirrorPairs(config)) {
    const kafka = options.kafka ?? made.kafka;
    // With the caller's own client, only the connector the caller names (if any) says where it reaches.
    const kafkaConnector = options.kafka ? options.kafkaConnector : made.source;
    const owned = !options.pulsar;
    const pulsar = options.pulsar ?? made.pulsar;
    if (!owned) await made.pulsar.close();
    const admin = options.pulsarAdmin ?? made.admin;
    const kafkaAdmin = new KafkajsAdmin(kafka, made.source.name);
    await kafkaAdmin.connect();
    const pairs: TopicPair[] = [];
    try {
      for (const name of await kafkaAdmin.listTopics()) {
        if (wanted && !wanted.has(name)) continue;
        const mapping = resolveTopic(config, made.source.name, name);
        if (!mapping || mapping.target !== made.target.name) continue;
        pairs.push({ kafkaTopic: name, pulsarTopic: targetTopic(mapping, name), schema: mapping.schema });
      }
    } finally {
      await kafkaAdmin.close();
    }
    const groups = config.mappings
      .filter((m) => m.source === made.source.name && m.target === made.target.name)
      .flatMap((m) => m.groups);
    out.push({
      name: `${made.source.name} → ${made.target.name}`,
      kafka,
      ...(kafkaConnector ? { kafkaConnector } : {}),
      pulsar,
      ...(owned ? { pulsarConnector: made.target } : {}),
      admin,
      pairs,
      groups,
      config,
      source: made.source.name,
      owned,
    });
  }
  if (out.every((c) => c.pairs.length === 0)) {
    await Promise.all(out.filter((c) => c.owned).map((c) => c.pulsar.close()));
    throw new K2pError('K2P_VERIFY_INPUT', 'the mappings select no existing Kafka topic: nothing to verify', {
      files: config.files,
    });
  }
  if (wanted) {
    const found = new Set(out.flatMap((c) => c.pairs.map((p) => p.kafkaTopic)));
    const unknown = [...wanted].filter((t) => !found.has(t));
    if (unknown.length > 0) {
      await Promise.all(out.filter((c) => c.owned).map((c) => c.pulsar.close()));
      throw new K2pError(
        'K2P_VERIFY_INPUT',
        `no mapping selects Kafka topic(s) ${unknown.join(', ')} (or they do not exist)`,
        { topics: unknown },
      );
    }
  }
  return out;
}
