// `${VAR}` and `${VAR:-default}` in any string value; `$${` writes a literal `${`.
// Secrets must be exactly one `${VAR}` reference (no default: a default would be a secret written in the file).
import { describeValue, formatPath, type ConfigPath, type ConfigProblem } from './problems.js';
import type { YamlSource } from './yaml-source.js';
import { isSecretPath, urlPassword } from './secrets.js';

export type Env = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$(\$?)\{([^}]*)(\}?)/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const SECRET_RULE = 'secrets must come from the environment';

/** Returns the value with every reference resolved; problems for missing variables and literal secrets. */
export function interpolate(source: YamlSource, env: Env, problems: ConfigProblem[]): unknown {
  const problem = (path: ConfigPath, p: Omit<ConfigProblem, 'file' | 'path' | 'line'>) =>
    problems.push({ ...p, file: source.file, line: source.locate(path), path: formatPath(path) });

  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (isSecretPath(path) && !isSecretReference(value)) {
      // Never echo the value: it is the secret.
      problem(path, {
        code: 'K2P_CFG_INVALID',
        found:
          value === null
            ? 'null'
            : typeof value === 'string'
              ? 'a literal value'
              : `a literal ${describeKind(value)}`,
        expected: 'a ${VAR} reference',
        hint: SECRET_RULE,
      });
      return value;
    }
    if (typeof value === 'string') {
      const pw = urlPassword(value);
      if (pw !== undefined && !WHOLE_REFERENCE.test(pw)) {
        problem(path, {
          code: 'K2P_CFG_INVALID',
          found: 'a URL with a literal password',
          expected: 'the password as a ${VAR} reference, e.g. redis://:${REDIS_PASSWORD}@host:6379',
          hint: SECRET_RULE,
        });
      }
      return substitute(value, path);
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };

  const substitute = (text: string, path: ConfigPath): string =>
    text.replace(REFERENCE, (all, escape: string, inner: string, close: string) => {
      if (escape) return all.slice(1); // `$${X}` → `${X}`
      const m = close ? INNER.exec(inner) : null;
      if (!m) {
        problem(path, {
          code: 'K2P_CFG_INVALID',
          found: isSecretPath(path) ? 'a malformed reference' : describeValue(all),
          expected: '${VAR} or ${VAR:-default} (VAR: letters, digits, _), or $${ for a literal ${',
        });
        return all;
      }
      const [, name, fallback] = m;
      const set = env[name!];
      if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
      if (set === undefined) {
        problem(path, {
          code: 'K2P_CFG_ENV_MISSING',
          found: `\${${name}} (${name} is not set)`,
          expected: `${name} set in the environment`,
          // a default would be a secret in the file, so it is only suggested for other fields
          ...(isSecretPath(path) ? {} : { hint: `or write \${${name}:-default}` }),
        });
        return all;
      }
      return set;
    });

  return walk(source.value, []);
}

function isSecretReference(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && WHOLE_REFERENCE.test(value));
}

function describeKind(value: unknown): string {
  return Array.isArray(value) ? 'list' : typeof value === 'object' ? 'map' : typeof value;
}
