// The facade's own admin endpoints (until the admin API of the runs issue calls FacadeCore.setRoute):
// `GET {prefix}/routes/{topic}` and `PUT {prefix}/routes/{topic}` `{"route": "kafka"|"pulsar"|"dual"}`.
import type { FastifyInstance } from 'fastify';
import type { FacadeCore } from './facade.js';
import { objectBody } from './http/body.js';
import { CODES, RestError } from './rest-error.js';
import { ROUTES, type Route } from './route-table.js';

export function registerAdminRoutes(app: FastifyInstance, core: FacadeCore, prefix: string): void {
  app.get<{ Params: { topic: string } }>(`${prefix}/routes/:topic`, async (req) => {
    const r = core.routes.lookup(req.params.topic);
    return { topic: r.topic, route: r.route, pulsar_topic: r.pulsarTopic ?? null };
  });
  app.put<{ Params: { topic: string } }>(`${prefix}/routes/:topic`, async (req) => {
    const body = objectBody(req);
    if (typeof body.route !== 'string' || !ROUTES.includes(body.route as Route)) {
      throw new RestError(CODES.UNPROCESSABLE, `route must be one of ${ROUTES.join(', ')}`);
    }
    // Resolves once the switch is complete (in-flight requests done, Pulsar caught up for a flip to pulsar).
    return core.setRoute(req.params.topic, body.route as Route);
  });
}
