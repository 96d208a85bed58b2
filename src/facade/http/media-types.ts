// Content types of the REST Proxy API (v2 embedded formats, plain JSON) and Accept negotiation.
import { CODES, RestError } from '../rest-error.js';

export type EmbeddedFormat = 'binary' | 'json' | 'avro' | 'jsonschema' | 'protobuf' | 'string';
export const V2_JSON = 'application/vnd.kafka.v2+json';
const EMBEDDED = /^application\/vnd\.kafka\.(binary|json|avro|jsonschema|protobuf|string)\.v2\+json$/;
const PLAIN = new Set(['application/vnd.kafka.v2+json', 'application/vnd.kafka+json', 'application/json']);

function essence(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const e = header.split(';')[0]!.trim().toLowerCase();
  return e === '' ? undefined : e;
}

/**
 * The embedded format a v2 produce body is in. Plain JSON types (and no Content-Type) are binary, the
 * REST Proxy's low-weight default. Formats not in `supported` are refused (415).
 */
export function produceFormat(contentType: string | undefined, supported: readonly EmbeddedFormat[]): EmbeddedFormat {
  const e = essence(contentType);
  if (e === undefined || PLAIN.has(e)) return 'binary';
  const m = EMBEDDED.exec(e);
  if (!m || m[1] === 'string') throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `HTTP 415 Unsupported Media Type: ${e}`);
  const f = m[1] as EmbeddedFormat;
  if (!supported.includes(f)) throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `HTTP 415 Unsupported Media Type: the ${f} embedded format is not supported by this gateway yet`);
  return f;
}

/** A body that is not a v2 JSON type (any embedded format or plain JSON). */
export function requireJsonBody(contentType: string | undefined): void {
  const e = essence(contentType);
  if (e === undefined || PLAIN.has(e) || EMBEDDED.test(e)) return;
  throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `HTTP 415 Unsupported Media Type: ${e}`);
}

function accepted(accept: string | undefined): string[] {
  if (accept === undefined || accept.trim() === '') return ['*/*'];
  return accept
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type!, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((a) => a.q > 0)
    .map((a) => a.type);
}

/** Checks Accept for a v2 response of `produces` types; 406 when none of them is acceptable. */
export function negotiate(accept: string | undefined, produces: readonly string[]): string {
  for (const a of accepted(accept)) {
    if (a === '*/*' || a === 'application/*') return produces[0]!;
    const hit = produces.find((p) => p === a);
    if (hit) return hit;
  }
  throw new RestError(CODES.NOT_ACCEPTABLE, `HTTP 406 Not Acceptable`);
}

/** v2 responses: the vnd type first, plain JSON also fine. */
export const V2_PRODUCES = [V2_JSON, 'application/vnd.kafka+json', 'application/json'] as const;
export const V3_PRODUCES = ['application/json'] as const;

/** For consumer records: the Accept must name the instance's format (or be a wildcard). */
export function recordsAccept(accept: string | undefined, format: EmbeddedFormat): string {
  const wanted = `application/vnd.kafka.${format}.v2+json`;
  for (const a of accepted(accept)) {
    if (a === '*/*' || a === 'application/*' || a === wanted) return wanted;
    if (EMBEDDED.test(a)) throw new RestError(CODES.FORMAT_MISMATCH, `The requested embedded data format does not match the deserializer for this consumer instance`);
  }
  throw new RestError(CODES.NOT_ACCEPTABLE, `HTTP 406 Not Acceptable`);
}
