import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  FRAME_HEADROOM,
  decodeFrame,
  encodeCommand,
  encodePayloadCommand,
  encodePayloadCommandParts,
  type Frame,
} from '../../../src/pulsar/protocol/frame.js';
import { FrameDecoder } from '../../../src/pulsar/protocol/frame-decoder.js';
import type { MessageMetadata } from '../../../src/pulsar/protocol/messages.js';
import { isK2pError } from '../../../src/errors.js';

const PING_FRAME = '00000009' + '00000005' + '0812920100';
// SEND{producer_id=1, sequence_id=0} + MessageMetadata{producer_name="p", sequence_id=0, publish_time=1} + "hi".
// CRC32C computed with Python's crc32c package over [00000007][metadata][payload].
const SEND_FRAME =
  '0000001f' +
  '00000008' +
  '0806320408011000' +
  '0e01' +
  '7ed8df46' +
  '00000007' +
  '0a0170100018' +
  '01' +
  '6869';

test('simple command frame matches the hand-built bytes', () => {
  assert.equal(encodeCommand({ type: 'PING' }).toString('hex'), PING_FRAME);
  assert.deepEqual(decodeFrame(Buffer.from(PING_FRAME, 'hex')), {
    command: { type: 'PING' },
    checksumValid: true,
  });
});

test('payload frame matches the hand-built bytes, CRC included', () => {
  const meta: MessageMetadata = { producerName: 'p', sequenceId: 0n, publishTime: 1 };
  const bytes = encodePayloadCommand(
    { type: 'SEND', producerId: 1n, sequenceId: 0n },
    meta,
    Buffer.from('hi'),
  );
  assert.equal(bytes.toString('hex'), SEND_FRAME);
  const frame = decodeFrame(Buffer.from(SEND_FRAME, 'hex'));
  assert.deepEqual(frame.command, { type: 'SEND', producerId: 1n, sequenceId: 0n, numMessages: 1 });
  assert.deepEqual(frame.metadata, meta);
  assert.equal(frame.payload?.toString(), 'hi');
  assert.equal(frame.checksumValid, true);
});

test('parts variant produces the same bytes without copying the payload', () => {
  const meta: MessageMetadata = {
    producerName: 'k2p',
    sequenceId: 42n,
    publishTime: 1700000000000,
    partitionKey: 'k',
  };
  const payload = Buffer.alloc(70000, 0x61);
  const cmd = { type: 'SEND' as const, producerId: 3n, sequenceId: 42n, highestSequenceId: 42n };
  const [head, body] = encodePayloadCommandParts(cmd, meta, payload);
  assert.equal(body, payload);
  assert.deepEqual(Buffer.concat([head, body]), encodePayloadCommand(cmd, meta, payload));
});

test('MESSAGE frame with broker entry metadata (0x0e02) decodes all sections', () => {
  const bytes = encodePayloadCommand(
    { type: 'MESSAGE', consumerId: 9n, messageId: { ledgerId: 5n, entryId: 6n } },
    { producerName: 'p', sequenceId: 1n, publishTime: 2, numMessagesInBatch: 2 },
    Buffer.from('payload'),
    { brokerEntryMetadata: { brokerTimestamp: 1700000000123, index: 99n } },
  );
  const frame = decodeFrame(bytes);
  assert.equal(frame.command.type, 'MESSAGE');
  assert.deepEqual(frame.brokerEntryMetadata, { brokerTimestamp: 1700000000123, index: 99n });
  assert.equal(frame.metadata?.numMessagesInBatch, 2);
  assert.equal(frame.payload?.toString(), 'payload');
  assert.equal(frame.checksumValid, true);
  // the payload is a view into the frame, not a copy
  assert.equal(frame.payload?.buffer, bytes.buffer);
});

test('a corrupted payload byte is reported as checksumValid = false', () => {
  const bytes = Buffer.from(SEND_FRAME, 'hex');
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  const frame = decodeFrame(bytes);
  assert.equal(frame.checksumValid, false);
  assert.equal(frame.command.type, 'SEND');
  const flipped = Buffer.from(SEND_FRAME, 'hex');
  flipped[20] = flipped[20]! ^ 0x80; // inside the CRC field itself
  assert.equal(decodeFrame(flipped).checksumValid, false);
});

test('payload without the checksum magic (old brokers) is accepted', () => {
  const bytes = Buffer.from(
    '00000019' + '00000008' + '0806320408011000' + '00000007' + '0a0170100018' + '01' + '6869',
    'hex',
  );
  const frame = decodeFrame(bytes);
  assert.equal(frame.payload?.toString(), 'hi');
  assert.equal(frame.checksumValid, true);
});

test('malformed frames are K2P_PLS_FRAME', () => {
  const isFrameErr = (e: unknown) => isK2pError(e, 'K2P_PLS_FRAME');
  assert.throws(() => decodeFrame(Buffer.from('0000000a000000050812920100', 'hex')), isFrameErr); // size lies
  assert.throws(() => decodeFrame(Buffer.from('0000000900000006' + '0812920100', 'hex')), isFrameErr); // cmd > frame
  const cut = Buffer.from(SEND_FRAME, 'hex');
  // metadata size larger than what is left
  cut.writeUInt32BE(0xff, 4 + 4 + 8 + 6);
  assert.throws(() => decodeFrame(cut), isFrameErr);
});

