// Which Kafka reader a topic gets: a worker thread when verify built the Kafka client from a connector (the
// worker builds its own from the same connector), else the caller's client in this thread.
import {
  KafkaTopicReader,
  type KafkaReadPlan,
  type KafkaSource,
  type KafkaTopicReaderOptions,
} from './kafka-source.js';
import { KafkaThreadReader } from './kafka-thread.js';
import type { ClusterPair } from './targets.js';

export function kafkaReader(
  cluster: ClusterPair,
  topic: string,
  partitionCount: number,
  plans: KafkaReadPlan[],
  options: KafkaTopicReaderOptions & { thread?: boolean },
): KafkaSource {
  const { thread, ...readerOptions } = options;
  const c = cluster.kafkaConnector;
  if (c && thread !== false) {
    const connector = { ...c, brokers: [...c.brokers], sasl: c.sasl ? { ...c.sasl } : undefined };
    return new KafkaThreadReader(connector, topic, partitionCount, plans, readerOptions);
  }
  return new KafkaTopicReader(cluster.kafka, topic, partitionCount, plans, readerOptions);
}
