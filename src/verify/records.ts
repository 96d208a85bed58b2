// The two sides as the comparison sees them: a Kafka record (from kafkajs) and a Pulsar message turned back
// into the Kafka record it stands for (fromPulsarMessage, docs/record-mapping.md).
import type { KafkaMessage } from 'kafkajs';
import {
  fromPulsarMessage,
  headerList,
  type KafkaHeader,
  type MappedRecord,
} from '../mirror/record-mapping.js';
import type { Message } from '../pulsar/client/index.js';

export interface KafkaSide {
  topic: string;
  partition: number;
  /** A number: Kafka offsets stay far below 2^53, and a BigInt per record costs. */
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeader[];
  /** ms since the epoch as a decimal string; "-1" when none. */
  timestamp: string;
}

export interface PulsarSide {
  /** The partition topic read. */
  topic: string;
  message: Message;
  /** The Kafka record it stands for, or why it cannot be read back. */
  mapped: MappedRecord | Error;
}

export function kafkaSide(
  topic: string,
  partition: number,
  m: KafkaMessage,
  offset = Number(m.offset),
): KafkaSide {
  return {
    topic,
    partition,
    offset,
    key: m.key ?? null,
    value: m.value ?? null,
    headers: headerList(m.headers ?? {}),
    timestamp: m.timestamp,
  };
}

export function pulsarSide(message: Message): PulsarSide {
  let mapped: MappedRecord | Error;
  try {
    mapped = fromPulsarMessage(message);
  } catch (err) {
    mapped = err as Error;
  }
  return { topic: message.topic, message, mapped };
}

/** The Kafka offset a mirrored message stands for: its provenance, else its sequence id (= offset). */
export function offsetOf(p: PulsarSide): number {
  if (!(p.mapped instanceof Error) && p.mapped.provenance) return Number(p.mapped.provenance.offset);
  return Number(p.message.sequenceId);
}
