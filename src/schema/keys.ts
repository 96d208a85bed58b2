// Schema-encoded Kafka keys (a registry-framed key: magic 0 + schema id [+ Protobuf message indexes] + body).
// Two ways to carry them into Pulsar, both pure functions here (no I/O):
//   canonical string — the key body decoded with its writer schema and written as one canonical text, so Pulsar
//                      consumers key on readable values and the same key always gives the same string;
//   KeyValue schema  — the topic gets a KEY_VALUE schema (SEPARATED encoding) whose data holds the key and value
//                      schemas in the layout of Pulsar's Java client (KeyValueSchemaInfo.encodeKeyValueSchemaInfo,
//                      KeyValue.encode): int32 big-endian length of the key schema data, the key schema data,
//                      int32 length of the value schema data, the value schema data; properties name each side.
import avro from 'avsc';
import { K2pError } from '../errors.js';
import { avroType } from './avro.js';
import { protobufType } from './protobuf.js';
import type { PulsarSchemaInfo, PulsarSchemaType } from './pulsar-schema.js';
import type { ResolvedSchema } from './registry-client.js';

/**
 * The canonical text of a decoded key value:
 *  - a string is itself; a number, long or boolean its plain decimal / JSON text (`42`, `true`); null is ``;
 *  - anything else (record, array, map, Protobuf message) is compact JSON text: record fields in schema order
 *    (Avro) or by field number (Protobuf), JSON Schema objects with their keys sorted, map keys
 *    sorted, bytes as base64, Avro unions unwrapped (the branch's value), Protobuf longs as decimal strings,
 *    enums by name, unset Protobuf fields with their defaults.
 */
export function canonicalText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  return JSON.stringify(jsonable(value, false));
}

function jsonable(value: unknown, sortKeys: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => jsonable(v, sortKeys));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const k of [...value.keys()].map(String).sort()) out[k] = jsonable(value.get(k), sortKeys);
    return out;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (sortKeys) keys.sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = jsonable((value as Record<string, unknown>)[k], sortKeys);
    return out;
  }
  return value;
}

/** Avro maps carry no order: their keys are sorted so equal maps give equal text. Records keep schema order. */
function avroCanonical(type: avro.Type, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const typeName = type.typeName;
  if (type instanceof avro.types.RecordType) {
    const out: Record<string, unknown> = {};
    for (const field of type.fields) out[field.name] = avroCanonical(field.type, (value as Record<string, unknown>)[field.name]);
    return out;
  }
  if (type instanceof avro.types.MapType) {
    const m = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(m).sort()) out[k] = avroCanonical(type.valuesType, m[k]);
    return out;
  }
  if (type instanceof avro.types.ArrayType) return (value as unknown[]).map((v) => avroCanonical(type.itemsType, v));
  if (type instanceof avro.types.UnwrappedUnionType) {
    const branch = type.types.find((t) => t.isValid(value));
    return branch ? avroCanonical(branch, value) : jsonable(value, false);
  }
  if (type instanceof avro.types.LogicalType) return jsonable(value, false);
  if (typeName === 'bytes' || typeName === 'fixed') return Buffer.from(value as Buffer).toString('base64');
  return jsonable(value, false);
}

