// Layer 1, no broker: a Kafka batch packed for the comparison unpacks to the records it was packed from,
// and the quick comparison (samePair) never calls a pair identical that the full one (fromPulsarMessage +
// compareFields) finds different — over seeded random records (binary, null, repeated and reserved
// headers, odd keys and timestamps) and one tampering of each field. It also answers for the usual records
// (or the quick path would be dead weight).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import {
  fromPulsarMessage,
  headerList,
  headersObject,
  toPulsarMessage,
  type KafkaRecord,
} from '../../src/mirror/record-mapping.js';
import { MessageId, type Message, type OutgoingMessage } from '../../src/pulsar/client/index.js';
import { compareFields } from '../../src/verify/fields.js';
import { KafkaBatch, PulsarSide } from '../../src/verify/records.js';
import { samePair } from '../../src/verify/same-pair.js';
import { bytesComparator } from '../../src/verify/values.js';
import { randomCase, rng } from '../mirror/record-mapping-cases.js';

const MAPPING = { provenance: true, headerEncoding: 'lossless' as const };

/** What kafkajs hands over for a record (headers as an object: a repeated name becomes an array). */
function kafkajsMessage(r: KafkaRecord): KafkaMessage {
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
function delivered(out: OutgoingMessage, seq: bigint): Message {
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
function identical(batch: KafkaBatch, i: number, msg: Message): boolean {
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

const TAMPER: ((m: Message) => void)[] = [
  (m) => void (m.payload = Buffer.concat([m.payload, Buffer.from([1])])),
  (m) => {
    if (m.payload.length > 0) m.payload = Buffer.from(m.payload.map((b, j) => (j === 0 ? b ^ 1 : b)));
    else m.nullValue = !m.nullValue;
  },
  (m) => void (m.keyBytes = m.keyBytes ? Buffer.concat([m.keyBytes, Buffer.from('x')]) : Buffer.from('k')),
  (m) => void (m.eventTime = (m.eventTime ?? 0) + 1),
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

test('packed Kafka batches unpack to the records they were packed from', () => {
  const r = rng(7);
  const cases = Array.from({ length: 400 }, (_, i) => randomCase(r, i).record);
  const batch = KafkaBatch.pack(
    't',
    3,
    cases.map(kafkajsMessage),
    cases.map((_, i) => i * 10),
  );
  assert.equal(batch.count, cases.length);
  cases.forEach((c, i) => {
    const got = batch.record(i);
    assert.equal(got.offset, i * 10);
    assert.equal(got.topic, 't');
    assert.equal(got.partition, 3);
    assert.deepEqual(got.key, c.key);
    assert.deepEqual(got.value, c.value);
    assert.equal(got.timestamp, c.timestamp);
    assert.deepEqual(got.headers, headerList(headersObject(headerList(c.headers))));
  });
  assert.equal(KafkaBatch.pack('t', 0, [], []).count, 0);
});

test('the quick comparison never calls a differing pair identical, and answers for ordinary records', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = rng(seed);
    const records = Array.from({ length: 300 }, (_, i) => {
      const rec = randomCase(r, i).record;
      return { ...rec, headers: headersObject(headerList(rec.headers)) };
    });
    const batch = KafkaBatch.pack(
      't',
      0,
      records.map(kafkajsMessage),
      records.map((_, i) => i),
    );
    records.forEach((rec, i) => {
      const faithful = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
      assert.equal(identical(batch, i, faithful), true, `seed ${seed} record ${i}: the mapping round trip`);
      if (samePair(batch, i, new PulsarSide(faithful)))
        assert.ok(identical(batch, i, faithful), `seed ${seed} record ${i}`);
      TAMPER.forEach((tamper, t) => {
        const m = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
        tamper(m);
        if (samePair(batch, i, new PulsarSide(m)))
          assert.ok(
            identical(batch, i, m),
            `seed ${seed} record ${i} tampering #${t}: quick says identical, full does not`,
          );
      });
    });
  }
  // Ordinary records (ASCII headers, a binary one, a null one, a positive timestamp) take the quick path.
  const usual: KafkaRecord[] = Array.from({ length: 50 }, (_, i) => ({
    topic: 'orders',
    partition: 0,
    offset: String(i),
    key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 9 === 0 ? null : Buffer.from(`value ${i}`),
    timestamp: String(1_700_000_000_000 + i),
    headers: {
      trace: Buffer.from(`t${i}`),
      bin: Buffer.from([i, 0, 255]),
      gone: null,
      rep: [Buffer.from('a'), Buffer.from('b')],
    },
  }));
  const batch = KafkaBatch.pack(
    'orders',
    0,
    usual.map(kafkajsMessage),
    usual.map((_, i) => i),
  );
  usual.forEach((rec, i) => {
    const m = delivered(toPulsarMessage(rec, MAPPING), BigInt(i));
    assert.equal(samePair(batch, i, new PulsarSide(m)), true, `usual record ${i}`);
  });
});
