// `POST /consumers/{group}`: `{name?, format?, "auto.offset.reset"?, "auto.commit.enable"?,
// "fetch.min.bytes"?, "consumer.request.timeout.ms"?}`. Values may be strings (as Confluent's examples
// send them) or JSON numbers and booleans. An invalid value is 42204; an unknown field 422.
import { randomUUID } from 'node:crypto';
import type { EmbeddedFormat } from '../http/media-types.js';
import { isObject } from '../http/body.js';
import { CODES, RestError } from '../rest-error.js';
import type { InstanceState } from './types.js';

/** What the request decides of the instance's state. */
export type CreateRequest = Pick<InstanceState, 'id' | 'format' | 'autoOffsetReset' | 'autoCommit' | 'fetchMinBytes' | 'requestTimeoutMs'>;

const FIELDS = new Set(['name', 'id', 'format', 'auto.offset.reset', 'auto.commit.enable', 'fetch.min.bytes', 'consumer.request.timeout.ms', 'auto.commit.interval.ms']);
const NAME = /^[A-Za-z0-9._-]{1,200}$/;

function invalid(message: string): RestError {
  return new RestError(CODES.INVALID_CONSUMER_CONFIG, message);
}

function integer(v: unknown, what: string, min: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw invalid(`Invalid value ${JSON.stringify(v)} for configuration ${what}`);
  return n;
}

export function parseCreate(body: unknown, formats: readonly EmbeddedFormat[]): CreateRequest {
  if (!isObject(body)) throw new RestError(CODES.UNPROCESSABLE, 'Request body must be a JSON object');
  for (const k of Object.keys(body)) if (!FIELDS.has(k)) throw new RestError(CODES.UNPROCESSABLE, `Unrecognized field "${k}"`);
  const name = body.name ?? body.id;
  if (name !== undefined && name !== null && (typeof name !== 'string' || !NAME.test(name))) {
    throw invalid('name must be 1 to 200 characters of letters, digits, ".", "_" or "-"');
  }
  const format = (body.format ?? 'binary') as EmbeddedFormat;
  if (typeof format !== 'string' || !formats.includes(format)) throw invalid(`Invalid format type ${JSON.stringify(body.format)}: one of ${formats.join(', ')}`);
  const reset = body['auto.offset.reset'] ?? 'latest';
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') throw invalid(`Invalid value ${JSON.stringify(reset)} for configuration auto.offset.reset: String must be one of: latest, earliest, none`);
  const commit = body['auto.commit.enable'] ?? 'true';
  if (commit !== true && commit !== false && commit !== 'true' && commit !== 'false') throw invalid(`Invalid value ${JSON.stringify(commit)} for configuration auto.commit.enable: Expected value to be either true or false`);
  return {
    id: typeof name === 'string' ? name : `rest-consumer-${randomUUID()}`,
    format,
    autoOffsetReset: reset,
    autoCommit: commit === true || commit === 'true',
    fetchMinBytes: integer(body['fetch.min.bytes'], 'fetch.min.bytes', -1) ?? -1,
    requestTimeoutMs: integer(body['consumer.request.timeout.ms'], 'consumer.request.timeout.ms', 0) ?? 1_000,
  };
}
