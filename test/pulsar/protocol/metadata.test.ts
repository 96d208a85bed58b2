// The hand-written metadata decoders (metadata.ts) against the table-driven one (codec.ts): random metadata
// with every field, absent and empty fields, large and 64-bit values, fields repeated (last wins), out of
// order, unknown fields of every wire type and overlong varints — then the same bytes corrupted. Both
// decoders must give equal objects, or both throw the same error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, type MessageSpec } from '../../../src/pulsar/protocol/codec.js';
import {
  MessageMetadataSpec,
  SingleMessageMetadataSpec,
  type MessageMetadata,
  type SingleMessageMetadata,
} from '../../../src/pulsar/protocol/messages.js';
import {
  decodeMessageMetadata,
  decodeSingleMessageMetadata,
  decodeSingleMessageMetadataInto,
  emptySingleMessageMetadata,
  metadataFallbacks,
} from '../../../src/pulsar/protocol/metadata.js';
import { ProtoReader, ProtoWriter } from '../../../src/pulsar/protocol/protobuf.js';
import { decodeBatch, encodeBatch, scanBatch } from '../../../src/pulsar/protocol/batch.js';
import { decodeFrame, encodePayloadCommand } from '../../../src/pulsar/protocol/frame.js';
import { bytes, int, maybe, metadata, pick, rng, single, u64, type Rand } from './random-metadata.js';

/** The fields of an encoded message, each as its own bytes (tag included). */
function fieldsOf(buf: Buffer): Buffer[] {
  const r = new ProtoReader(buf);
  const out: Buffer[] = [];
  while (r.pos < r.end) {
    const start = r.pos;
    r.skip(r.uint32() & 7);
    out.push(buf.subarray(start, r.pos));
  }
  return out;
}

/** A varint of `value` padded to `width` bytes (overlong encodings are legal; decoders must read them). */
function paddedVarint(value: bigint, width: number): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  for (let i = 0; i < width - 1; i++) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v & 0x7fn));
  return Buffer.from(out);
}

function unknownField(r: Rand, known: readonly unknown[]): Buffer {
  let no = 1 + int(r, 200);
  while (known[no] !== undefined) no++;
  const w = new ProtoWriter(64);
  const wireType = pick(r, [0, 1, 2, 5]);
  w.tag(no, wireType);
  if (wireType === 0) w.uint64(u64(r));
  else if (wireType === 1) w.raw(Buffer.alloc(8, int(r, 256)));
  else if (wireType === 2) w.bytes(bytes(r));
  else w.raw(Buffer.alloc(4, int(r, 256)));
  return w.finish();
}

/** A known varint field written with an odd encoding: overlong, or a value past 32 bits for a 32-bit field. */
function oddVarintField(r: Rand, spec: MessageSpec<object>): Buffer | undefined {
  const varints = spec.fields.filter(
    (f) => f.kind !== 'string' && f.kind !== 'bytes' && f.kind !== 'message',
  );
  const f = pick(r, varints);
  const w = new ProtoWriter(16);
  w.tag(f.no, 0);
  const value = pick(r, [0n, 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(int(r, 1000))]);
  w.raw(paddedVarint(value, Math.max(1, Math.min(10, Math.ceil(value.toString(2).length / 7)) + int(r, 3))));
  return w.finish();
}

/** Fields of `a`, some of `b` (a field given twice: the last wins), unknown and odd fields, shuffled or not. */
function mixed(r: Rand, spec: MessageSpec<object>, a: Buffer, b: Buffer): Buffer {
  const parts = fieldsOf(a);
  if (maybe(r, 0.3)) for (const f of fieldsOf(b)) if (maybe(r, 0.3)) parts.push(f);
  const unknown = maybe(r, 0.5) ? int(r, 4) : 0;
  for (let i = 0; i < unknown; i++) parts.splice(int(r, parts.length + 1), 0, unknownField(r, spec.byNo));
  if (maybe(r, 0.2)) parts.splice(int(r, parts.length + 1), 0, oddVarintField(r, spec)!);
  if (maybe(r, 0.3)) {
    for (let i = parts.length - 1; i > 0; i--) {
      const j = int(r, i + 1);
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    }
  }
  return Buffer.concat(parts);
}

