// The admin HTTP server (fastify): every endpoint of the list below, bearer-token auth on all but the probes
// and the static pages, errors as {"error": {code, message, details}}, the OpenAPI document, a docs page and
// the dashboard. listen() refuses a non-loopback address without a token.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { K2pError } from '../errors.js';
import { requireToken, tokenMatches } from './auth.js';
import { dashboardAssets } from './dashboard-assets.js';
import { errorHandler, sendError } from './http-errors.js';
import { registerRunMetrics } from './metrics.js';
import { docsPage, openApiDocument } from './openapi.js';
import { groupEndpoints } from './routes/groups.js';
import { routeEndpoints } from './routes/facade-routes.js';
import { runEndpoints } from './routes/runs.js';
import { systemEndpoints } from './routes/system.js';
import { topicEndpoints } from './routes/topics.js';
import { verifyEndpoints } from './routes/verify.js';
import type { AdminContext, Endpoint } from './spec.js';

export const ENDPOINTS: readonly Endpoint[] = [...systemEndpoints, ...runEndpoints, ...topicEndpoints, ...groupEndpoints, ...verifyEndpoints, ...routeEndpoints];

export interface AdminServerOptions {
  /** The bearer token; undefined only on a loopback address (see listen). */
  token: string | undefined;
  logger?: FastifyServerOptions['loggerInstance'];
}

export function buildAdminServer(ctx: AdminContext, options: AdminServerOptions): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Unknown fields are refused (not silently dropped): a typo in a request is an error the caller sees.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    bodyLimit: 4 * 1024 * 1024,
  });
  registerRunMetrics(ctx.gateway.registry, ctx.gateway.store);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendError(reply, new K2pError('K2P_ADMIN_NOT_FOUND', `no endpoint ${req.method} ${req.url.split('?')[0]}`, { method: req.method })));

  const token = options.token;
  for (const e of ENDPOINTS) {
    app.route({
      method: e.method,
      url: e.url,
      schema: { ...(e.schema?.params ? { params: e.schema.params } : {}), ...(e.schema?.querystring ? { querystring: e.schema.querystring } : {}), ...(e.schema?.body ? { body: e.schema.body } : {}) },
      // Auth before the body is parsed or validated: an unauthenticated caller learns nothing of the schema.
      onRequest: async (req, reply) => {
        if (e.auth === false || token === undefined) return;
        if (!tokenMatches(token, req.headers.authorization)) {
          reply.header('www-authenticate', 'Bearer realm="k2p-admin"');
          await sendError(reply, new K2pError('K2P_ADMIN_AUTH', 'missing or wrong bearer token', {}));
        }
      },
      handler: async (req, reply) => {
        const out = await e.handler(ctx, req, reply);
        if (reply.sent) return reply;
        return reply.code(e.status ?? 200).send(out);
      },
    });
  }

  const doc = openApiDocument(ENDPOINTS);
  app.get('/openapi.json', async () => doc);
  const page = docsPage(ENDPOINTS);
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));

  const assets = dashboardAssets();
  app.get('/', async (_req, reply) => reply.redirect('/dashboard/'));
  app.get('/dashboard', async (_req, reply) => reply.redirect('/dashboard/'));
  app.get<{ Params: { file?: string } }>('/dashboard/:file', async (req, reply) => {
    const a = assets.get(req.params.file || 'index.html');
    if (!a) return sendError(reply, new K2pError('K2P_ADMIN_NOT_FOUND', `no dashboard file ${req.params.file}`, {}));
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });
  app.get('/dashboard/', async (_req, reply) => {
    const a = assets.get('index.html')!;
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });
  return app;
}

/** Builds and listens; refuses (K2P_ADMIN_NO_TOKEN) a non-loopback host without a token. */
export async function startAdminServer(ctx: AdminContext, o: { host: string; port: number; token: string | undefined; logger?: AdminServerOptions['logger'] }): Promise<FastifyInstance> {
  const token = requireToken(o.host, o.token);
  const app = buildAdminServer(ctx, { token, logger: o.logger });
  await app.listen({ host: o.host, port: o.port });
  return app;
}
