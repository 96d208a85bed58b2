// The hand-written SingleMessageMetadata encoder (metadata-encoder.ts) against the table-driven one (codec.ts):
// random metadata with every field, absent and empty ones, 64-bit values and non-ASCII text must encode to
// the same bytes, and a metadata the table-driven encoder refuses must be refused with its error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFields } from '../../../src/pulsar/protocol/codec.js';
import { SingleMessageMetadataSpec, type SingleMessageMetadata } from '../../../src/pulsar/protocol/messages.js';
import { encodeSingleMessageMetadata } from '../../../src/pulsar/protocol/metadata-encoder.js';
import { ProtoWriter } from '../../../src/pulsar/protocol/protobuf.js';
import { rng, single } from './random-metadata.js';

function tableDriven(m: SingleMessageMetadata): Buffer {
  const w = new ProtoWriter(8);
  encodeFields(w, SingleMessageMetadataSpec, m);
  return w.finish();
}

function handWritten(m: SingleMessageMetadata): Buffer {
  const w = new ProtoWriter(8);
  encodeSingleMessageMetadata(w, m);
  return w.finish();
}

test('random metadata encodes to the bytes of the table-driven encoder', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const m = single(rng(seed));
    assert.equal(handWritten(m).toString('hex'), tableDriven(m).toString('hex'), `seed ${seed}`);
  }
});

test('every field of the spec is written (a field added to the spec must be added to the encoder)', () => {
  const m = single(rng(7));
  const full: SingleMessageMetadata = {
    ...m,
    properties: [{ key: 'k', value: 'v' }],
    partitionKey: 'p',
    compactedOut: false,
    eventTime: 1,
    partitionKeyB64Encoded: true,
    orderingKey: Buffer.from('o'),
    sequenceId: 9n,
    nullValue: false,
    nullPartitionKey: true,
  };
  const values = full as unknown as Record<string, unknown>;
  for (const f of SingleMessageMetadataSpec.fields) assert.notEqual(values[f.key], undefined, `${f.key} has no value in this test`);
  assert.equal(handWritten(full).toString('hex'), tableDriven(full).toString('hex'));
});

test('metadata missing a required field is refused with the table-driven encoder\'s error', () => {
  const cases: unknown[] = [
    { payloadSize: undefined },
    { payloadSize: 1, properties: [{ key: 'k' }] },
    { payloadSize: 1, properties: [{ value: 'v' }] },
  ];
  for (const m of cases) {
    const expected = (() => {
      try {
        tableDriven(m as SingleMessageMetadata);
      } catch (err) {
        return err as Error;
      }
      assert.fail('the table-driven encoder took it');
    })();
    assert.throws(() => handWritten(m as SingleMessageMetadata), (err: Error & { code?: string }) => err.message === expected.message && err.code === (expected as { code?: string }).code);
  }
});