/** Flips, cuts or inserts bytes. */
function corrupt(r: Rand, buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  switch (int(r, 3)) {
    case 0:
      if (out.length > 0) out[int(r, out.length)] = int(r, 256);
      return out;
    case 1:
      return out.subarray(0, int(r, out.length + 1));
    default: {
      const at = int(r, out.length + 1);
      return Buffer.concat([out.subarray(0, at), Buffer.from([int(r, 256), int(r, 256)]), out.subarray(at)]);
    }
  }
}

type Outcome = { value: unknown } | { error: { code: unknown; message: string } };

function outcome(decode: () => unknown): Outcome {
  try {
    return { value: decode() };
  } catch (err) {
    return { error: { code: (err as { code?: unknown }).code, message: (err as Error).message } };
  }
}

/** Decodes `buf` inside a larger buffer (start > 0, bytes after end) with both decoders; they must agree. */
function agree(
  spec: MessageSpec<object>,
  fast: (buf: Buffer, start: number, end: number) => unknown,
  buf: Buffer,
  why: string,
): Outcome {
  const framed = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc]), buf, Buffer.from([0x08, 0x01, 0xff])]);
  const end = 3 + buf.length;
  const want = outcome(() => decodeMessage(spec, framed, 3, end));
  const got = outcome(() => fast(framed, 3, end));
  assert.deepStrictEqual(got, want, `${why}: ${buf.toString('hex')}`);
  return want;
}

