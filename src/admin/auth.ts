// Bearer-token auth for the admin API. The token comes from the environment (K2P_ADMIN_TOKEN), is compared
// in constant time (digests of equal length, so neither content nor length leaks through timing) and is
// never logged: request logging leaves out the authorization header.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { K2pError } from '../errors.js';

export function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer (.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Loopback: localhost, 127.0.0.0/8, ::1 (and ::ffff:127.x). Anything else, including 0.0.0.0, is not. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** The token, or undefined on loopback; refuses a non-loopback bind without one. */
export function requireToken(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && token.length > 0) return token;
  if (isLoopback(host)) return undefined;
  throw new K2pError('K2P_ADMIN_NO_TOKEN', `the admin API will not listen on ${host} (not a loopback address) without a token: set K2P_ADMIN_TOKEN`, { host });
}
