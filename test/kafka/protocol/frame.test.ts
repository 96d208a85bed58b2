// Kafka framing without a broker: requests carry size, api key, version, correlation id and client id; a
// byte stream cut anywhere is split into whole responses; a size no response can have is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../../src/errors.js';
import { encodeRequest, FrameSplitter, MAX_RESPONSE_BYTES } from '../../../src/kafka/protocol/frame.js';
import { WireReader } from '../../../src/kafka/protocol/wire.js';

test('a request: size, then header v1 (api key, version, correlation id, client id), then the body', () => {
  const frame = encodeRequest(1, 11, 7, 'k2p', (w) => w.int32(42).string('t'));
  const r = new WireReader(frame);
  assert.equal(r.int32(), frame.length - 4);
  assert.deepEqual([r.int16(), r.int16(), r.int32(), r.string(), r.int32(), r.string()], [1, 11, 7, 'k2p', 42, 't']);
  assert.equal(r.pos, frame.length);
});

function response(correlationId: number, body: Buffer): Buffer {
  const out = Buffer.alloc(8 + body.length);
  out.writeInt32BE(4 + body.length, 0);
  out.writeInt32BE(correlationId, 4);
  body.copy(out, 8);
  return out;
}

test('responses cut at every byte, or several in one chunk, come out whole and in order', () => {
  const stream = Buffer.concat([response(1, Buffer.from('first')), response(2, Buffer.alloc(3000, 7)), response(3, Buffer.alloc(0))]);
  for (const step of [1, 2, 3, 5, 64, 1000, stream.length]) {
    const splitter = new FrameSplitter();
    const got: Buffer[] = [];
    for (let at = 0; at < stream.length; at += step) got.push(...splitter.push(stream.subarray(at, at + step)));
    assert.deepEqual(got.map((f) => f.readInt32BE(0)), [1, 2, 3], `chunks of ${step}`);
    assert.equal(got[0]!.toString('utf8', 4), 'first');
    assert.equal(got[1]!.length, 3004);
  }
});

test('a response claiming more than the limit (or less than its correlation id) is refused', () => {
  const big = Buffer.alloc(4);
  big.writeInt32BE(MAX_RESPONSE_BYTES + 1, 0);
  assert.throws(() => new FrameSplitter().push(big), (e: unknown) => isK2pError(e, 'K2P_KFK_PROTOCOL'));
  assert.throws(() => new FrameSplitter().push(Buffer.from([0, 0, 0, 2, 0, 0])), (e: unknown) => isK2pError(e, 'K2P_KFK_PROTOCOL'));
});

test('a response that ends early is refused by the reader, not read past its end', () => {
  const r = new WireReader(Buffer.from([0, 5, 65, 66]));
  assert.throws(() => r.string(), (e: unknown) => isK2pError(e, 'K2P_KFK_PROTOCOL'));
});
