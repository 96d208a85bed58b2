// The Kafka offset a mirrored Pulsar message stands for: its k2p.offset provenance property when present,
// else its sequence id (the mirror writes sequence id = Kafka offset).
import { K2pError } from '../errors.js';
import { PROVENANCE } from '../mirror/record-mapping.js';
import type { Message } from '../pulsar/client/index.js';

export function kafkaOffsetOf(message: Pick<Message, 'properties' | 'sequenceId' | 'topic' | 'id'>): bigint {
  const text = message.properties[PROVENANCE.offset];
  if (text === undefined) return message.sequenceId;
  if (!/^[0-9]+$/.test(text)) {
    throw new K2pError('K2P_OFF_UNTRANSLATABLE', `message ${message.id.toString()} on ${message.topic} has ${PROVENANCE.offset}="${text}", not a Kafka offset`, {
      topic: message.topic,
      messageId: message.id.toString(),
    });
  }
  return BigInt(text);
}
