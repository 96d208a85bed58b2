// One v3 produce record (`{partition_id?, headers?, key?, value?, timestamp?}`) → an IncomingRecord, and the
// per-record report the REST Proxy answers with. Keys and values of type AVRO, JSONSCHEMA or PROTOBUF (or with
// a schema_id / schema_version / schema and no type) are encoded afterwards, through the registry
// (encodeSchemaParts): `schema_id`, else `schema_version` of the subject, else `schema` text (registered), else
// the subject's latest version; the subject defaults to `<topic>-key` / `<topic>-value` (TOPIC_NAME).
import type { FacadeCore } from '../facade.js';
import { isObject } from '../http/body.js';
import type { IncomingRecord, RecordResult } from '../records.js';
import { CODES, RestError } from '../rest-error.js';
import type { SchemaFormat } from '../schema/codecs.js';
import { EmbeddedSchemas, type SchemaSpec } from '../schema/embedded-schemas.js';
import { decodeBase64 } from '../v2/embedded.js';

export type DataType = 'BINARY' | 'JSON' | 'STRING' | 'AVRO' | 'JSONSCHEMA' | 'PROTOBUF';

const SCHEMA_TYPES: Record<string, SchemaFormat> = { AVRO: 'avro', JSONSCHEMA: 'jsonschema', PROTOBUF: 'protobuf' };
const TYPE_OF: Record<SchemaFormat, DataType> = { avro: 'AVRO', jsonschema: 'JSONSCHEMA', protobuf: 'PROTOBUF' };

/** A key or value waiting for its registry schema. */
interface SchemaPart {
  format: SchemaFormat | undefined;
  spec: SchemaSpec;
  data: unknown;
}

/** What the report says of a schema-typed key or value. */
interface SchemaInfo {
  subject?: string;
  schema_id: number;
  schema_version?: number;
}

export interface ParsedV3 {
  record: IncomingRecord;
  keyType: DataType | undefined;
  valueType: DataType | undefined;
  /** Keys and values to encode through the registry (encodeSchemaParts). */
  pending?: { key?: SchemaPart; value?: SchemaPart };
  keySchema?: SchemaInfo;
  valueSchema?: SchemaInfo;
}

function schemaSpec(part: Record<string, unknown>, what: string): SchemaSpec {
  const spec: SchemaSpec = {};
  if (part.subject_name_strategy !== undefined && part.subject_name_strategy !== null && part.subject_name_strategy !== 'TOPIC_NAME') {
    throw new RestError(CODES.BAD_REQUEST, `${what}.subject_name_strategy: only TOPIC_NAME is supported by this gateway`);
  }
  if (part.schema_id !== undefined && part.schema_id !== null) {
    if (typeof part.schema_id !== 'number' || !Number.isInteger(part.schema_id) || part.schema_id < 0) throw new RestError(CODES.BAD_REQUEST, `${what}.schema_id must be an integer`);
    spec.id = part.schema_id;
  }
  if (part.schema_version !== undefined && part.schema_version !== null) {
    if (typeof part.schema_version !== 'number' || !Number.isInteger(part.schema_version) || part.schema_version < 1) throw new RestError(CODES.BAD_REQUEST, `${what}.schema_version must be an integer ≥ 1`);
    spec.version = part.schema_version;
  }
  if (part.schema !== undefined && part.schema !== null) {
    if (typeof part.schema !== 'string') throw new RestError(CODES.BAD_REQUEST, `${what}.schema must be the schema as a string`);
    spec.schema = part.schema;
  }
  if (part.subject !== undefined && part.subject !== null) {
    if (typeof part.subject !== 'string' || part.subject === '') throw new RestError(CODES.BAD_REQUEST, `${what}.subject must be a subject name`);
    spec.subject = part.subject;
  }
  return spec;
}

function data(part: unknown, what: string): { bytes: Buffer | null; type: DataType | undefined; pending?: SchemaPart } {
  if (part === undefined || part === null) return { bytes: null, type: undefined };
  if (!isObject(part)) throw new RestError(CODES.BAD_REQUEST, `${what} must be an object {type, data}`);
  const named = part.schema_id !== undefined || part.schema !== undefined || part.schema_version !== undefined || part.subject !== undefined;
  if (part.type === undefined && named) return { bytes: null, type: undefined, pending: { format: undefined, spec: schemaSpec(part, what), data: part.data } };
  const type: unknown = part.type === undefined ? 'JSON' : part.type;
  if (typeof type === 'string' && SCHEMA_TYPES[type]) return { bytes: null, type: type as DataType, pending: { format: SCHEMA_TYPES[type], spec: schemaSpec(part, what), data: part.data } };
  if (named) throw new RestError(CODES.BAD_REQUEST, `${what}: schema_id, schema_version, schema and subject go with type AVRO, JSONSCHEMA or PROTOBUF`);
  if (type !== 'BINARY' && type !== 'JSON' && type !== 'STRING') {
    throw new RestError(CODES.BAD_REQUEST, `${what}.type must be one of BINARY, JSON, STRING, AVRO, JSONSCHEMA, PROTOBUF`);
  }
  if (part.data === undefined || part.data === null) return { bytes: null, type };
  switch (type) {
    case 'BINARY':
      return { bytes: decodeBase64(part.data, `${what}.data`), type };
    case 'JSON':
      return { bytes: Buffer.from(JSON.stringify(part.data), 'utf8'), type };
    case 'STRING':
      if (typeof part.data !== 'string') throw new RestError(CODES.BAD_REQUEST, `${what}.data must be a string for type STRING`);
      return { bytes: Buffer.from(part.data, 'utf8'), type };
  }
}

