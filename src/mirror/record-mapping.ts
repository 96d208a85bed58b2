// One Kafka record ⇄ one Pulsar message (docs/record-mapping.md). Pure functions, no I/O: the mirror
// uses toPulsarMessage, verification uses fromPulsarMessage to compare both sides.
import { isUtf8 } from 'node:buffer';
import { K2pError } from '../errors.js';
import type { Message, OutgoingMessage } from '../pulsar/client/index.js';
import { decodeHeaders, encodeHeaders, headerList, type HeaderEncoding, type HeadersInput, type KafkaHeader } from './headers.js';

export { headerList, headersObject, type KafkaHeader, type HeaderEncoding } from './headers.js';

/** Provenance properties: where in Kafka the record came from. */
export const PROVENANCE = { topic: 'k2p.topic', partition: 'k2p.partition', offset: 'k2p.offset' } as const;
/** The Kafka timestamp, when it cannot be a Pulsar event time (0 or negative: "no timestamp"). */
export const TIMESTAMP_PROPERTY = 'k2p.timestamp';

export interface RecordMappingOptions {
  /** Add k2p.topic / k2p.partition / k2p.offset. */
  provenance: boolean;
  /** 'lossless' (default in mappings): binary and null header values survive; 'utf8': values as text. */
  headerEncoding: HeaderEncoding;
  /** Keys that are not UTF-8: 'base64' (default; flagged base64 key) or 'dead-letter' (record rejected). */
  binaryKeys?: 'base64' | 'dead-letter';
}

/** A Kafka record as the Kafka client hands it over (kafkajs's field types). */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** ms since the epoch, as a decimal string (kafkajs); "-1" when the record has none. */
  timestamp: string;
  headers?: HeadersInput;
}

/** A Kafka record whose offset and timestamp are numbers already (the facade's): no text to check and convert. */
export interface NumericKafkaRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  /** ms since the epoch; 0 or negative: no timestamp. */
  timestamp: number;
  headers?: HeadersInput;
}

export interface Provenance {
  topic: string;
  partition: number;
  offset: string;
}

/** A Kafka record rebuilt from a Pulsar message. */
export interface MappedRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** Ordered as on the Kafka record (repeated names in their order). */
  headers: KafkaHeader[];
  timestamp: string;
  /** Present when the message carries the provenance properties. */
  provenance?: Provenance;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An optional minus, then one or more ASCII digits (a loop: a regular expression per field costs more). */
function isInteger(s: string): boolean {
  const n = s.length;
  let i = n > 0 && s.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i === n) return false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function checkInteger(s: string, what: string): void {
  if (!isInteger(s)) throw new K2pError('K2P_MIRROR_MAPPING', `${what} "${s}" is not an integer`, { [what]: s });
}

function decimal(s: string, what: string): bigint {
  checkInteger(s, what);
  return BigInt(s);
}

/** A Kafka timestamp as Pulsar event time: a positive safe integer, else undefined (it is kept in a property). */
function eventTimeOf(timestamp: string): number | undefined {
  checkInteger(timestamp, 'timestamp');
  // Up to 15 characters a Number is exact (and safe): no BigInt for every record's millisecond time.
  if (timestamp.length <= 15) {
    const t = Number(timestamp);
    return t > 0 ? t : undefined;
  }
  const t = BigInt(timestamp);
  return t > 0n && t <= MAX_SAFE ? Number(t) : undefined;
}

/** The Pulsar message for one Kafka record. Throws K2P_MIRROR_MAPPING when the record cannot be mapped. */
export function toPulsarMessage(record: KafkaRecord, options: RecordMappingOptions): OutgoingMessage {
  const offset = decimal(record.offset, 'offset');
  if (offset < 0n) throw new K2pError('K2P_MIRROR_MAPPING', `offset ${record.offset} is negative`, { topic: record.topic, partition: record.partition });
  return messageOf(record, offset, record.offset, eventTimeOf(record.timestamp), record.timestamp, options);
}

/**
 * toPulsarMessage for a record whose offset and timestamp are numbers: the same message, without turning them
 * into text to check them and back (the facade holds numbers).
 */
