// Optional authentication of facade clients: HTTP basic (users and passwords) or bearer tokens. The secrets
// come from the environment through the caller; they are compared in constant time and never logged.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { CODES, RestError } from '../rest-error.js';

export type FacadeAuth =
  | { kind: 'none' }
  | { kind: 'basic'; users: Readonly<Record<string, string>> }
  | { kind: 'bearer'; tokens: readonly string[] };

function same(a: string, b: string): boolean {
  // Hash first: equal lengths for timingSafeEqual, and no early exit on length.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Throws 40101 unless the request carries valid credentials. */
export function authenticate(auth: FacadeAuth, req: FastifyRequest): void {
  if (auth.kind === 'none') return;
  const header = req.headers.authorization ?? '';
  const space = header.indexOf(' ');
  const scheme = space > 0 ? header.slice(0, space).toLowerCase() : '';
  const value = space > 0 ? header.slice(space + 1).trim() : '';
  if (auth.kind === 'basic' && scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      const user = decoded.slice(0, colon);
      const expected = auth.users[user];
      if (expected !== undefined && same(decoded.slice(colon + 1), expected)) return;
    }
  }
  if (auth.kind === 'bearer' && scheme === 'bearer') {
    let ok = false;
    for (const t of auth.tokens) ok = same(value, t) || ok;
    if (ok) return;
  }
  throw new RestError(CODES.UNAUTHORIZED, 'Authentication failed: missing or invalid credentials');
}

/** Reads auth settings from the environment: K2P_FACADE_AUTH=basic|bearer, K2P_FACADE_USERS="u:p,u2:p2", K2P_FACADE_TOKENS="t1,t2". */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): FacadeAuth {
  const kind = env.K2P_FACADE_AUTH ?? 'none';
  if (kind === 'basic') {
    const users: Record<string, string> = {};
    for (const pair of (env.K2P_FACADE_USERS ?? '').split(',').filter(Boolean)) {
      const i = pair.indexOf(':');
      if (i > 0) users[pair.slice(0, i)] = pair.slice(i + 1);
    }
    return { kind: 'basic', users };
  }
  if (kind === 'bearer') return { kind: 'bearer', tokens: (env.K2P_FACADE_TOKENS ?? '').split(',').filter(Boolean) };
  return { kind: 'none' };
}
