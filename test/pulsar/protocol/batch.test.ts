import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch, encodeBatch, type BatchMessageInput } from '../../../src/pulsar/protocol/batch.js';
import { keyBytes, keyFields } from '../../../src/pulsar/protocol/keys.js';
import { encodeMessage } from '../../../src/pulsar/protocol/codec.js';
import { SingleMessageMetadataSpec } from '../../../src/pulsar/protocol/messages.js';
import { isK2pError } from '../../../src/errors.js';

const binaryKey = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);

const MESSAGES: BatchMessageInput[] = [
  {
    metadata: {
      ...keyFields('order-1'),
      properties: [{ key: 'kafka.offset', value: '41' }],
      eventTime: 1700000000001,
      sequenceId: 41n,
    },
    payload: Buffer.from('{"id":1}'),
  },
  { metadata: { ...keyFields(binaryKey), sequenceId: 42n }, payload: Buffer.from([1, 2, 3]) },
  { metadata: { ...keyFields('order-1'), sequenceId: 43n }, payload: null }, // tombstone
  {
    metadata: { ...keyFields(null), orderingKey: Buffer.from('ok'), sequenceId: 44n },
    payload: Buffer.alloc(0),
  },
  { payload: Buffer.alloc(5000, 0x5a) },
];

test('batch round trip keeps keys, binary keys, null values, properties and event times', () => {
  const bytes = encodeBatch(MESSAGES);
  const entries = decodeBatch(bytes, MESSAGES.length);
  assert.equal(entries.length, 5);
  assert.deepEqual(
    entries.map((e) => e.index),
    [0, 1, 2, 3, 4],
  );
  assert.equal(entries[0]!.metadata.partitionKey, 'order-1');
  assert.deepEqual(entries[0]!.metadata.properties, [{ key: 'kafka.offset', value: '41' }]);
  assert.equal(entries[0]!.metadata.eventTime, 1700000000001);
  assert.equal(entries[0]!.payload?.toString(), '{"id":1}');
  assert.equal(entries[1]!.metadata.partitionKeyB64Encoded, true);
  assert.deepEqual(keyBytes(entries[1]!.metadata), binaryKey);
  assert.equal(entries[2]!.payload, null);
  assert.equal(entries[2]!.metadata.nullValue, true);
  assert.equal(entries[2]!.metadata.payloadSize, 0);
  assert.equal(entries[3]!.metadata.nullPartitionKey, true);
  assert.equal(keyBytes(entries[3]!.metadata), null);
  assert.deepEqual(entries[3]!.payload, Buffer.alloc(0));
  assert.deepEqual(entries[3]!.metadata.orderingKey, Buffer.from('ok'));
  assert.deepEqual(entries[4]!.payload, Buffer.alloc(5000, 0x5a));
  assert.deepEqual(
    entries.map((e) => e.metadata.sequenceId),
    [41n, 42n, 43n, 44n, undefined],
  );
  // exactly sized: 4-byte prefix + metadata + payload per entry, nothing else
  const exact = entries.reduce(
    (n, e) => n + 4 + encodeMessage(SingleMessageMetadataSpec, e.metadata).length + e.metadata.payloadSize,
    0,
  );
  assert.equal(bytes.length, exact);
});

test('batch layout is [4-byte size][SingleMessageMetadata][payload], hand-checked', () => {
  const bytes = encodeBatch([
    { metadata: { partitionKey: 'k' }, payload: Buffer.from('ab') },
    { payload: null },
  ]);
  // entry 0: meta = 12 01 6b (key) 18 02 (payload_size=2) → 5 bytes; entry 1: 18 00 48 01 (size 0, null_value)
  assert.equal(bytes.toString('hex'), '00000005' + '12016b1802' + '6162' + '00000004' + '18004801');
});

test('compacted_out entries are skipped by default but keep their batch index', () => {
  const bytes = encodeBatch([
    { metadata: { partitionKey: 'a', compactedOut: true }, payload: Buffer.from('old') },
    { metadata: { partitionKey: 'b' }, payload: Buffer.from('new') },
  ]);
  const entries = decodeBatch(bytes, 2);
  assert.deepEqual(
    entries.map((e) => [e.index, e.payload?.toString()]),
    [[1, 'new']],
  );
  assert.equal(decodeBatch(bytes, 2, { skipCompactedOut: false }).length, 2);
});

test('corrupt batches are K2P_PLS_DECODE', () => {
  const bytes = encodeBatch(MESSAGES);
  const isDecode = (e: unknown) => isK2pError(e, 'K2P_PLS_DECODE');
  assert.throws(() => decodeBatch(bytes, MESSAGES.length + 1), isDecode); // claims more entries
  assert.throws(() => decodeBatch(bytes, MESSAGES.length - 1), isDecode); // bytes left over
  assert.throws(() => decodeBatch(bytes.subarray(0, bytes.length - 1), MESSAGES.length), isDecode);
  const lie = Buffer.from(bytes);
  lie.writeUInt32BE(0x7fffffff, 0);
  assert.throws(() => decodeBatch(lie, MESSAGES.length), isDecode);
});

test('keyFields/keyBytes: string keys stay strings, bytes go through base64', () => {
  assert.deepEqual(keyFields('k'), { partitionKey: 'k' });
  assert.deepEqual(keyFields(Buffer.from([0xff])), { partitionKey: '/w==', partitionKeyB64Encoded: true });
  assert.deepEqual(keyFields(undefined), {});
  assert.deepEqual(keyBytes({ partitionKey: 'ключ' }), Buffer.from('ключ'));
});