/** A function giving the canonical string of a key body written with `schema` (the key's registry schema). */
export function keyDecoder(schema: ResolvedSchema, messageIndexes: readonly number[] = [0]): (body: Buffer) => string {
  const fail = (reason: string): never => {
    throw new K2pError('K2P_SCH_BODY', `the key does not decode with its schema (registry id ${schema.id}, ${schema.schemaType}): ${reason}`, { schemaId: schema.id, part: 'key' });
  };
  switch (schema.schemaType) {
    case 'AVRO': {
      const type = avroType(schema);
      return (body) => {
        let decoded: { value: unknown; offset: number };
        try {
          decoded = type.decode(body, 0);
        } catch (err) {
          return fail((err as Error).message);
        }
        if (decoded.offset !== body.length) fail(decoded.offset < 0 ? `${body.length} bytes are too few` : `${body.length - decoded.offset} bytes left over after the value`);
        const v = avroCanonical(type, decoded.value);
        return typeof v === 'object' && v !== null ? JSON.stringify(v) : canonicalText(v);
      };
    }
    case 'JSON':
      return (body) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch (err) {
          return fail(`not JSON (${(err as Error).message})`);
        }
        return typeof parsed === 'object' && parsed !== null ? JSON.stringify(jsonable(parsed, true)) : canonicalText(parsed);
      };
    case 'PROTOBUF': {
      const type = protobufType(schema, messageIndexes);
      return (body) => {
        let message: ReturnType<typeof type.decode>;
        try {
          message = type.decode(body);
        } catch (err) {
          return fail((err as Error).message);
        }
        const object = type.toObject(message, { longs: String, enums: String, bytes: String, defaults: true, arrays: true, objects: true, oneofs: false });
        // protobufjs lists fields in declaration order; sort them by field number for a stable canonical order.
        const ordered: Record<string, unknown> = {};
        for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) if (field.name in object) ordered[field.name] = object[field.name];
        return JSON.stringify(jsonable(ordered, false));
      };
    }
    default:
      throw new K2pError('K2P_SCH_TRANSLATE', `key schema id ${schema.id} has type ${String(schema.schemaType)}, which cannot be decoded`, { schemaId: schema.id });
  }
}

// ---- KeyValue schema (SEPARATED)

/** Pulsar's SchemaType enum names, as the KeyValue properties spell them. */
export const JAVA_SCHEMA_TYPE: Record<PulsarSchemaType, string> = {
  Avro: 'AVRO',
  Json: 'JSON',
  ProtobufNative: 'PROTOBUF_NATIVE',
  String: 'STRING',
  KeyValue: 'KEY_VALUE',
};

/** Properties as the Java client's SchemaUtils.serializeSchemaProperties writes them (Gson, pretty-printed). */
function serializeProperties(properties: Record<string, string>): string {
  return JSON.stringify(properties, null, 2);
}

/**
 * The KEY_VALUE schema for a key schema and a value schema, SEPARATED encoding (the key travels in the message
 * key, base64-flagged; the value in the payload), as the Java client's KeyValueSchemaInfo encodes it.
 */
export function keyValueSchemaInfo(key: PulsarSchemaInfo, value: PulsarSchemaInfo): PulsarSchemaInfo {
  const data = Buffer.alloc(8 + key.data.length + value.data.length);
  data.writeInt32BE(key.data.length, 0);
  key.data.copy(data, 4);
  data.writeInt32BE(value.data.length, 4 + key.data.length);
  value.data.copy(data, 8 + key.data.length);
  return {
    type: 'KeyValue',
    name: 'KeyValue',
    data,
    properties: {
      'key.schema.name': key.name,
      'key.schema.type': JAVA_SCHEMA_TYPE[key.type],
      'key.schema.properties': serializeProperties(key.properties),
      'value.schema.name': value.name,
      'value.schema.type': JAVA_SCHEMA_TYPE[value.type],
      'value.schema.properties': serializeProperties(value.properties),
      'kv.encoding.type': 'SEPARATED',
    },
  };
}

/** The key and value schema data of a KEY_VALUE schema's data (for checks and tools). */
export function splitKeyValueSchemaData(data: Buffer): { key: Buffer | null; value: Buffer | null } {
  const fail = (): never => {
    throw new K2pError('K2P_SCH_TRANSLATE', `KeyValue schema data of ${data.length} bytes is truncated`, { length: data.length });
  };
  if (data.length < 8) fail();
  const keyLength = data.readInt32BE(0);
  const keyEnd = 4 + Math.max(keyLength, 0);
  if (keyEnd + 4 > data.length) fail();
  const valueLength = data.readInt32BE(keyEnd);
  if (keyEnd + 4 + Math.max(valueLength, 0) !== data.length) fail();
  return {
    key: keyLength < 0 ? null : data.subarray(4, keyEnd),
    value: valueLength < 0 ? null : data.subarray(keyEnd + 4),
  };
}
