// HS256 JSON Web Tokens for the local stack's secure Pulsar (AuthenticationProviderToken with a secret key),
// made with node:crypto. Pulsar reads the role from the `sub` claim and checks `exp` when present.
import { createHmac, randomBytes } from 'node:crypto';

/** A new HS256 secret: 32 random bytes, the size `pulsar tokens create-secret-key` makes. */
export function newSecretKey(): Buffer {
  return randomBytes(32);
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Signs `claims` with HMAC-SHA256 under `secret`. */
export function signHs256(claims: Record<string, unknown>, secret: Buffer): string {
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${head}.${base64url(createHmac('sha256', secret).update(head).digest())}`;
}

/** A token for `role`, valid for `expiresInSeconds` (none: it never expires, like `pulsar tokens create`). */
export function roleToken(secret: Buffer, role: string, expiresInSeconds?: number): string {
  const claims: Record<string, unknown> = { sub: role };
  if (expiresInSeconds !== undefined) claims.exp = Math.floor(Date.now() / 1000) + expiresInSeconds;
  return signHs256(claims, secret);
}