/** Drops undefined fields, as the encoder does. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

for (const [name, spec, make, fast] of [
  ['SingleMessageMetadata', SingleMessageMetadataSpec, single, decodeSingleMessageMetadata],
  ['MessageMetadata', MessageMetadataSpec, metadata, decodeMessageMetadata],
] as const) {
  const s = spec as MessageSpec<object>;
  const makeAny = make as (r: Rand) => object;

  test(`${name}: the hand-written decoder gives what the table-driven one gives (random, all fields)`, () => {
    const fallbacksBefore = metadataFallbacks();
    let encrypted = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      const value = makeAny(r);
      if ((value as MessageMetadata).encryptionKeys) encrypted++;
      const buf = encodeMessage(s, value);
      const out = agree(s, fast, buf, `seed ${seed}`);
      // The round trip gives the value back (absent fields stay absent).
      assert.deepStrictEqual(out, { value: defined(value) }, `seed ${seed}`);
    }
    // Well-formed metadata is the fast path's: only encryption keys are handed over.
    assert.equal(metadataFallbacks() - fallbacksBefore, encrypted);
  });

  test(`${name}: repeated, shuffled, unknown and overlong fields decode alike`, () => {
    const fallbacksBefore = metadataFallbacks();
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed * 7919);
      const buf = mixed(r, s, encodeMessage(s, makeAny(r)), encodeMessage(s, makeAny(r)));
      agree(s, fast, buf, `seed ${seed}`);
    }
    // Only encryption keys and bad varints (past 10 bytes) are handed over.
    const handed = metadataFallbacks() - fallbacksBefore;
    assert.ok(handed < 600, `handed over: ${handed} of 3000`);
  });

  test(`${name}: corrupted bytes give the same value or the same error`, () => {
    let errors = 0;
    for (let seed = 1; seed <= 4000; seed++) {
      const r = rng(seed * 104729);
      let buf = encodeMessage(s, makeAny(r));
      if (maybe(r)) buf = mixed(r, s, buf, encodeMessage(s, makeAny(r)));
      const n = 1 + int(r, 3);
      for (let i = 0; i < n; i++) buf = corrupt(r, buf);
      if ('error' in agree(s, fast, buf, `seed ${seed}`)) errors++;
    }
    assert.ok(errors > 500, `corruptions that fail: ${errors}`);
  });

  test(`${name}: empty and edge messages`, () => {
    const cases = [
      Buffer.alloc(0), // required fields missing
      Buffer.from([0x00]), // field number 0
      Buffer.from([0x80]), // truncated tag
      Buffer.from([0x0b]), // group start: unsupported wire type
      Buffer.from('ffffffffffffffffffff01', 'hex'), // tag longer than 10 bytes
      Buffer.from('0a05', 'hex'), // length past the end
    ];
    for (const buf of cases) agree(s, fast, buf, 'edge');
  });
}

test('cached property strings never leak from one message into another', () => {
  const a = [
    { key: 'k2p.offset', value: '100' },
    { key: 'é', value: 'x'.repeat(48) },
  ];
  const b = [
    { key: 'k2p.offsez', value: '101' },
    { key: 'è', value: 'x'.repeat(47) + 'y' },
  ];
  for (const props of [a, b, a, a, b, b, a]) {
    const buf = encodeMessage(SingleMessageMetadataSpec, { properties: props, payloadSize: 1 });
    assert.deepStrictEqual(decodeSingleMessageMetadata(buf).properties, props);
  }
});

test('decodeBatch and decodeFrame decode their metadata as the table-driven decoder does', () => {
  const r = rng(42);
  const messages = Array.from({ length: 50 }, () => {
    const payload = maybe(r, 0.1) ? null : bytes(r);
    const meta: Partial<SingleMessageMetadata> = single(r);
    delete meta.payloadSize;
    return { metadata: { ...meta, nullValue: payload === null ? true : meta.nullValue }, payload };
  });
  const body = encodeBatch(messages);
  const entries = decodeBatch(body, messages.length, { skipCompactedOut: false });
  let p = 0;
  for (const entry of entries) {
    const size = body.readUInt32BE(p);
    assert.deepStrictEqual(
      entry.metadata,
      decodeMessage(SingleMessageMetadataSpec, body, p + 4, p + 4 + size),
    );
    p += 4 + size + entry.metadata.payloadSize;
  }
  const meta = defined(metadata(r));
  delete meta.encryptionKeys;
  const frame = decodeFrame(
    encodePayloadCommand(
      { type: 'MESSAGE', consumerId: 1n, messageId: { ledgerId: 1n, entryId: 2n } },
      meta,
      body,
    ),
  );
  assert.deepStrictEqual(frame.metadata, meta);
  assert.deepStrictEqual(frame.payload, body);
});

test('decoding into a reused object gives the same fields, absent ones undefined, for one message after another', () => {
  const into = emptySingleMessageMetadata();
  for (let seed = 1; seed <= 3000; seed++) {
    const r = rng(seed * 31);
    let buf = encodeMessage(SingleMessageMetadataSpec, single(r));
    if (maybe(r, 0.3))
      buf = mixed(r, SingleMessageMetadataSpec, buf, encodeMessage(SingleMessageMetadataSpec, single(r)));
    if (maybe(r, 0.1)) buf = corrupt(r, buf);
    const want = outcome(() => decodeMessage(SingleMessageMetadataSpec, buf));
    const got = outcome(() => {
      const m = decodeSingleMessageMetadataInto(buf, 0, buf.length, into);
      // Read at once (the next call reuses the object and its properties), absent fields dropped.
      return defined({ ...m, properties: m.properties?.map((kv) => ({ ...kv })) });
    });
    assert.deepStrictEqual(got, want, `seed ${seed}: ${buf.toString('hex')}`);
  }
});

test('scanBatch visits what decodeBatch returns', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = rng(seed * 577);
    const messages = Array.from({ length: 1 + int(r, 40) }, () => {
      const payload = maybe(r, 0.1) ? null : bytes(r);
      const meta: Partial<SingleMessageMetadata> = single(r);
      delete meta.payloadSize;
      return { metadata: { ...meta, nullValue: payload === null ? true : meta.nullValue }, payload };
    });
    const body = encodeBatch(messages);
    for (const skipCompactedOut of [true, false]) {
      const visited: unknown[] = [];
      scanBatch(
        body,
        messages.length,
        (index, metadata, payload) =>
          visited.push({
            index,
            metadata: defined({ ...metadata, properties: metadata.properties?.map((kv) => ({ ...kv })) }),
            payload,
          }),
        { skipCompactedOut },
      );
      assert.deepStrictEqual(
        visited,
        decodeBatch(body, messages.length, { skipCompactedOut }),
        `seed ${seed}`,
      );
    }
  }
});
