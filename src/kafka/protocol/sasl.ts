// SaslHandshake v1 (key 17) and SaslAuthenticate v0–v1 (key 36): the mechanism, then its rounds of bytes in
// Kafka frames (KIP-152). Handshake request: mechanism string; response: error_code int16, mechanisms
// [string]. Authenticate request: auth_bytes bytes; response: error_code int16, error_message string?,
// auth_bytes bytes, v1+: session_lifetime_ms int64.
import type { WireReader, WireWriter } from './wire.js';

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
}

export function writeSaslHandshake(w: WireWriter, mechanism: string): void {
  w.string(mechanism);
}

export function parseSaslHandshake(r: WireReader): SaslHandshakeResponse {
  return { errorCode: r.int16(), mechanisms: r.array((r) => r.string()) };
}

export function writeSaslAuthenticate(w: WireWriter, authBytes: Uint8Array): void {
  w.bytes(authBytes);
}

export function parseSaslAuthenticate(r: WireReader): SaslAuthenticateResponse {
  const errorCode = r.int16();
  const errorMessage = r.nullableString();
  const authBytes = r.nullableBytes() ?? Buffer.alloc(0);
  return { errorCode, errorMessage, authBytes: Buffer.from(authBytes) };
}

/** SASL PLAIN (RFC 4616): authzid (empty), authcid and password, NUL-separated. */
export function plainAuthBytes(username: string, password: string): Buffer {
  return Buffer.from(`\0${username}\0${password}`, 'utf8');
}
