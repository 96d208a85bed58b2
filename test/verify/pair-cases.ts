// Pairs for the quick-comparison tests (same-pair, pulsar-entry-batch): what kafkajs hands over for a
// record, the message a consumer receives for what the producer sent, the full comparison's verdict, and one
// tampering of each field of a message.
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { fromPulsarMessage, headerList, headersObject, type KafkaRecord } from '../../src/mirror/record-mapping.js';
import { MessageId, type Message, type OutgoingMessage } from '../../src/pulsar/client/index.js';
import { compareFields } from '../../src/verify/fields.js';
import type { KafkaBatch } from '../../src/verify/records.js';
import { bytesComparator } from '../../src/verify/values.js';

export const MAPPING = { provenance: true, headerEncoding: 'lossless' as const };

/** What kafkajs hands over for a record (headers as an object: a repeated name becomes an array). */
export function kafkajsMessage(r: KafkaRecord): KafkaMessage {
  return {
    offset: r.offset,
    key: r.key,
    value: r.value,
    timestamp: r.timestamp,
    headers: headersObject(headerList(r.headers)),
    attributes: 0,
    size: 0,
  } as unknown as KafkaMessage;
}

/** The message a consumer of our client receives for what the producer sent. */
export function delivered(out: OutgoingMessage, seq: bigint): Message {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.properties ?? {})) properties[k] = v;
  const key =
    out.key === undefined
      ? undefined
      : typeof out.key === 'string'
        ? Buffer.from(out.key)
        : Buffer.from(out.key);
  return {
    topic: 'persistent://public/default/t-partition-0',
    id: new MessageId(1n, seq, 0, -1),
    key: key?.toString('base64'),
    keyBytes: key,
    properties,
    eventTime: out.eventTime,
    publishTime: 1,
    producerName: 'p',
    sequenceId: out.sequenceId ?? seq,
    payload: out.payload ? Buffer.from(out.payload) : Buffer.alloc(0),
    nullValue: out.payload === null,
    redeliveryCount: 0,
  };
}

/** The full comparison's verdict: no difference at all. */
export function identical(batch: KafkaBatch, i: number, msg: Message): boolean {
  let mapped;
  try {
    mapped = fromPulsarMessage(msg);
  } catch {
    return false; // unreadable
  }
  const diffs = compareFields(batch.record(i), mapped, 't', undefined, { value: bytesComparator });
  assert.ok(Array.isArray(diffs));
  return diffs.length === 0;
}


export const TAMPER: ((m: Message) => void)[] = [
  (m) => void (m.payload = Buffer.concat([m.payload, Buffer.from([1])])),
  (m) => {
    if (m.payload.length > 0) m.payload = Buffer.from(m.payload.map((b, j) => (j === 0 ? b ^ 1 : b)));
    else m.nullValue = !m.nullValue;
  },
  (m) => void (m.keyBytes = m.keyBytes ? Buffer.concat([m.keyBytes, Buffer.from('x')]) : Buffer.from('k')),
  (m) => void (m.eventTime = (m.eventTime ?? 0) + 1),
  (m) => void (m.eventTime = m.eventTime === undefined ? 1 : undefined),
  (m) => {
    const name = Object.keys(m.properties).find((k) => !k.startsWith('k2p.') || k.startsWith('k2p.h.'));
    if (name) m.properties[name] += 'x';
    else m.properties.extra = 'x';
  },
  (m) => {
    const name = Object.keys(m.properties).find((k) => !k.startsWith('k2p.') || k.startsWith('k2p.h.'));
    if (name) delete m.properties[name];
    else m.properties['k2p.h.0.s.x'] = '';
  },
  (m) => {
    // the same properties, headers in reverse order
    const entries = Object.entries(m.properties);
    for (const [k] of entries) delete m.properties[k];
    for (const [k, v] of entries.reverse()) m.properties[k] = v;
  },
  (m) => void (m.properties['k2p.timestamp'] = String(m.eventTime ?? 5)),
];
