// One v3 produce record (`{partition_id?, headers?, key?, value?, timestamp?}`) → an IncomingRecord, and the
// per-record report the REST Proxy answers with.
import { isObject } from '../http/body.js';
import type { IncomingRecord, RecordResult } from '../records.js';
import { CODES, RestError } from '../rest-error.js';
import { decodeBase64 } from '../v2/embedded.js';

export type DataType = 'BINARY' | 'JSON' | 'STRING';

export interface ParsedV3 {
  record: IncomingRecord;
  keyType: DataType | undefined;
  valueType: DataType | undefined;
}

function data(part: unknown, what: string): { bytes: Buffer | null; type: DataType | undefined } {
  if (part === undefined || part === null) return { bytes: null, type: undefined };
  if (!isObject(part)) throw new RestError(CODES.BAD_REQUEST, `${what} must be an object {type, data}`);
  const type: unknown = part.type === undefined ? 'JSON' : part.type;
  if (part.schema_id !== undefined || part.schema !== undefined || part.schema_version !== undefined || part.subject !== undefined) {
    throw new RestError(CODES.BAD_REQUEST, `${what}: schemas through the Schema Registry are not supported by this gateway yet`);
  }
  if (type !== 'BINARY' && type !== 'JSON' && type !== 'STRING') {
    throw new RestError(CODES.BAD_REQUEST, `${what}.type must be BINARY, JSON or STRING (AVRO, JSONSCHEMA, PROTOBUF are not supported by this gateway yet)`);
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
  return { record, keyType: key.type, valueType: value.type };
}

export function report(clusterId: string, topic: string, parsed: ParsedV3, result: RecordResult): Record<string, unknown> {
  if (result.error) return { error_code: result.error.status, message: result.error.message };
  const part = (type: DataType | undefined, bytes: Buffer | null) => (type === undefined ? null : { type, size: bytes?.length ?? 0 });
  return {
    error_code: 200,
    cluster_id: clusterId,
    topic_name: topic,
    partition_id: result.partition,
    offset: Number(result.offset),
    timestamp: new Date(result.timestamp).toISOString(),
    key: part(parsed.keyType, parsed.record.key),
    value: part(parsed.valueType, parsed.record.value),
  };
}