export function parseV3Record(body: unknown, what = 'record'): ParsedV3 {
  if (!isObject(body)) throw new RestError(CODES.BAD_REQUEST, `${what} must be a JSON object`);
  const key = data(body.key, `${what}.key`);
  const value = data(body.value, `${what}.value`);
  const record: IncomingRecord = { key: key.bytes, value: value.bytes, headers: [] };
  const parsed: ParsedV3 = { record, keyType: key.type, valueType: value.type };
  if (key.pending || value.pending) parsed.pending = { key: key.pending, value: value.pending };
  if (body.partition_id !== undefined && body.partition_id !== null) {
    if (typeof body.partition_id !== 'number' || !Number.isInteger(body.partition_id)) throw new RestError(CODES.BAD_REQUEST, `${what}.partition_id must be an integer`);
    record.partition = body.partition_id;
  }
  if (body.headers !== undefined && body.headers !== null) {
    if (!Array.isArray(body.headers)) throw new RestError(CODES.BAD_REQUEST, `${what}.headers must be an array`);
    record.headers = body.headers.map((h: unknown, i) => {
      if (!isObject(h) || typeof h.name !== 'string') throw new RestError(CODES.BAD_REQUEST, `${what}.headers[${i}] must be {name, value}`);
      return { key: h.name, value: h.value === null || h.value === undefined ? null : decodeBase64(h.value, `${what}.headers[${i}].value`) };
    });
  }
  if (body.timestamp !== undefined && body.timestamp !== null) {
    const ms = typeof body.timestamp === 'string' ? Date.parse(body.timestamp) : NaN;
    if (!Number.isFinite(ms) || ms < 0) throw new RestError(CODES.BAD_REQUEST, `${what}.timestamp must be an ISO 8601 date-time`);
    record.timestamp = ms;
  }
  return parsed;
}

async function encodePart(schemas: EmbeddedSchemas, core: FacadeCore, topic: string, parsed: ParsedV3, part: 'key' | 'value'): Promise<void> {
  const pending = parsed.pending?.[part];
  if (!pending) return;
  const writer = await schemas.writer(core.routes.lookup(topic), part === 'key', pending.format, pending.spec, true);
  parsed.record[part] = EmbeddedSchemas.encode(writer, pending.data, part);
  const info: SchemaInfo = { schema_id: writer.id };
  if (writer.subject !== undefined) Object.assign(info, { subject: writer.subject, schema_version: writer.version });
  if (part === 'key') {
    parsed.keyType = TYPE_OF[writer.format];
    parsed.keySchema = info;
  } else {
    parsed.valueType = TYPE_OF[writer.format];
    parsed.valueSchema = info;
  }
}

/**
 * Encodes the schema-typed keys and values of records through the registry; answers each record's failure
 * (or undefined) in place. Records without them cost nothing.
 */
export async function encodeSchemaParts(core: FacadeCore, topic: string, parsed: readonly ParsedV3[]): Promise<(RestError | undefined)[]> {
  const out: (RestError | undefined)[] = new Array(parsed.length).fill(undefined);
  if (!parsed.some((p) => p.pending)) return out;
  const schemas = core.schemas;
  await Promise.all(
    parsed.map(async (p, i) => {
      if (!p.pending) return;
      try {
        if (!schemas) throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, 'AVRO, JSONSCHEMA and PROTOBUF need a schema registry');
        await encodePart(schemas, core, topic, p, 'key');
        await encodePart(schemas, core, topic, p, 'value');
        delete p.pending;
      } catch (err) {
        if (!(err instanceof RestError)) throw err;
        out[i] = err;
      }
    }),
  );
  return out;
}

let lastTime = NaN;
let lastIso = '';
/** ISO 8601 text of a time in ms; records of a stream mostly share their millisecond. */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastIso = new Date(ms).toISOString();
    lastTime = ms;
  }
  return lastIso;
}

/** A record's failure as its v3 report. */
export function failure(err: unknown): { error_code: number; message: string } {
  const e = err instanceof RestError ? err : new RestError(CODES.INTERNAL, 'Internal server error');
  // v3 answers a record it cannot read with 400 (v2 says 422 for the same mistakes).
  return { error_code: e.status === 422 ? 400 : e.status, message: e.message };
}

function reportPart(type: DataType | undefined, bytes: Buffer | null, schema?: SchemaInfo): Record<string, unknown> | null {
  return type === undefined ? null : { type, ...schema, size: bytes?.length ?? 0 };
}

export function report(clusterId: string, topic: string, parsed: ParsedV3, result: RecordResult): Record<string, unknown> {
  if (result.error) return { error_code: result.error.status, message: result.error.message };
  return {
    error_code: 200,
    cluster_id: clusterId,
    topic_name: topic,
    partition_id: result.partition,
    offset: Number(result.offset),
    timestamp: isoTime(result.timestamp),
    key: reportPart(parsed.keyType, parsed.record.key, parsed.keySchema),
    value: reportPart(parsed.valueType, parsed.record.value, parsed.valueSchema),
  };
}
