// Probes and metrics: /healthz (the process answers), /readyz (Redis answers and, in a working gateway, the
// worker runs), /metrics (Prometheus text: mirror and run metrics; needs the token like the API).
import { K2pError } from '../../errors.js';
import type { Endpoint } from '../spec.js';

export const systemEndpoints: Endpoint[] = [
  {
    method: 'GET',
    url: '/healthz',
    tag: 'system',
    auth: false,
    summary: 'Liveness: the process answers',
    async handler() {
      return { status: 'ok' };
    },
  },
  {
    method: 'GET',
    url: '/readyz',
    tag: 'system',
    auth: false,
    summary: 'Readiness: Redis answers and the worker takes jobs (503 otherwise)',
    async handler({ gateway }) {
      const redis = await gateway.redis.ping().then(
        () => true,
        () => false,
      );
      const worker = gateway.worker ? gateway.worker.worker.isRunning() : true;
      if (!redis || !worker) throw new K2pError('K2P_ADMIN_UNAVAILABLE', `not ready: ${!redis ? 'Redis does not answer' : 'the worker is not running'}`, { redis, worker });
      return { status: 'ready', redis, worker };
    },
  },
  {
    method: 'GET',
    url: '/metrics',
    tag: 'system',
    summary: 'Prometheus metrics (text exposition format)',
    produces: 'text/plain; version=0.0.4',
    async handler({ gateway }, _req, reply) {
      const text = await gateway.registry.metrics();
      return reply.type(gateway.registry.contentType).send(text);
    },
  },
];