export function numericToPulsarMessage(record: NumericKafkaRecord, options: RecordMappingOptions): OutgoingMessage {
  const { offset, timestamp } = record;
  if (offset < 0n) throw new K2pError('K2P_MIRROR_MAPPING', `offset ${offset} is negative`, { topic: record.topic, partition: record.partition });
  // An integer below 1e21 is what String() writes as digits, i.e. what toPulsarMessage would accept as text.
  if (!Number.isInteger(timestamp) || Math.abs(timestamp) >= 1e21) checkInteger(String(timestamp), 'timestamp');
  const eventTime = timestamp > 0 && timestamp <= Number.MAX_SAFE_INTEGER ? timestamp : undefined;
  return messageOf(record, offset, offset.toString(), eventTime, eventTime === undefined ? String(timestamp) : '', options);
}

/** The message of a record whose offset and timestamp are checked: `timestampText` is kept when it is no event time. */
function messageOf(
  record: Pick<KafkaRecord, 'topic' | 'partition' | 'key' | 'value' | 'headers'>,
  offset: bigint,
  offsetText: string,
  eventTime: number | undefined,
  timestampText: string,
  options: RecordMappingOptions,
): OutgoingMessage {
  const properties: Record<string, string> = {};
  if (options.provenance) {
    properties[PROVENANCE.topic] = record.topic;
    properties[PROVENANCE.partition] = String(record.partition);
    properties[PROVENANCE.offset] = offsetText;
  }
  if (eventTime === undefined) properties[TIMESTAMP_PROPERTY] = timestampText;
  if (record.headers) encodeHeaders(headerList(record.headers), options.headerEncoding, properties);

  const msg: OutgoingMessage = { payload: record.value, sequenceId: offset, properties };
  if (eventTime !== undefined) msg.eventTime = eventTime;
  if (record.key !== null) {
    const utf8 = isUtf8(record.key);
    if (!utf8 && options.binaryKeys === 'dead-letter') {
      throw new K2pError('K2P_MIRROR_RECORD', `key of ${record.topic}[${record.partition}]@${offsetText} is not UTF-8 and the mapping sends binary keys to the dead-letter topic`, {
        topic: record.topic,
        partition: record.partition,
        offset: offsetText,
        expected: 'a UTF-8 key (keys.binary: dead-letter)',
      });
    }
    msg.key = utf8 ? record.key.toString('utf8') : record.key;
    msg.orderingKey = record.key;
  }
  return msg;
}

/**
 * A message toPulsarMessage built for a record at another offset, moved to `offset` in place (the facade
 * checks a record's mapping before its offset is known, and keeps the message it built).
 */
export function atOffset(msg: OutgoingMessage, offset: bigint, options: RecordMappingOptions): OutgoingMessage {
  msg.sequenceId = offset;
  if (options.provenance) msg.properties![PROVENANCE.offset] = offset.toString();
  return msg;
}

function provenanceOf(props: Record<string, string>): Provenance | undefined {
  const topic = props[PROVENANCE.topic];
  const partition = props[PROVENANCE.partition];
  const offset = props[PROVENANCE.offset];
  if (topic === undefined || partition === undefined || offset === undefined) return undefined;
  return { topic, partition: Number(decimal(partition, 'partition')), offset: decimal(offset, 'offset').toString() };
}

/** The Kafka record a Pulsar message written by toPulsarMessage stands for. */
export function fromPulsarMessage(msg: Pick<Message, 'keyBytes' | 'payload' | 'nullValue' | 'properties' | 'eventTime'>): MappedRecord {
  const props = msg.properties;
  const stored = props[TIMESTAMP_PROPERTY];
  const timestamp = stored !== undefined ? decimal(stored, 'timestamp').toString() : msg.eventTime !== undefined ? String(msg.eventTime) : '-1';
  const out: MappedRecord = {
    key: msg.keyBytes ?? null,
    value: msg.nullValue ? null : msg.payload,
    headers: decodeHeaders(props),
    timestamp,
  };
  const provenance = provenanceOf(props);
  if (provenance) out.provenance = provenance;
  return out;
}
