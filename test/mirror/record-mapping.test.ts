// Record mapping with no broker: the documented examples, then 5,000 random records (binary keys, values
// and headers, repeated and colliding names, unicode, empty strings, null key, null value) that must come
// back exactly through toPulsarMessage → fromPulsarMessage. The Pulsar round trip is in
// record-mapping-pulsar.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../src/errors.js';
import type { Message, OutgoingMessage } from '../../src/pulsar/client/index.js';
import { fromPulsarMessage, headerList, numericToPulsarMessage, toPulsarMessage, type RecordMappingOptions } from '../../src/mirror/record-mapping.js';
import { randomCase, rng } from './record-mapping-cases.js';

const lossless: RecordMappingOptions = { provenance: true, headerEncoding: 'lossless' };

/** What a Pulsar consumer would see of an outgoing message (the fields fromPulsarMessage reads). */
function asReceived(out: OutgoingMessage): Pick<Message, 'keyBytes' | 'payload' | 'nullValue' | 'properties' | 'eventTime'> {
  const key = out.key === undefined ? undefined : typeof out.key === 'string' ? Buffer.from(out.key, 'utf8') : Buffer.from(out.key);
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.properties ?? {})) properties[k] = v; // as the client decodes them
  return { keyBytes: key, payload: out.payload ? Buffer.from(out.payload) : Buffer.alloc(0), nullValue: out.payload === null, properties, eventTime: out.eventTime || undefined };
}

test('the documented example', () => {
  const msg = toPulsarMessage(
    {
      topic: 'orders',
      partition: 3,
      offset: '1042',
      key: Buffer.from('customer-7'),
      value: Buffer.from('{"total":12}'),
      timestamp: '1718000000000',
      headers: [
        { key: 'content-type', value: Buffer.from('application/json') },
        { key: 'trace', value: Buffer.from('a') },
        { key: 'trace', value: Buffer.from('b') },
        { key: 'sig', value: Buffer.from([0xff, 0x00, 0x10]) },
        { key: 'k2p.topic', value: Buffer.from('spoofed') },
        { key: 'empty', value: null },
      ],
    },
    lossless,
  );
  assert.deepEqual(msg, {
    payload: Buffer.from('{"total":12}'),
    sequenceId: 1042n,
    eventTime: 1718000000000,
    key: 'customer-7',
    orderingKey: Buffer.from('customer-7'),
    properties: {
      'k2p.topic': 'orders',
      'k2p.partition': '3',
      'k2p.offset': '1042',
      'content-type': 'application/json',
      'k2p.h.1.s.trace': 'a',
      trace: 'b',
      'k2p.h.3.b.sig': '/wAQ',
      'k2p.h.4.s.k2p.topic': 'spoofed',
      'k2p.h.5.n.empty': '',
    },
  });
  const back = fromPulsarMessage(asReceived(msg));
  assert.deepEqual(back.provenance, { topic: 'orders', partition: 3, offset: '1042' });
  assert.deepEqual(back.headers.map((h) => [h.key, h.value?.toString('hex') ?? null]), [
    ['content-type', Buffer.from('application/json').toString('hex')],
    ['trace', '61'],
    ['trace', '62'],
    ['sig', 'ff0010'],
    ['k2p.topic', Buffer.from('spoofed').toString('hex')],
    ['empty', null],
  ]);
});

test('keys: UTF-8 as a string, binary as bytes, null as none; tombstones; timestamps that are not event times', () => {
  const base = { topic: 't', partition: 0, offset: '0', value: Buffer.from('v'), timestamp: '5', headers: {} };
  assert.equal(toPulsarMessage({ ...base, key: Buffer.from('ключ') }, lossless).key, 'ключ');
  const bin = toPulsarMessage({ ...base, key: Buffer.from([0xc3, 0x28]) }, lossless);
  assert.ok(Buffer.isBuffer(bin.key));
  assert.deepEqual(bin.orderingKey, Buffer.from([0xc3, 0x28]));
  const none = toPulsarMessage({ ...base, key: null }, lossless);
  assert.equal(none.key, undefined);
  assert.equal(none.orderingKey, undefined);
  const tomb = toPulsarMessage({ ...base, key: Buffer.from('k'), value: null }, lossless);
  assert.equal(tomb.payload, null);
  assert.equal(fromPulsarMessage(asReceived(tomb)).value, null);
  const noTs = toPulsarMessage({ ...base, key: null, timestamp: '-1' }, { provenance: false, headerEncoding: 'lossless' });
  assert.equal(noTs.eventTime, undefined);
  assert.deepEqual(noTs.properties, { 'k2p.timestamp': '-1' });
  assert.equal(fromPulsarMessage(asReceived(noTs)).timestamp, '-1');
  assert.equal(fromPulsarMessage(asReceived(noTs)).provenance, undefined);
  assert.equal(toPulsarMessage({ ...base, key: null, offset: '9007199254740993' }, lossless).sequenceId, 9007199254740993n);
  assert.throws(() => toPulsarMessage({ ...base, key: null, offset: 'x' }, lossless), (e) => isK2pError(e, 'K2P_MIRROR_MAPPING'));
});

test("headerEncoding 'utf8': every value is text (lossy for binary and null), structure kept", () => {
  const msg = toPulsarMessage(
    { topic: 't', partition: 0, offset: '1', key: null, value: null, timestamp: '1', headers: { a: Buffer.from([0xff]), b: [Buffer.from('x'), Buffer.from('y')], c: null } },
    { provenance: false, headerEncoding: 'utf8' },
  );
  assert.deepEqual(msg.properties, { a: '\uFFFD', 'k2p.h.1.s.b': 'x', b: 'y', 'k2p.h.3.s.c': '' });
});

