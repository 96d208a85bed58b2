// /api/v1/routes/:topic: the HTTP facade's route of a topic (kafka | pulsar | dual), read and switched
// through the RouteControl the facade implements; 503 when this process runs no facade.
import { K2pError } from '../../errors.js';
import { ROUTE_VALUES, type Route, type RouteControl } from '../route-control.js';
import type { AdminContext, Endpoint } from '../spec.js';

const topicParam = { type: 'object', required: ['topic'], properties: { topic: { type: 'string', minLength: 1, maxLength: 249 } } } as const;

function control(ctx: AdminContext): RouteControl {
  if (!ctx.routes) throw new K2pError('K2P_ADMIN_UNAVAILABLE', 'this gateway process runs no HTTP facade, so it has no routes', {});
  return ctx.routes;
}

export const routeEndpoints: Endpoint[] = [
  {
    method: 'GET',
    url: '/api/v1/routes/:topic',
    tag: 'routes',
    summary: "A topic's route in the HTTP facade",
    schema: { params: topicParam, response: { type: 'object', properties: { topic: { type: 'string' }, route: { type: 'string', enum: [...ROUTE_VALUES] } } } },
    async handler(ctx, req) {
      const r = control(ctx).lookup((req.params as { topic: string }).topic);
      return { topic: r.topic, route: r.route, pulsarTopic: r.pulsarTopic ?? null };
    },
  },
  {
    method: 'PUT',
    url: '/api/v1/routes/:topic',
    tag: 'routes',
    summary: "Switch a topic's route (answers once the switch is complete); clients change nothing",
    schema: {
      params: topicParam,
      body: { type: 'object', additionalProperties: false, required: ['route'], properties: { route: { type: 'string', enum: [...ROUTE_VALUES] } } },
    },
    async handler(ctx, req) {
      const { topic } = req.params as { topic: string };
      const { route } = req.body as { route: Route };
      try {
        return await control(ctx).setRoute(topic, route);
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (typeof status === 'number' && status >= 400 && status < 500) throw new K2pError('K2P_ADMIN_VALIDATION', (err as Error).message, { topic, route, status: 422 });
        throw err;
      }
    },
  },
];
