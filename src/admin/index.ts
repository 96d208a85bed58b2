// The admin HTTP API, metrics, OpenAPI document and dashboard (docs/admin-api.md).
export { buildAdminServer, startAdminServer, ENDPOINTS, type AdminServerOptions } from './server.js';
export { requireToken, tokenMatches, isLoopback } from './auth.js';
export type { RouteControl, Route } from './route-control.js';
export type { AdminContext, Endpoint } from './spec.js';
