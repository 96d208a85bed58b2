// One config mistake = one ConfigProblem: the file, the line when known, the path inside the file, what was
// found and what was expected. Loading collects them all and throws once, so a user fixes a file in one pass.
import { K2pError } from '../errors.js';

export type ConfigPath = readonly (string | number)[];

export interface ConfigProblem {
  readonly code: 'K2P_CFG_INVALID' | 'K2P_CFG_ENV_MISSING';
  /** The file as the user named it (or dir/name when found in a directory). */
  readonly file: string;
  /** 1-based line, when the YAML position is known. */
  readonly line?: number;
  /** Path inside the file, e.g. `topics[1].route` or `connectors.kafka-prod.sasl.password`. */
  readonly path: string;
  readonly found: string;
  readonly expected: string;
  /** Extra explanation appended after the expected part (e.g. the regex engine's message). */
  readonly hint?: string;
}

/** `connectors.kafka-prod.sasl.password`, `topics[1].route`; `(top level)` for the document itself. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? '(top level)' : out;
}

/** `mappings/shop.yaml:12: topics[1].route: found "kafak", expected one of kafka | pulsar | dual`. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return `${where}: ${p.path}: found ${p.found}, expected ${p.expected}${p.hint ? ` (${p.hint})` : ''}`;
}

/** How a found value reads in a message. Callers pass secret values through `redactSecretValue` first. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${String(value)} (${typeof value})`;
  if (Array.isArray(value)) return `a list (${value.length} item${value.length === 1 ? '' : 's'})`;
  return 'a map';
}

/**
 * Throws one K2pError for all problems. The code is K2P_CFG_INVALID when any problem is a mistake in a file,
 * K2P_CFG_ENV_MISSING when the files are fine and only environment variables are missing.
 */
export function throwProblems(problems: readonly ConfigProblem[]): void {
  if (problems.length === 0) return;
  const code = problems.some((p) => p.code === 'K2P_CFG_INVALID') ? 'K2P_CFG_INVALID' : 'K2P_CFG_ENV_MISSING';
  const lines = problems.map(formatProblem);
  const message =
    lines.length === 1
      ? lines[0]!
      : `${lines.length} problems in the configuration:\n  ${lines.join('\n  ')}`;
  throw new K2pError(code, message, { problems });
}
