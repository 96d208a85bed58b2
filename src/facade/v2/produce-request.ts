// A v2 produce body (`{records:[{key?, value?, partition?}], key_schema?, ...}`) checked whole and decoded
// to records; any mistake refuses the whole request (nothing is written). The avro, jsonschema and protobuf
// formats take their writer schemas from the registry (`*_schema` text or `*_schema_id`) and become framed bytes.
import { decodeBase64, decodeEmbedded } from './embedded.js';
import type { EmbeddedFormat } from '../http/media-types.js';
import type { IncomingRecord } from '../records.js';
import { isObject } from '../http/body.js';
import { CODES, RestError } from '../rest-error.js';
import type { TopicRoute } from '../route-table.js';
import { isSchemaFormat, type SchemaFormat } from '../schema/codecs.js';
import { EmbeddedSchemas, type WriterSchema } from '../schema/embedded-schemas.js';

export interface V2ProduceOptions {
  /** Opt-in extension: `headers: [{name, value(base64)}]` and `timestamp` (ms) on records. */
  extensions: boolean;
}

function headers(list: unknown, where: string): IncomingRecord['headers'] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new RestError(CODES.UNPROCESSABLE, `${where}.headers must be an array`);
  return list.map((h: unknown, i) => {
    if (!isObject(h) || typeof h.name !== 'string') throw new RestError(CODES.UNPROCESSABLE, `${where}.headers[${i}] must be {name, value}`);
    return { key: h.name, value: h.value === null || h.value === undefined ? null : decodeBase64(h.value, `${where}.headers[${i}].value`) };
  });
}

type Decode = (value: unknown, what: string, part: 'key' | 'value') => Buffer | null;

export function parseV2Produce(body: unknown, format: EmbeddedFormat, options: V2ProduceOptions, pathPartition?: number, decode?: Decode): IncomingRecord[] {
  const embedded: Decode = decode ?? ((value, what) => decodeEmbedded(format, value, what));
  if (!isObject(body)) throw new RestError(CODES.UNPROCESSABLE, 'Request body must be a JSON object with records');
  const records = body.records;
  if (!Array.isArray(records) || records.length === 0) throw new RestError(CODES.UNPROCESSABLE, 'records may not be empty');
  return records.map((rec: unknown, i) => {
    const where = `records[${i}]`;
    if (!isObject(rec)) throw new RestError(CODES.UNPROCESSABLE, `${where} must be a JSON object`);
    const out: IncomingRecord = {
      key: embedded(rec.key, `${where}.key`, 'key'),
      value: embedded(rec.value, `${where}.value`, 'value'),
      headers: options.extensions ? headers(rec.headers, where) : [],
    };
    if (pathPartition !== undefined) out.partition = pathPartition;
    else if (rec.partition !== undefined && rec.partition !== null) {
      if (typeof rec.partition !== 'number' || !Number.isInteger(rec.partition)) throw new RestError(CODES.UNPROCESSABLE, `${where}.partition must be an integer`);
      out.partition = rec.partition;
    }
    if (options.extensions && rec.timestamp !== undefined && rec.timestamp !== null) {
      if (typeof rec.timestamp !== 'number' || !Number.isSafeInteger(rec.timestamp) || rec.timestamp < 0) throw new RestError(CODES.UNPROCESSABLE, `${where}.timestamp must be ms since the epoch`);
      out.timestamp = rec.timestamp;
    }
    return out;
  });
}

export interface V2Produce {
  records: IncomingRecord[];
  /** The registry ids used (the response's key_schema_id / value_schema_id); null when none. */
  keySchemaId: number | null;
  valueSchemaId: number | null;
}

function schemaField(body: Record<string, unknown>, part: 'key' | 'value'): { schema?: string; id?: number } {
  const id = body[`${part}_schema_id`];
  const text = body[`${part}_schema`];
  if (id !== undefined && id !== null) {
    // A number, or its decimal text (Confluent's JSON binding takes "21" as 21).
    const n = typeof id === 'string' && /^[0-9]{1,10}$/.test(id) ? Number(id) : id;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new RestError(CODES.UNPROCESSABLE, `${part}_schema_id must be a schema id (an integer)`);
    return { id: n };
  }
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') throw new RestError(CODES.UNPROCESSABLE, `${part}_schema must be the schema as a string`);
    return { schema: text };
  }
  return {};
}

async function writerFor(schemas: EmbeddedSchemas | undefined, route: TopicRoute, format: SchemaFormat, body: Record<string, unknown>, part: 'key' | 'value'): Promise<WriterSchema | undefined> {
  const records = body.records as unknown[];
  if (!records.some((r) => isObject(r) && r[part] !== undefined && r[part] !== null)) return undefined;
  // Without a registry for the topic the format is not supported here (415), whatever the body says.
  if (!schemas) throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `HTTP 415 Unsupported Media Type: the ${format} embedded format needs a schema registry`);
  schemas.registry(route);
  const spec = schemaField(body, part);
  if (spec.id === undefined && spec.schema === undefined) {
    throw new RestError(part === 'key' ? CODES.KEY_SCHEMA_MISSING : CODES.VALUE_SCHEMA_MISSING, `Request includes ${part}s but does not include ${part} schema`);
  }
  return schemas.writer(route, part === 'key', format, spec);
}

/** A whole v2 produce request in any embedded format: the records to write and the schema ids used. */
export async function produceRequest(
  body: unknown,
  format: EmbeddedFormat,
  options: V2ProduceOptions,
  route: () => TopicRoute,
  schemas: EmbeddedSchemas | undefined,
  pathPartition?: number,
): Promise<V2Produce> {
  if (!isSchemaFormat(format) || !isObject(body) || !Array.isArray(body.records) || body.records.length === 0) {
    return { records: parseV2Produce(body, format, options, pathPartition), keySchemaId: null, valueSchemaId: null };
  }
  const key = await writerFor(schemas, route(), format, body, 'key');
  const value = await writerFor(schemas, route(), format, body, 'value');
  const records = parseV2Produce(body, format, options, pathPartition, (v, what, part) => {
    const writer = part === 'key' ? key : value;
    return writer ? EmbeddedSchemas.encode(writer, v, what) : null;
  });
  return { records, keySchemaId: key?.id ?? null, valueSchemaId: value?.id ?? null };
}
