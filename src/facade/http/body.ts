// Request bodies arrive as bytes (one catch-all parser): each route parses them and answers malformed JSON
// in the REST Proxy's error format instead of the framework's.
import type { FastifyRequest } from 'fastify';
import { CODES, RestError } from '../rest-error.js';

/** The JSON body, or undefined when the body is empty. 400 when it does not parse. */
export function jsonBody(req: FastifyRequest): unknown {
  const raw = req.body;
  if (raw === undefined || raw === null) return undefined;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RestError(CODES.BAD_REQUEST, `Malformed JSON: ${(err as Error).message}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object body, 422 otherwise (empty bodies too unless `optional`). */
export function objectBody(req: FastifyRequest, optional = false): Record<string, unknown> {
  const body = jsonBody(req);
  if (body === undefined && optional) return {};
  if (!isObject(body)) throw new RestError(CODES.UNPROCESSABLE, 'Request body must be a JSON object');
  return body;
}

/** A path or query integer ≥ 0, else 404-style errors are the caller's; here a 400 for junk. */
export function intParam(text: string | undefined, what: string): number {
  if (text === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(text)) throw new RestError(CODES.NOT_FOUND, `HTTP 404 Not Found: ${what} "${text ?? ''}" is not a number`);
  return Number(text);
}
