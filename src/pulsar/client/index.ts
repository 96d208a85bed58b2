// The project's own Pulsar client (binary protocol, no native addon).
export { PulsarClient, type PulsarClientOptions } from './client.js';
export { tokenAuth, type Authentication } from './auth.js';
export { MessageId } from './message-id.js';
export type { Message, OutgoingMessage } from './message.js';
export { Producer, type ProducerOptions } from './producer.js';
export { Consumer, type ConsumerOptions, type SubscriptionType } from './consumer.js';
export { Reader, type ReaderOptions } from './reader.js';
export type { SubscriptionStart } from './subscription-placer.js';
export { parseTopicName, partitionTopic, type TopicName } from './topic-name.js';
export type { ClientLogger } from './context.js';
export { batchSizeOf, entryMessages, isDelivered, keyOf, scanEntry, schemaVersionOf, sequenceIdOf, type EntryMessage, type RawEntry } from './raw-entry.js';
export { BatchCursor } from '../protocol/batch-cursor.js';