test('5,000 random records round-trip exactly (lossless)', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = rng(seed);
    for (let i = 0; i < 1000; i++) {
      const { record, headers } = randomCase(r, i);
      const where = `seed ${seed} case ${i}`;
      const out = toPulsarMessage(record, { provenance: i % 3 !== 0, headerEncoding: 'lossless' });
      assert.equal(out.sequenceId, BigInt(record.offset), where);
      const back = fromPulsarMessage(asReceived(out));
      assert.deepEqual(back.key, record.key, where);
      assert.deepEqual(back.value, record.value, where);
      assert.equal(back.timestamp, record.timestamp, where);
      assert.deepEqual(back.headers, headers, where);
      assert.deepEqual(headerList(record.headers), headers, where);
      if (i % 3 !== 0) assert.deepEqual(back.provenance, { topic: record.topic, partition: record.partition, offset: record.offset }, where);
      else assert.equal(back.provenance, undefined, where);
    }
  }
});

test('properties that break the encoding are refused with K2P_MIRROR_MAPPING', () => {
  const msg = (properties: Record<string, string>) => ({ keyBytes: undefined, payload: Buffer.alloc(0), nullValue: false, properties, eventTime: 1 });
  const bad: Record<string, string>[] = [{ 'k2p.h.x.s.a': '' }, { 'k2p.h.0.q.a': '' }, { 'k2p.h.0.b.a': '***' }, { 'k2p.h.5.s.a': 'x' }, { 'k2p.h.01.s.a': 'x' }];
  for (const properties of bad) {
    assert.throws(() => fromPulsarMessage(msg(properties)), (e) => isK2pError(e, 'K2P_MIRROR_MAPPING'), JSON.stringify(properties));
  }
  // Foreign properties (a message not written by the gateway) are plain headers.
  assert.deepEqual(fromPulsarMessage(msg({ a: '1' })).headers, [{ key: 'a', value: Buffer.from('1') }]);
});

test('event time: positive timestamps up to the largest safe integer; others stay in k2p.timestamp', () => {
  const base = { topic: 't', partition: 0, offset: '0', key: null, value: Buffer.from('v'), headers: {} };
  const options = { provenance: false, headerEncoding: 'lossless' } as const;
  const cases: [string, number | undefined][] = [
    ['1', 1],
    ['0', undefined],
    ['-0', undefined],
    ['-5', undefined],
    ['000000000000042', 42],
    ['999999999999999', 999999999999999],
    ['1000000000000000', 1000000000000000],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
    [String(BigInt(Number.MAX_SAFE_INTEGER) + 1n), undefined],
    ['-9999999999999999999', undefined],
  ];
  for (const [timestamp, eventTime] of cases) {
    const msg = toPulsarMessage({ ...base, timestamp }, options);
    assert.equal(msg.eventTime, eventTime, timestamp);
    assert.deepEqual(msg.properties, eventTime === undefined ? { 'k2p.timestamp': timestamp } : {}, timestamp);
  }
  assert.throws(() => toPulsarMessage({ ...base, timestamp: '12a' }, options), (err: Error) => err.message.endsWith('timestamp "12a" is not an integer'));
});

test('offsets and timestamps must be an optional minus and ASCII digits, nothing else', () => {
  const base = { topic: 't', partition: 0, offset: '0', key: null, value: Buffer.from('v'), timestamp: '1', headers: {} };
  const options = { provenance: false, headerEncoding: 'lossless' } as const;
  for (const bad of ['', '-', '--1', '+1', ' 1', '1 ', '1.0', '1e3', '0x1', '١', '１', '1-', '/', ':']) {
    assert.throws(() => toPulsarMessage({ ...base, timestamp: bad }, options), (err: Error) => err.message.endsWith(`timestamp "${bad}" is not an integer`), JSON.stringify(bad));
    assert.throws(() => toPulsarMessage({ ...base, offset: bad }, options), (err: Error) => err.message.endsWith(`offset "${bad}" is not an integer`), JSON.stringify(bad));
  }
  for (const good of ['0', '-0', '09', '1234567890']) assert.doesNotThrow(() => toPulsarMessage({ ...base, timestamp: good, offset: good }, options), good);
});

test('numericToPulsarMessage gives what toPulsarMessage gives for the same offset and time as text, refusals included', () => {
  /** The outcome of a mapping: its message, or its error's code and message. */
  const outcome = (map: () => OutgoingMessage) => {
    try {
      return { message: map() };
    } catch (err) {
      assert.ok(isK2pError(err), String(err));
      return { code: err.code, text: err.message };
    }
  };
  const times = [1, 0, -0, -1, -5, 42, 1_700_000_000_123, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, 1e20, -1e20, 1e21, -1e21, 1.5, -0.5, NaN, Infinity, -Infinity];
  const r = rng(11);
  let mapped = 0;
  for (let i = 0; i < 2000; i++) {
    const { record } = randomCase(r, i);
    const timestamp = i < times.length * 4 ? times[i % times.length]! : Math.floor(r() * 4e12) - 1e12;
    const offset = i % 50 === 7 ? -BigInt(record.offset) - 1n : BigInt(record.offset);
    const options: RecordMappingOptions = { provenance: i % 3 !== 0, headerEncoding: i % 5 === 0 ? 'utf8' : 'lossless', binaryKeys: i % 4 === 0 ? 'dead-letter' : 'base64' };
    const numeric = outcome(() => numericToPulsarMessage({ ...record, offset, timestamp }, options));
    const text = outcome(() => toPulsarMessage({ ...record, offset: offset.toString(), timestamp: String(timestamp) }, options));
    assert.deepEqual(numeric, text, `case ${i}: offset ${offset}, timestamp ${timestamp}`);
    if ('message' in numeric) mapped++;
  }
  assert.ok(mapped > 1500, `most cases map (${mapped})`);
});
