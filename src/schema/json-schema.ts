// JSON Schema (registry) → Pulsar JSON schema. Pulsar's JSON schema type carries an *Avro* record definition
// of the JSON documents (what the Java client's JSONSchema and the Python client's JsonSchema send, and what
// the broker's JsonSchemaCompatibilityCheck parses with Avro's Schema.Parser); the payload stays the JSON
// text as it is. The mapping:
//   object with properties → record (name: title, else the property name), required → T, optional → ["null", T]
//   object with only additionalProperties → map; array → array; string (and string enums) → string;
//   integer → long; number → double; boolean → boolean; null → null; a type list / anyOf / oneOf → union;
//   allOf → the merged properties; $ref → #/definitions, #/$defs, or a registry reference (by its name);
//   no type at all → string (documented: Avro has no "any").
import { K2pError } from '../errors.js';
import type { PulsarSchemaInfo } from './pulsar-schema.js';
import type { ResolvedSchema } from './registry-client.js';

type Json = Record<string, unknown>;
type Avro = string | Json | Avro[];

const PRIMITIVE: Record<string, string> = { string: 'string', integer: 'long', number: 'double', boolean: 'boolean', null: 'null' };

function avroName(text: string): string {
  const words = text.replace(/[^A-Za-z0-9_]+/g, ' ').trim();
  if (words === '') return 'Record';
  const name = words.includes(' ') ? words.split(/\s+/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') : words;
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

class Translator {
  private readonly names = new Set<string>();
  private readonly documents = new Map<string, Json>();
  private readonly refDepth = new Map<string, number>();

  constructor(
    private readonly root: Json,
    references: { name: string; schema: string }[],
  ) {
    for (const r of references) this.documents.set(r.name, parse(r.schema, `referenced schema ${r.name}`));
  }

  private unique(name: string): string {
    let n = name;
    for (let i = 2; this.names.has(n); i++) n = `${name}${i}`;
    this.names.add(n);
    return n;
  }

  private deref(ref: string, doc: Json): [Json, Json] {
    const [file, pointer = ''] = ref.split('#', 2);
    let target: Json | undefined = file ? this.documents.get(file) : doc;
    if (!target) throw new K2pError('K2P_SCH_TRANSLATE', `$ref "${ref}" names a schema that is neither in this document nor a registry reference`, { ref });
    const base = target;
    for (const part of pointer.split('/').filter((p) => p !== '')) {
      target = (target as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')] as Json | undefined;
      if (target === undefined) throw new K2pError('K2P_SCH_TRANSLATE', `$ref "${ref}" points at nothing`, { ref });
    }
    return [target, base];
  }

  type(schema: unknown, hint: string, doc: Json): Avro {
    if (schema === true || schema === undefined || schema === null || typeof schema !== 'object') return 'string';
    const s = schema as Json;
    if (typeof s.$ref === 'string') {
      const depth = this.refDepth.get(s.$ref) ?? 0;
      if (depth > 0) throw new K2pError('K2P_SCH_TRANSLATE', `$ref "${s.$ref}" is recursive; a Pulsar JSON schema (Avro form) cannot express it here`, { ref: s.$ref });
      this.refDepth.set(s.$ref, depth + 1);
      try {
        const [target, base] = this.deref(s.$ref, doc);
        const last = s.$ref.split('/').pop() ?? hint;
        return this.type(target, last || hint, base);
      } finally {
        this.refDepth.set(s.$ref, depth);
      }
    }
    const alternatives = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
    if (Array.isArray(alternatives)) return union(alternatives.map((a, i) => this.type(a, `${hint}${i}`, doc)));
    if (Array.isArray(s.allOf)) {
      const merged: Json = { type: 'object', properties: {}, required: [] };
      for (const part of s.allOf) {
        const p = (typeof part === 'object' && part !== null && typeof (part as Json).$ref === 'string' ? this.deref((part as Json).$ref as string, doc)[0] : part) as Json;
        Object.assign(merged.properties as Json, p.properties ?? {});
        (merged.required as string[]).push(...((p.required as string[]) ?? []));
        if (p.title && !merged.title) merged.title = p.title;
      }
      return this.type({ ...s, ...merged, allOf: undefined }, hint, doc);
    }
    let type = s.type;
    if (type === undefined) {
      if (s.properties !== undefined || s.additionalProperties !== undefined) type = 'object';
      else if (s.items !== undefined) type = 'array';
      else if (Array.isArray(s.enum) && s.enum.every((e) => typeof e === 'string')) type = 'string';
      else if (s.const !== undefined) type = typeof s.const === 'string' ? 'string' : typeof s.const === 'boolean' ? 'boolean' : typeof s.const === 'number' ? 'double' : 'string';
      else return 'string';
    }
    if (Array.isArray(type)) return union(type.map((t) => this.type({ ...s, type: t }, hint, doc)));
    if (typeof type !== 'string') return 'string';
    if (type in PRIMITIVE) return PRIMITIVE[type]!;
    if (type === 'array') return { type: 'array', items: this.type(Array.isArray(s.items) ? s.items[0] : s.items, `${hint}Item`, doc) };
    if (type === 'object') {
      const properties = s.properties as Json | undefined;
      if (properties === undefined || Object.keys(properties).length === 0) {
        if (s.additionalProperties && typeof s.additionalProperties === 'object') return { type: 'map', values: this.type(s.additionalProperties, `${hint}Value`, doc) };
        return { type: 'map', values: 'string' };
      }
      const required = new Set((s.required as string[] | undefined) ?? []);
      const name = this.unique(avroName(typeof s.title === 'string' ? s.title : hint));
      const fields = Object.entries(properties).map(([field, sub]) => {
        const t = this.type(sub, field[0]!.toUpperCase() + field.slice(1), doc);
        if (required.has(field)) return { name: field, type: t };
        return { name: field, type: union(['null', t]), default: null };
      });
      return { type: 'record', name, fields };
    }
    throw new K2pError('K2P_SCH_TRANSLATE', `JSON Schema type "${type}" at ${hint} has no Avro form`, { type, at: hint });
  }

  translate(): Avro {
    const t = this.type(this.root, typeof this.root.title === 'string' ? this.root.title : 'Record', this.root);
    if (typeof t !== 'object' || Array.isArray(t) || t.type !== 'record') {
      throw new K2pError('K2P_SCH_TRANSLATE', 'the JSON Schema does not describe an object with properties; Pulsar JSON schemas are records', { found: JSON.stringify(t).slice(0, 200) });
    }
    return t;
  }
}

function union(types: Avro[]): Avro {
  const flat: Avro[] = [];
  const seen = new Set<string>();
  for (const t of types.flatMap((x) => (Array.isArray(x) ? x : [x]))) {
    const key = typeof t === 'string' ? t : JSON.stringify(t);
    if (seen.has(key)) continue;
    seen.add(key);
    flat.push(t);
  }
  // "null" first: a field's default null must match the union's first branch.
  flat.sort((a, b) => (a === 'null' ? -1 : b === 'null' ? 1 : 0));
  return flat.length === 1 ? flat[0]! : flat;
}

function parse(text: string, what: string): Json {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Json;
  } catch (err) {
    throw new K2pError('K2P_SCH_TRANSLATE', `${what} is not valid JSON: ${(err as Error).message}`, { what });
  }
  throw new K2pError('K2P_SCH_TRANSLATE', `${what} is not a JSON Schema object`, { what });
}

/** The Avro form of a JSON Schema (with its registry references). */
export function jsonSchemaToAvro(schema: Pick<ResolvedSchema, 'schema' | 'resolved' | 'id'>): Json {
  const root = parse(schema.schema, `schema id ${schema.id}`);
  return new Translator(
    root,
    schema.resolved.map((r) => ({ name: r.name, schema: r.schema.schema })),
  ).translate() as Json;
}

export function jsonSchemaToPulsar(schema: ResolvedSchema): PulsarSchemaInfo {
  const record = jsonSchemaToAvro(schema);
  return { type: 'Json', name: record.name as string, data: Buffer.from(JSON.stringify(record), 'utf8'), properties: {} };
}
