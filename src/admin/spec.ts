// An admin endpoint as data: method, path, summary, JSON schemas and handler. The server registers these,
// and the OpenAPI document and the docs page are made from the same list, so they cannot drift apart.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../runs/index.js';
import type { RouteControl } from './route-control.js';

export interface AdminContext {
  gateway: Pick<Gateway, 'service' | 'store' | 'redis' | 'registry' | 'worker' | 'supervisor'>;
  routes?: RouteControl;
}

export interface EndpointSchema {
  params?: object;
  querystring?: object;
  body?: object;
  /** The success answer's schema (documentation; not used to filter the answer). */
  response?: object;
}

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  summary: string;
  tag: string;
  /** False for probes, the docs and the dashboard's static files. Default true. */
  auth?: boolean;
  status?: number;
  /** Media type of the success answer. Default application/json. */
  produces?: string;
  schema?: EndpointSchema;
  handler(ctx: AdminContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

export const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } } } },
} as const;
