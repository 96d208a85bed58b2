// v2 embedded formats: a record's key or value as JSON ⇄ bytes. binary = base64 text, json = any JSON
// value (stored as its UTF-8 JSON text), string = UTF-8 text (consume side). avro, jsonschema and protobuf need
// the registry: src/facade/schema (produce-request.ts and consumers/record-formats.ts call it).
import { CODES, RestError } from '../rest-error.js';
import type { EmbeddedFormat } from '../http/media-types.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (the REST Proxy's Java decoder refuses anything else); 422 when invalid. */
export function decodeBase64(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !BASE64.test(text)) {
    throw new RestError(CODES.UNPROCESSABLE, `${what}: not a valid base64 string`);
  }
  return Buffer.from(text, 'base64');
}

export function decodeEmbedded(format: EmbeddedFormat, value: unknown, what: string): Buffer | null {
  if (value === undefined || value === null) return null;
  switch (format) {
    case 'binary':
      return decodeBase64(value, what);
    case 'json':
      return Buffer.from(JSON.stringify(value), 'utf8');
    case 'string':
      if (typeof value !== 'string') throw new RestError(CODES.UNPROCESSABLE, `${what}: expected a string`);
      return Buffer.from(value, 'utf8');
    default:
      throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `the ${format} embedded format is encoded through the schema registry, not here`);
  }
}

/** Bytes as a consumer of `format` sees them; 42203 when json bytes do not parse. */
export function encodeEmbedded(format: EmbeddedFormat, bytes: Buffer | null): unknown {
  if (bytes === null) return null;
  switch (format) {
    case 'binary':
      return bytes.toString('base64');
    case 'string':
      return bytes.toString('utf8');
    case 'json':
      try {
        return JSON.parse(bytes.toString('utf8')) as unknown;
      } catch {
        throw new RestError(CODES.JSON_CONVERSION, 'a record is not valid JSON and cannot be delivered in the json format');
      }
    default:
      throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `the ${format} embedded format is decoded through the schema registry, not here`);
  }
}
