// Admin API tests: a working gateway on the local stack (its own Redis prefix) behind the admin server, a
// RouteControl from the facade's real RouteTable, and inject() with or without the token.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildAdminServer, type RouteControl } from '../../src/admin/index.js';
import { loadConfig } from '../../src/config/index.js';
import { RouteTable } from '../../src/facade/route-table.js';
import { Gateway } from '../../src/runs/index.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { dropKeys } from '../runs/helpers.js';

export const TOKEN = `test-${uniqueName('tok')}`;

export function routeControl(files: string[]): RouteControl {
  const table = new RouteTable(loadConfig(files), 'kafka-t');
  return {
    lookup: (topic) => table.lookup(topic),
    setRoute: async (topic, route) => ({ topic, route, previous: table.setRoute(topic, route) }),
  };
}

export function adminApp(options: { routes?: RouteControl; token?: string | undefined } = {}): { app: FastifyInstance; gateway: Gateway } {
  const prefix = uniqueName('k2p-admin-test');
  const gateway = new Gateway({ redisUrl: STACK.redisUrl, prefix, tickMs: 500, sampleMs: 1000, pollMs: 1000, lockDurationMs: 10_000, stalledIntervalMs: 5000 }).start();
  const app = buildAdminServer({ gateway, routes: options.routes }, { token: 'token' in options ? options.token : TOKEN });
  cleanup(async () => {
    await app.close();
    await gateway.stop();
    await dropKeys(`${prefix}:*`);
  });
  return { app, gateway };
}

export async function call(app: FastifyInstance, method: InjectOptions['method'], url: string, body?: unknown, token: string | null = TOKEN): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
}
