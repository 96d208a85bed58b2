// The embedded schema formats of the REST Proxy (avro, jsonschema, protobuf): a JSON value ⇄ the body of a
// Confluent-framed record, for one registry schema. Schema parsing is src/schema's (avroType, protobufType);
// this file only says how a REST client's JSON maps onto each format, as Confluent's proxy does:
//   avro       — Avro's JSON encoding (unions as {"type": value}, bytes as \u00XX strings) ⇄ Avro binary;
//   jsonschema — any JSON value valid against the schema ⇄ its UTF-8 JSON text;
//   protobuf   — the message as a JSON object (field names as declared, enums by name or number, 64-bit integers
//                as numbers or decimal strings, bytes as base64) ⇄ Protobuf binary of the schema's first message.
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import protobuf from 'protobufjs';
import { avroType, protobufType, type RegistrySchemaType, type ResolvedSchema } from '../../schema/index.js';
import { CODES, RestError } from '../rest-error.js';

export type SchemaFormat = 'avro' | 'jsonschema' | 'protobuf';

export const REGISTRY_TYPE: Record<SchemaFormat, RegistrySchemaType> = { avro: 'AVRO', jsonschema: 'JSON', protobuf: 'PROTOBUF' };
export const FORMAT_OF: Record<RegistrySchemaType, SchemaFormat> = { AVRO: 'avro', JSON: 'jsonschema', PROTOBUF: 'protobuf' };

export function isSchemaFormat(f: string): f is SchemaFormat {
  return f === 'avro' || f === 'jsonschema' || f === 'protobuf';
}

/** A value that does not fit its schema: 42203, as Confluent's "Conversion of JSON to ... failed". */
export function conversionFailed(what: string, format: SchemaFormat, reason: string): RestError {
  return new RestError(CODES.JSON_CONVERSION, `Conversion of JSON to ${format === 'jsonschema' ? 'JSON Schema' : format === 'avro' ? 'Avro' : 'Protobuf'} failed: ${what}: ${reason}`);
}

export interface BodyCodec {
  format: SchemaFormat;
  /** JSON value → body bytes (without the registry header); 42203 when the value does not fit. */
  encode(value: unknown, what: string): Buffer;
  /** Body bytes → JSON value as a consumer of the format sees it. */
  decode(body: Buffer): unknown;
}

// ---- avro

function avroCodec(schema: ResolvedSchema): BodyCodec {
  const type = avroType(schema);
  return {
    format: 'avro',
    encode(value, what) {
      let decoded: unknown;
      try {
        // Avro's JSON encoding (coerce mode of fromString), checked against the schema on the way.
        decoded = type.fromString(JSON.stringify(value));
      } catch (err) {
        throw conversionFailed(what, 'avro', (err as Error).message);
      }
      const problems: string[] = [];
      if (!type.isValid(decoded, { errorHook: (path) => problems.push(path.join('.') || '(root)') })) {
        throw conversionFailed(what, 'avro', `the value does not match the schema at ${problems.slice(0, 5).join(', ')}`);
      }
      return type.toBuffer(decoded);
    },
    decode(body) {
      return JSON.parse(type.toString(type.fromBuffer(body))) as unknown;
    },
  };
}

// ---- JSON Schema

function ajvFor(meta: unknown): Ajv {
  const options = { strict: false, allErrors: false, validateFormats: false } as const;
  if (typeof meta === 'string' && meta.includes('2020-12')) return new Ajv2020(options) as unknown as Ajv;
  if (typeof meta === 'string' && meta.includes('2019-09')) return new Ajv2019(options) as unknown as Ajv;
  return new Ajv(options);
}

function describeAjv(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  return e ? `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}` : 'the value is not valid';
}

