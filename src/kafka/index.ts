// Kafka access behind small interfaces (kafkajs underneath). Knows nothing of Pulsar.
export { kafkaClient, checkKafkaTls, connectorSecrets, MIRROR_RETRY, type KafkaConnector, type KafkaClientOptions } from './client.js';
export { KafkajsAdmin, isInternalTopic, CARRIED_TOPIC_CONFIGS, type KafkaAdmin, type TopicConfig, type PartitionOffsets, type CommittedOffset, type GroupDescription, type GroupMember, type CarriedTopicConfig } from './admin.js';
export { registerKafkaCodecs, loadZstd } from './codecs/index.js';
export { scrub, type KafkaLogger } from './logger.js';
