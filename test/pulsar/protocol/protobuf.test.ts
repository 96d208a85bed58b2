import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProtoReader,
  ProtoWriter,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
} from '../../../src/pulsar/protocol/protobuf.js';
import { decodeMessage, encodeMessage } from '../../../src/pulsar/protocol/codec.js';
import { MessageIdDataSpec } from '../../../src/pulsar/protocol/messages.js';
import { isK2pError } from '../../../src/errors.js';

const hex = (b: Buffer) => b.toString('hex');

test('varint32 and 64-bit varints encode to the protobuf bytes', () => {
  const cases: [bigint, string][] = [
    [0n, '00'],
    [1n, '01'],
    [127n, '7f'],
    [128n, '8001'],
    [300n, 'ac02'],
    [0xffffffffn, 'ffffffff0f'],
    [2n ** 32n, '8080808010'],
    [2n ** 40n, '808080808020'],
    [2n ** 63n, '80808080808080808001'],
    [2n ** 64n - 1n, 'ffffffffffffffffff01'],
  ];
  for (const [v, want] of cases) {
    const w = new ProtoWriter(1);
    w.uint64(v);
    assert.equal(hex(w.finish()), want, `encode ${v}`);
    const r = new ProtoReader(Buffer.from(want, 'hex'));
    assert.equal(r.uint64(), v, `decode ${v}`);
    assert.equal(r.pos, want.length / 2);
  }
});

test('int64 -1 and int32 -1 are ten-byte sign-extended varints', () => {
  const w = new ProtoWriter();
  w.uint64(-1n);
  w.int32(-1);
  assert.equal(hex(w.finish()), 'ffffffffffffffffff01'.repeat(2));
  const r = new ProtoReader(w.finish());
  assert.equal(r.int64(), -1n);
  assert.equal(r.int32(), -1);
});

test('uint64 as number is exact for millisecond timestamps and above 2^32', () => {
  for (const v of [0, 1, 1700000000000, 2 ** 32, 2 ** 53 - 1]) {
    const w = new ProtoWriter(2);
    w.uint64n(v);
    assert.equal(new ProtoReader(w.finish()).uint64n(), v);
  }
  const w = new ProtoWriter();
  w.uint64n(1700000000000);
  assert.equal(hex(w.finish()), '80d095ffbc31');
});

test('fork/join widens the length prefix when a nested message exceeds 127 bytes', () => {
  for (const size of [0, 1, 127, 128, 16383, 16384, 300000]) {
    const w = new ProtoWriter(4);
    w.fork(3);
    w.raw(Buffer.alloc(size, 7));
    w.join();
    w.tag(4, WIRE_VARINT);
    w.varint32(9);
    const r = new ProtoReader(w.finish());
    assert.equal(r.uint32(), (3 << 3) | WIRE_LEN);
    const body = r.bytes();
    assert.equal(body.length, size);
    assert.ok(body.every((b) => b === 7));
    assert.equal(r.uint32(), (4 << 3) | WIRE_VARINT);
    assert.equal(r.uint32(), 9);
  }
});

test('strings are UTF-8 with a byte-length prefix', () => {
  const w = new ProtoWriter(1);
  w.string('ключ😀');
  const b = w.finish();
  assert.equal(b[0], Buffer.byteLength('ключ😀'));
  assert.equal(new ProtoReader(b).string(), 'ключ😀');
});

test('every string is written as its UTF-8 bytes after a varint length, short ASCII ones included', () => {
  const ascii = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(32 + (i % 95))).join('');
  const cases = ['', 'k', 'k2p.offset', '\u007f', ascii(63), ascii(64), ascii(200), 'é', `${ascii(30)}é`, `${ascii(62)}€`, `a\ud800b`, '\u0000x'];
  // A writer with used bytes and one byte of room: the fast path must grow the buffer and keep what is there.
  const w = new ProtoWriter(1);
  w.bool(true);
  const expected: Buffer[] = [Buffer.from([1])];
  for (const s of cases) {
    w.string(s);
    const bytes = Buffer.from(s, 'utf8');
    const len = new ProtoWriter(5);
    len.varint32(bytes.length);
    expected.push(len.finish(), bytes);
  }
  assert.equal(hex(w.finish()), hex(Buffer.concat(expected)));
});

test('unknown fields of every wire type are skipped', () => {
  // MessageIdData{ledgerId=1, [99: fixed64], entryId=2, [98: fixed32], [97: bytes], [96: varint]}
  const w = new ProtoWriter();
  w.tag(1, WIRE_VARINT);
  w.varint32(1);
  w.tag(99, WIRE_FIXED64);
  w.raw(Buffer.alloc(8, 0xff));
  w.tag(2, WIRE_VARINT);
  w.varint32(2);
  w.tag(98, WIRE_FIXED32);
  w.raw(Buffer.alloc(4, 0xff));
  w.tag(97, WIRE_LEN);
  w.bytes(Buffer.from('ignored'));
  w.tag(96, WIRE_VARINT);
  w.uint64(2n ** 63n);
  const id = decodeMessage(MessageIdDataSpec, w.finish());
  assert.deepEqual(id, { ledgerId: 1n, entryId: 2n, partition: -1, batchIndex: -1 });
});

test('truncated input and missing required fields are K2P_PLS_DECODE', () => {
  const good = encodeMessage(MessageIdDataSpec, { ledgerId: 300n, entryId: 5n });
  for (let cut = 1; cut < good.length; cut++) {
    assert.throws(
      () => decodeMessage(MessageIdDataSpec, good.subarray(0, cut)),
      (e: unknown) => isK2pError(e, 'K2P_PLS_DECODE'),
      `cut at ${cut}`,
    );
  }
  assert.throws(
    () => new ProtoReader(Buffer.from('ff'.repeat(11), 'hex')).uint64(),
    (e: unknown) => isK2pError(e, 'K2P_PLS_DECODE'),
  );
  // length prefix larger than the message
  assert.throws(
    () => new ProtoReader(Buffer.from('0a05616263', 'hex'), 1).bytes(),
    (e: unknown) => isK2pError(e, 'K2P_PLS_DECODE'),
  );
});

test('packed repeated int64 (ack_set) is accepted on decode', () => {
  // field 5, LEN, [3, 300]
  const buf = Buffer.from('0801' + '1002' + '2a03' + '03ac02', 'hex');
  assert.deepEqual(decodeMessage(MessageIdDataSpec, buf).ackSet, [3n, 300n]);
});

test('encoding without a required field is K2P_PLS_ENCODE', () => {
  assert.throws(
    () => encodeMessage(MessageIdDataSpec, { ledgerId: 1n } as never),
    (e: unknown) => isK2pError(e, 'K2P_PLS_ENCODE'),
  );
});
