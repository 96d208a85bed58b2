// Records the mirror cannot map go to a dead-letter topic instead of being dropped: the original key, value,
// headers and timestamp (the record mapping, provenance always on) plus the reason. One producer per source
// partition with sequence id = Kafka offset, so a dead letter written again after a crash is stored once.
import type { K2pError } from '../errors.js';
import type { OutgoingMessage } from '../pulsar/client/index.js';
import { PROVENANCE, toPulsarMessage, type KafkaRecord, type RecordMappingOptions } from './record-mapping.js';

/** Properties a dead letter carries on top of the record mapping. */
export const DEAD_LETTER_PROPERTIES = { code: 'k2p.dlq.code', reason: 'k2p.dlq.reason' } as const;

export function deadLetterMessage(record: KafkaRecord, error: K2pError, mapping: RecordMappingOptions): OutgoingMessage {
  let message: OutgoingMessage;
  try {
    // A binary key must not reject its own dead letter: it is kept as a flagged base64 key, so the dead letter
    // still carries the headers and the timestamp.
    message = toPulsarMessage(record, { ...mapping, provenance: true, binaryKeys: 'base64' });
  } catch {
    // The record defeats even the plain mapping: keep its bytes and where it came from.
    message = {
      payload: record.value,
      key: record.key ?? undefined,
      properties: { [PROVENANCE.topic]: record.topic, [PROVENANCE.partition]: String(record.partition), [PROVENANCE.offset]: record.offset },
    };
    if (/^[0-9]+$/.test(record.offset)) message.sequenceId = BigInt(record.offset);
  }
  message.properties = { ...message.properties, [DEAD_LETTER_PROPERTIES.code]: error.code, [DEAD_LETTER_PROPERTIES.reason]: error.message };
  return message;
}

/** The producer name of a source partition's dead letters (stable: deduplication state survives restarts). */
export function deadLetterProducerName(topic: string, partition: number): string {
  return `k2p-dlq-${topic}-${partition}`;
}