function sampleStream(): { bytes: Buffer; count: number } {
  const parts: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    if (i % 3 === 0) parts.push(encodeCommand({ type: 'PING' }));
    else if (i % 3 === 1)
      parts.push(encodeCommand({ type: 'FLOW', consumerId: BigInt(i), messagePermits: i * 1000 }));
    else {
      parts.push(
        encodePayloadCommand(
          { type: 'MESSAGE', consumerId: 1n, messageId: { ledgerId: 1n, entryId: BigInt(i) } },
          { producerName: 'p', sequenceId: BigInt(i), publishTime: i },
          Buffer.alloc(i * 97, i),
        ),
      );
    }
  }
  return { bytes: Buffer.concat(parts), count: parts.length };
}

function check(frames: Frame[], count: number): void {
  assert.equal(frames.length, count);
  frames.forEach((f, i) => {
    assert.equal(f.checksumValid, true);
    if (i % 3 === 0) assert.equal(f.command.type, 'PING');
    else if (i % 3 === 1)
      assert.deepEqual(f.command, { type: 'FLOW', consumerId: BigInt(i), messagePermits: i * 1000 });
    else {
      assert.equal(f.command.type, 'MESSAGE');
      assert.equal(f.metadata?.sequenceId, BigInt(i));
      assert.deepEqual(f.payload, Buffer.alloc(i * 97, i));
    }
  });
}

test('FrameDecoder: byte by byte', () => {
  const { bytes, count } = sampleStream();
  const d = new FrameDecoder();
  const frames: Frame[] = [];
  for (let i = 0; i < bytes.length; i++) frames.push(...d.push(bytes.subarray(i, i + 1)));
  check(frames, count);
  assert.equal(d.bufferedBytes, 0);
});

test('FrameDecoder: random chunk splits, and everything in one chunk', () => {
  const { bytes, count } = sampleStream();
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let round = 0; round < 50; round++) {
    const d = new FrameDecoder();
    const frames: Frame[] = [];
    for (let at = 0; at < bytes.length;) {
      const n = 1 + Math.floor(rnd() * (round % 2 ? 9 : 3000));
      // copy each chunk, as a socket would hand us fresh memory
      frames.push(...d.push(Buffer.from(bytes.subarray(at, at + n))));
      at += n;
    }
    check(frames, count);
  }
  check(new FrameDecoder().push(bytes), count);
});

test('FrameDecoder: oversized frame is rejected as soon as its size is known', () => {
  const d = new FrameDecoder();
  assert.equal(d.maxFrameSize, DEFAULT_MAX_MESSAGE_SIZE + FRAME_HEADROOM);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(DEFAULT_MAX_MESSAGE_SIZE + FRAME_HEADROOM); // +4 prefix = one byte too many
  assert.throws(
    () => d.push(header),
    (e: unknown) => isK2pError(e, 'K2P_PLS_FRAME'),
  );
  // split header: size arrives in two pieces
  const d2 = new FrameDecoder({ maxFrameSize: 1024 });
  d2.push(Buffer.from([0, 0]));
  assert.throws(
    () => d2.push(Buffer.from([0x04, 0x00])),
    (e: unknown) => isK2pError(e, 'K2P_PLS_FRAME'),
  );
  // the broker's announced limit
  const d3 = new FrameDecoder();
  d3.setMaxMessageSize(100);
  const big = encodePayloadCommand(
    { type: 'MESSAGE', consumerId: 1n, messageId: { ledgerId: 1n, entryId: 1n } },
    { producerName: 'p', sequenceId: 1n, publishTime: 1 },
    Buffer.alloc(100 + FRAME_HEADROOM),
  );
  assert.throws(
    () => d3.push(big),
    (e: unknown) => isK2pError(e, 'K2P_PLS_FRAME'),
  );
});

test('FrameDecoder: a frame exactly at the limit is accepted', () => {
  const payload = Buffer.alloc(2000, 1);
  const frame = encodePayloadCommand(
    { type: 'MESSAGE', consumerId: 1n, messageId: { ledgerId: 1n, entryId: 1n } },
    { producerName: 'p', sequenceId: 1n, publishTime: 1 },
    payload,
  );
  const d = new FrameDecoder({ maxFrameSize: frame.length });
  assert.equal(d.push(frame).length, 1);
});

test('FrameDecoder: checksum mismatch surfaces on the frame, stream continues', () => {
  const bad = Buffer.from(SEND_FRAME, 'hex');
  bad[bad.length - 2] = bad[bad.length - 2]! ^ 0xff;
  const d = new FrameDecoder();
  const frames = d.push(Buffer.concat([bad, Buffer.from(PING_FRAME, 'hex')]));
  assert.deepEqual(
    frames.map((f) => [f.command.type, f.checksumValid]),
    [
      ['SEND', false],
      ['PING', true],
    ],
  );
});
