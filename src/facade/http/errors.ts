// Every error leaves in the REST Proxy's format. Client mistakes keep their 4xx (body too large, bad
// media type, unknown route); anything else is our failure: 500, logged, without internals in the body.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isK2pError } from '../../errors.js';
import { CODES, RestError } from '../rest-error.js';
import { V2_JSON } from './media-types.js';

function contentType(req: FastifyRequest): string {
  return req.url.startsWith('/v3') ? 'application/json' : V2_JSON;
}

export function toRestError(err: unknown): RestError {
  if (err instanceof RestError) return err;
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new RestError(CODES.TOO_LARGE, 'HTTP 413 Request Entity Too Large');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, 'HTTP 415 Unsupported Media Type');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return new RestError(fe.statusCode, fe.message ?? 'Bad request');
  if (isK2pError(err) && err.canRetry) return new RestError(CODES.KAFKA_RETRIABLE, err.message);
  return new RestError(CODES.INTERNAL, 'Internal server error');
}

/**
 * Errors the framework answers before any route runs (a malformed URL, a path parameter past
 * maxParamLength): in the same format (fastify's `frameworkErrors` option).
 */
export function frameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  void reply.code(status).type(contentType(req)).send({ error_code: status, message: `HTTP ${status}: ${err.message}` });
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toRestError(err);
    if (e.status >= 500) req.log.error({ err, code: isK2pError(err) ? err.code : 'K2P_HTTP_INTERNAL' }, 'facade request failed');
    const body = req.url.startsWith('/v3') ? { error_code: e.status, message: e.message } : e.toJSON();
    return reply.code(e.status).type(contentType(req)).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const body = { error_code: 404, message: 'HTTP 404 Not Found' };
    return reply.code(404).type(contentType(req)).send(body);
  });
}
