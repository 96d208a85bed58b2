// SCRAM-SHA-256 against the exchange of RFC 7677 section 3 (user "user", password "pencil"): the client-final
// message and the server signature check; a server signature that does not match is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isK2pError } from '../../../src/errors.js';
import { ScramClient } from '../../../src/kafka/protocol/scram.js';

const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';

test('RFC 7677: the client-final message and the server signature of the example exchange', () => {
  const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
  assert.equal(c.firstMessage().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
  assert.equal(
    c.finalMessage(Buffer.from(SERVER_FIRST)).toString(),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  );
  c.checkServerFinal(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
});

test('a wrong server signature, a server nonce not extending ours, or a server error: K2P_KFK_AUTH', () => {
  const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
  c.finalMessage(Buffer.from(SERVER_FIRST));
  assert.throws(() => c.checkServerFinal(Buffer.from('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), (e: unknown) => isK2pError(e, 'K2P_KFK_AUTH'));
  assert.throws(() => c.checkServerFinal(Buffer.from('e=invalid-proof')), (e: unknown) => isK2pError(e, 'K2P_KFK_AUTH'));
  const other = new ScramClient('sha256', 'user', 'pencil', 'another-nonce');
  assert.throws(() => other.finalMessage(Buffer.from(SERVER_FIRST)), (e: unknown) => isK2pError(e, 'K2P_KFK_AUTH'));
});

test('a user name with "=" and "," is escaped as RFC 5802 asks', () => {
  assert.equal(new ScramClient('sha512', 'a=b,c', 'x', 'n0').firstMessage().toString(), 'n,,n=a=3Db=2Cc,r=n0');
});
