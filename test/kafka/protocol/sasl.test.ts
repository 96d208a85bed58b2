// SASL request and response bodies: PLAIN's NUL-separated credentials, SaslAuthenticate's error message and
// bytes (the live exchanges run in test/kafka/wire/connection.test.ts against the secure Kafka).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSaslAuthenticate, parseSaslHandshake, plainAuthBytes } from '../../../src/kafka/protocol/sasl.js';
import { WireReader, WireWriter } from '../../../src/kafka/protocol/wire.js';

test('PLAIN: empty authzid, user and password separated by NUL', () => {
  assert.deepEqual([...plainAuthBytes('alice', 'sécret')], [0, ...Buffer.from('alice'), 0, ...Buffer.from('sécret')]);
});

test('SaslHandshake and SaslAuthenticate answers: error codes, offered mechanisms, error message, bytes', () => {
  const hs = new WireWriter().int16(33).array(['SCRAM-SHA-512', 'SCRAM-SHA-256'], (w, m) => w.string(m)).done();
  assert.deepEqual(parseSaslHandshake(new WireReader(hs)), { errorCode: 33, mechanisms: ['SCRAM-SHA-512', 'SCRAM-SHA-256'] });
  const auth = new WireWriter().int16(58).string('bad credentials').bytes(null).done();
  assert.deepEqual(parseSaslAuthenticate(new WireReader(auth)), { errorCode: 58, errorMessage: 'bad credentials', authBytes: Buffer.alloc(0) });
  const ok = new WireWriter().int16(0).string(null).bytes(Buffer.from('v=xyz')).done();
  assert.equal(parseSaslAuthenticate(new WireReader(ok)).authBytes.toString(), 'v=xyz');
});
