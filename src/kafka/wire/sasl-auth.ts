// SASL on a fresh connection (KIP-152): SaslHandshake names the mechanism, then SaslAuthenticate carries
// its rounds — one for PLAIN, two for SCRAM (the broker's signature checked at the end).
import { K2pError } from '../../errors.js';
import {
  parseSaslAuthenticate,
  parseSaslHandshake,
  plainAuthBytes,
  writeSaslAuthenticate,
  writeSaslHandshake,
} from '../protocol/sasl.js';
import { ScramClient } from '../protocol/scram.js';
import type { KafkaConnection } from './connection.js';

export interface SaslSettings {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

function refused(broker: string, mechanism: string, why: string): K2pError {
  return new K2pError('K2P_KFK_AUTH', `Kafka broker ${broker} refused SASL ${mechanism}: ${why}`, { broker, mechanism });
}

async function round(conn: KafkaConnection, mechanism: string, bytes: Buffer): Promise<Buffer> {
  const r = await conn.call('saslAuthenticate', (w) => writeSaslAuthenticate(w, bytes), parseSaslAuthenticate);
  if (r.errorCode !== 0) throw refused(conn.broker, mechanism, r.errorMessage ?? `error ${r.errorCode}`);
  return r.authBytes;
}

export async function authenticate(conn: KafkaConnection, sasl: SaslSettings): Promise<void> {
  const mechanism = sasl.mechanism.toUpperCase();
  const hs = await conn.call('saslHandshake', (w) => writeSaslHandshake(w, mechanism), parseSaslHandshake);
  if (hs.errorCode !== 0)
    throw refused(conn.broker, mechanism, `the broker offers ${hs.mechanisms.join(', ') || 'no mechanism'} (error ${hs.errorCode})`);
  if (sasl.mechanism === 'plain') {
    await round(conn, mechanism, plainAuthBytes(sasl.username, sasl.password));
    return;
  }
  const scram = new ScramClient(sasl.mechanism === 'scram-sha-256' ? 'sha256' : 'sha512', sasl.username, sasl.password);
  const serverFirst = await round(conn, mechanism, scram.firstMessage());
  const serverFinal = await round(conn, mechanism, scram.finalMessage(serverFirst));
  scram.checkServerFinal(serverFinal);
}

