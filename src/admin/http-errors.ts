// Every admin API error answers `{"error": {"code", "message", "details"}}` with a code from src/errors.ts
// and a status that says whose fault it is: 400/401/404/409/422 for the caller, 503 for what is not running,
// 500 for ours.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { K2pError, isK2pError } from '../errors.js';

const STATUS: Record<string, number> = {
  K2P_ADMIN_AUTH: 401,
  K2P_ADMIN_VALIDATION: 400,
  K2P_ADMIN_NOT_FOUND: 404,
  K2P_ADMIN_UNAVAILABLE: 503,
  K2P_RUN_NOT_FOUND: 404,
  K2P_RUN_STATE: 409,
  K2P_RUN_INPUT: 422,
  K2P_CFG_INVALID: 422,
  K2P_CFG_ENV_MISSING: 422,
  K2P_OFF_UNKNOWN_GROUP: 404,
};

export function statusOf(err: K2pError): number {
  return STATUS[err.code] ?? 500;
}

export function errorBody(err: K2pError): { error: { code: string; message: string; details: Record<string, unknown> } } {
  return { error: { code: err.code, message: err.message.replace(/^K2P_[A-Z_]+: /, ''), details: { ...err.details } } };
}

/** Fastify's own errors (schema validation, bad JSON, wrong media type) as K2P_ADMIN_VALIDATION. */
export function toK2pError(err: FastifyError): K2pError {
  if (isK2pError(err)) return err;
  if (err.validation) {
    const v = err.validation[0];
    const where = `${err.validationContext ?? 'request'}${v?.instancePath ? v.instancePath.replaceAll('/', '.') : ''}`;
    return new K2pError('K2P_ADMIN_VALIDATION', `${where} ${v?.message ?? 'is invalid'}`, { where, params: v?.params ?? {} });
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return new K2pError('K2P_ADMIN_VALIDATION', err.message, { fastifyCode: err.code, status: err.statusCode });
  }
  return new K2pError('K2P_ADMIN_INTERNAL', err.message, {}, { cause: err });
}

export function sendError(reply: FastifyReply, err: K2pError): FastifyReply {
  const status = err.code === 'K2P_ADMIN_VALIDATION' && typeof err.details.status === 'number' ? err.details.status : statusOf(err);
  return reply.code(status).type('application/json').send(errorBody(err));
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const k = toK2pError(err);
  if (statusOf(k) >= 500 && !(err.statusCode && err.statusCode < 500)) req.log.error({ code: k.code, err: k.message }, 'admin request failed');
  return sendError(reply, k);
}