function jsonSchemaCodec(schema: ResolvedSchema): BodyCodec {
  let validate: (v: unknown) => boolean;
  let errors: () => ErrorObject[] | null | undefined;
  try {
    const doc = JSON.parse(schema.schema) as Record<string, unknown>;
    const ajv = ajvFor(doc.$schema);
    // Draft-04/06 meta-schemas are not bundled: such schemas are validated as draft-07 (nearly the same rules).
    if (typeof doc.$schema === 'string' && /draft-0[46]/.test(doc.$schema)) delete doc.$schema;
    for (const ref of schema.resolved) ajv.addSchema(JSON.parse(ref.schema.schema) as object, ref.name);
    const fn = ajv.compile(doc);
    validate = (v) => fn(v) as boolean;
    errors = () => fn.errors;
  } catch (err) {
    throw new RestError(CODES.INVALID_SCHEMA, `Invalid schema: schema id ${schema.id} is not a valid JSON Schema: ${(err as Error).message}`);
  }
  return {
    format: 'jsonschema',
    encode(value, what) {
      if (!validate(value)) throw conversionFailed(what, 'jsonschema', describeAjv(errors()));
      return Buffer.from(JSON.stringify(value), 'utf8');
    },
    decode(body) {
      return JSON.parse(body.toString('utf8')) as unknown;
    },
  };
}

// ---- Protobuf

const INT32 = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Checks a JSON value against a message type as protobuf's JSON mapping allows (protobufjs's fromObject coerces silently). */
function checkMessage(type: protobuf.Type, value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path || '(root)'} must be an object`;
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const field = type.fields[name];
    const at = path ? `${path}.${name}` : name;
    if (!field) return `${at} is not a field of ${type.name}`;
    if (v === null) continue;
    field.resolve();
    if (field.map) {
      if (typeof v !== 'object' || Array.isArray(v)) return `${at} must be an object (a map)`;
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const problem = checkScalarOrType(field, item, `${at}.${k}`);
        if (problem) return problem;
      }
    } else if (field.repeated) {
      if (!Array.isArray(v)) return `${at} must be an array`;
      for (let i = 0; i < v.length; i++) {
        const problem = checkScalarOrType(field, v[i], `${at}[${i}]`);
        if (problem) return problem;
      }
    } else {
      const problem = checkScalarOrType(field, v, at);
      if (problem) return problem;
    }
  }
  return undefined;
}

function checkScalarOrType(field: protobuf.Field, v: unknown, at: string): string | undefined {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return checkMessage(resolved, v, at);
  if (resolved instanceof protobuf.Enum) {
    if (typeof v === 'string' && v in resolved.values) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return undefined;
    return `${at} must be one of ${Object.keys(resolved.values).join(', ')}`;
  }
  const t = field.type;
  if (INT32.has(t)) return typeof v === 'number' && Number.isInteger(v) ? undefined : `${at} must be an integer (${t})`;
  if (INT64.has(t)) return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?[0-9]+$/.test(v)) ? undefined : `${at} must be an integer (${t})`;
  if (t === 'double' || t === 'float') return typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? undefined : `${at} must be a number`;
  if (t === 'bool') return typeof v === 'boolean' ? undefined : `${at} must be true or false`;
  if (t === 'string') return typeof v === 'string' ? undefined : `${at} must be a string`;
  if (t === 'bytes') return typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) ? undefined : `${at} must be base64 bytes`;
  return undefined;
}

/** Protobuf's JSON form of a message (what decode answers and encode takes). */
export function protobufJson(type: protobuf.Type, message: protobuf.Message): unknown {
  return type.toObject(message, { longs: String, enums: String, bytes: String, defaults: true, arrays: true, objects: true, oneofs: false });
}

function protobufCodec(schema: ResolvedSchema, indexes: readonly number[]): BodyCodec {
  const type = protobufType(schema, indexes);
  return {
    format: 'protobuf',
    encode(value, what) {
      const problem = checkMessage(type, value, '');
      if (problem) throw conversionFailed(what, 'protobuf', problem);
      try {
        return Buffer.from(type.encode(type.fromObject(value as Record<string, unknown>)).finish());
      } catch (err) {
        throw conversionFailed(what, 'protobuf', (err as Error).message);
      }
    },
    decode(body) {
      return protobufJson(type, type.decode(body));
    },
  };
}

/** The codec of a registry schema (Protobuf: of the message the indexes name, [0] = the first). */
export function bodyCodec(schema: ResolvedSchema, indexes: readonly number[] = [0]): BodyCodec {
  switch (schema.schemaType) {
    case 'AVRO':
      return avroCodec(schema);
    case 'JSON':
      return jsonSchemaCodec(schema);
    case 'PROTOBUF':
      return protobufCodec(schema, indexes);
  }
}
