// Validates one interpolated file against its JSON Schema with ajv and turns every ajv error into a
// ConfigProblem that names the path, what was found and what was expected.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { connectorsFileSchema, mappingsFileSchema, MAPPING_KEYS } from './json-schema.js';
import { describeValue, formatPath, type ConfigPath, type ConfigProblem } from './problems.js';
import { isSecretPath, REDACTED } from './secrets.js';
import type { YamlSource } from './yaml-source.js';

type Schema = Record<string, unknown>;

const SECRET_PATTERN = '^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$';

// At load the secrets are already resolved (and checked raw, in interpolate.ts): drop their ${VAR} pattern.
function withoutSecretPatterns(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutSecretPatterns);
  if (schema === null || typeof schema !== 'object') return schema;
  const entries = Object.entries(schema).filter(
    ([k]) =>
      !((k === 'pattern' || k === 'patternErrorMessage') && (schema as Schema).pattern === SECRET_PATTERN),
  );
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutSecretPatterns(v)]));
}

let compiled: { connectors: ValidateFunction; mappings: ValidateFunction } | undefined;

function validators() {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' }); // an annotation editors show
    compiled = {
      connectors: ajv.compile(withoutSecretPatterns(connectorsFileSchema) as Schema),
      mappings: ajv.compile(withoutSecretPatterns(mappingsFileSchema) as Schema),
    };
  }
  return compiled;
}

/** Problems of one file's (interpolated) value; `skip` holds paths already reported (env, secrets). */
export function validateFile(
  source: YamlSource,
  value: unknown,
  skip: ReadonlySet<string>,
  problems: ConfigProblem[],
) {
  const add = (path: ConfigPath, found: string, expected: string, key = false) => {
    const p = formatPath(path);
    if ([...skip].some((s) => p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`))) return;
    problems.push({
      code: 'K2P_CFG_INVALID',
      file: source.file,
      line: source.locate(path, { key }),
      path: p,
      found,
      expected,
    });
  };
  if (value === null || value === undefined) {
    add([], 'an empty file', 'connectors: and/or a mapping (source, target, topics, groups)');
    return;
  }
  const isMapping =
    typeof value === 'object' && !Array.isArray(value) && MAPPING_KEYS.some((k) => k in (value as object));
  const validate = isMapping ? validators().mappings : validators().connectors;
  if (validate(value)) return;
  for (const err of validate.errors ?? []) {
    const p = problemOf(err, value, source.value);
    if (p) add(p.path, p.found, p.expected, p.key);
  }
}

function problemOf(err: ErrorObject, root: unknown, rawRoot: unknown) {
  const path = pointerToPath(err.instancePath, root);
  const parent = (err.parentSchema ?? {}) as Schema;
  // A value that came through ${VAR} is shown as written: environment values may be secrets.
  const found = (at: ConfigPath, data: unknown) => {
    if (isSecretPath(at)) return REDACTED;
    const raw = valueAt(rawRoot, at);
    return typeof raw === 'string' && raw.includes('${')
      ? `${describeValue(raw)} (from the environment)`
      : describeValue(data);
  };
  const params = err.params as Record<string, unknown>;
  if ((err as { propertyName?: string }).propertyName !== undefined) return undefined; // reported by propertyNames
  switch (err.keyword) {
    case 'if':
      return undefined; // the `then` branch reports the real error
    case 'required': {
      const missing = String(params.missingProperty);
      const props = (parent.properties ?? {}) as Record<string, Schema>;
      return {
        path: [...path, missing],
        found: 'nothing',
        expected: describeSchema(props[missing] ?? {}),
        key: false,
      };
    }
    case 'dependencies': {
      const missing = String(params.missingProperty);
      return {
        path: [...path, missing],
        found: 'nothing',
        expected: `${missing} (a mapping with ${String(params.property)} needs ${String(params.deps)})`,
        key: false,
      };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as object);
      return {
        path: [...path, extra],
        found: `unknown key "${extra}"`,
        expected: `one of ${allowed.join(' | ')}`,
        key: true,
      };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const names = (err.schema ?? {}) as Schema;
      return {
        path: [...path, name],
        found: `the name "${name}"`,
        expected: String(names.patternErrorMessage ?? names.pattern),
        key: true,
      };
    }
    case 'enum':
      return {
        path,
        found: found(path, err.data),
        expected: `one of ${(params.allowedValues as unknown[]).join(' | ')}`,
        key: false,
      };
    case 'pattern':
      return {
        path,
        found: found(path, err.data),
        expected: String(parent.patternErrorMessage ?? `a string matching ${String(params.pattern)}`),
        key: false,
      };
    case 'minItems':
      return {
        path,
        found: found(path, err.data),
        expected: `at least ${String(params.limit)} item(s)`,
        key: false,
      };
    case 'minLength':
      return { path, found: found(path, err.data), expected: 'a non-empty string', key: false };
    case 'type':
    case 'const':
      return { path, found: found(path, err.data), expected: describeSchema(parent), key: false };
    default:
      return { path, found: found(path, err.data), expected: err.message ?? 'a valid value', key: false };
  }
}

/** A short human description of what a schema accepts. */
export function describeSchema(schema: Schema): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.join(' | ')}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (typeof schema.patternErrorMessage === 'string' && schema.type === 'string')
    return schema.patternErrorMessage;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return 'a value';
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  number: 'a number',
  integer: 'an integer',
};

/** `/topics/1/route` → ['topics', 1, 'route'] (numbers where the data is a list). */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) ? Number(seg) : seg;
    path.push(key);
    node =
      node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return path;
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  let node = root;
  for (const seg of path)
    node =
      node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined;
  return node;
}
