// Which Kafka reader a topic gets. With a connector: our fetch client (KafkaFetchReader), in a worker thread
// unless `thread` is false. Without one (only the caller's kafkajs client): KafkaTopicReader in this thread.
import {
  KafkaTopicReader,
  type KafkaReadPlan,
  type KafkaSource,
  type KafkaTopicReaderOptions,
} from './kafka-source.js';
import { KafkaFetchReader } from './kafka-fetch-source.js';
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
  if (c) {
    const connector = { ...c, brokers: [...c.brokers], sasl: c.sasl ? { ...c.sasl } : undefined };
    if (thread === false) return new KafkaFetchReader(connector, topic, partitionCount, plans, readerOptions);
    return new KafkaThreadReader(connector, topic, partitionCount, plans, readerOptions);
  }
  return new KafkaTopicReader(cluster.kafka, topic, partitionCount, plans, readerOptions);
}
