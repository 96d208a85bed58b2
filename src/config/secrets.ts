// Which config fields are secrets, and how to keep them out of logs and error messages.
// Secrets: passwords, tokens and private keys. CA and client certificates are public and may be inline.
import type { ConfigPath } from './problems.js';

export const REDACTED = '[redacted]';

const SECRET_KEYS = new Set(['password', 'token', 'secret', 'passphrase']);
const KEY_MATERIAL_PARENTS = new Set(['ssl', 'tls']);

/** True for `...password`, `...token`, `...ssl.key` / `...tls.key` (private key material). */
export function isSecretPath(path: ConfigPath): boolean {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return false;
  if (SECRET_KEYS.has(last)) return true;
  const parent = path[path.length - 2];
  return last === 'key' && typeof parent === 'string' && KEY_MATERIAL_PARENTS.has(parent);
}

// scheme://user:password@host — the password part of a URL's user info.
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)([^/@]*)@/i;

/** The password inside a URL's user info, if any (`redis://:pw@host` → `pw`). */
export function urlPassword(url: string): string | undefined {
  const m = URL_PASSWORD.exec(url);
  return m && m[2] !== '' ? m[2] : undefined;
}

/** A URL with the password of its user info replaced. */
export function redactUrl(url: string): string {
  return url.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

/**
 * A deep copy of a config object (a connector, a GatewayConfig, anything) with every secret replaced by
 * `[redacted]` and URL passwords masked. Use it before logging or printing config.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, []) as T;
}

function redact(value: unknown, path: (string | number)[]): unknown {
  if (isSecretPath(path) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((v, i) => redact(v, [...path, i]));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, [...path, k])]));
  }
  return value; // RegExp, Date, class instances: no secrets by construction
}

// Secret fields relative to a connector object.
const CONNECTOR_SECRETS = ['password', 'token', 'sasl.password', 'ssl.key', 'tls.key', 'basicAuth.password'];

/**
 * pino `redact` paths covering config objects however they are logged: a connector at the top level
 * (`log.info(connector)`), under one key (`{ connector }`, `{ kafka }`), or a whole config (`{ config }`).
 * URLs with an inline password are not covered by paths: pass them through `redactUrl`.
 */
export const CONFIG_REDACT_PATHS: readonly string[] = Object.freeze(
  CONNECTOR_SECRETS.flatMap((p) => [p, `*.${p}`, `connectors.*.${p}`, `*.connectors.*.${p}`]),
);

/** Every secret value of a loaded config (passwords, tokens, private keys, URL passwords): log lines are
 * scrubbed of them whatever field or message they end up in. */
export function configSecrets(value: unknown, path: (string | number)[] = []): string[] {
  if (typeof value === 'string') {
    if (isSecretPath(path)) return value === '' ? [] : [value];
    const pw = urlPassword(value);
    return pw ? [pw] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => configSecrets(v, [...path, i]));
  if (value !== null && typeof value === 'object' && !(value instanceof RegExp)) {
    return Object.entries(value).flatMap(([k, v]) => configSecrets(v, [...path, k]));
  }
  return [];
}
