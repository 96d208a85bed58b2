// The Confluent wire format, with no broker: header stripping, schema ids, Protobuf message indexes, and the
// precise errors for values that are not framed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../src/errors.js';
import { HEADER_BYTES, encodeMessageIndexes, frameHeader, isFramed, readFrame, readProtobufFrame } from '../../src/schema/index.js';

test('the 5-byte header: magic byte 0, big-endian schema id, body after it', () => {
  const body = Buffer.from([0x02, 0x61, 0x62]);
  const value = Buffer.concat([Buffer.from([0, 0x00, 0x01, 0x02, 0x03]), body]);
  const frame = readFrame(value);
  assert.equal(frame.schemaId, 0x010203);
  assert.equal(frame.bodyOffset, HEADER_BYTES);
  assert.deepEqual(value.subarray(frame.bodyOffset), body);
  // Ids above 2^31 stay positive (unsigned).
  assert.equal(readFrame(Buffer.concat([frameHeader(0xfffffffe), body])).schemaId, 0xfffffffe);
  assert.deepEqual(frameHeader(7), Buffer.from([0, 0, 0, 0, 7]));
  assert.ok(isFramed(value));
});

test('values that are not framed: too short, wrong magic byte, null', () => {
  assert.equal(isFramed(null), false);
  assert.equal(isFramed(Buffer.from([0, 0, 0, 1])), false);
  assert.equal(isFramed(Buffer.from('{"a":1}')), false);
  assert.throws(() => readFrame(Buffer.from([0, 0, 1])), (err) => isK2pError(err, 'K2P_SCH_FRAME') && /3 bytes is shorter than the 5-byte/.test(err.message));
  assert.throws(() => readFrame(Buffer.from('{"id": 1}')), (err) => isK2pError(err, 'K2P_SCH_FRAME') && /byte 0x7b, not the schema registry magic byte/.test(err.message));
});

test('Protobuf message indexes: [0] as one 0 byte, longer paths zig-zag encoded, body after them', () => {
  const body = Buffer.from([0x08, 0x96, 0x01]);
  const first = readProtobufFrame(Buffer.concat([frameHeader(5), Buffer.from([0]), body]));
  assert.deepEqual(first.messageIndexes, [0]);
  assert.equal(first.bodyOffset, 6);
  for (const path of [[1], [0, 2], [3, 0, 1], [200]]) {
    const encoded = encodeMessageIndexes(path);
    const frame = readProtobufFrame(Buffer.concat([frameHeader(5), encoded, body]));
    assert.deepEqual(frame.messageIndexes, path);
    assert.equal(frame.bodyOffset, 5 + encoded.length);
  }
  // Confluent's own bytes for [1]: count 1 → zigzag 2, index 1 → zigzag 2.
  assert.deepEqual(encodeMessageIndexes([1]), Buffer.from([2, 2]));
  assert.deepEqual(encodeMessageIndexes([200]), Buffer.from([2, 0x90, 0x03]));
});

test('truncated or absurd Protobuf message indexes are K2P_SCH_FRAME', () => {
  assert.throws(() => readProtobufFrame(frameHeader(5)), (err) => isK2pError(err, 'K2P_SCH_FRAME') && /truncated varint/.test(err.message));
  assert.throws(() => readProtobufFrame(Buffer.concat([frameHeader(5), Buffer.from([4, 2])])), (err) => isK2pError(err, 'K2P_SCH_FRAME'));
  assert.throws(() => readProtobufFrame(Buffer.concat([frameHeader(5), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])), (err) => isK2pError(err, 'K2P_SCH_FRAME'));
  assert.throws(() => readProtobufFrame(Buffer.concat([frameHeader(5), Buffer.from([2, 1])])), (err) => isK2pError(err, 'K2P_SCH_FRAME') && /negative/.test(err.message));
});
