// The OpenAPI 3.1 document of the admin API, made from the endpoint list the server registers.
import { errorSchema, type Endpoint } from './spec.js';

const ERRORS: Record<string, string> = {
  '400': 'K2P_ADMIN_VALIDATION: the request does not match the schema',
  '401': 'K2P_ADMIN_AUTH: bearer token missing or wrong',
  '404': 'K2P_RUN_NOT_FOUND / K2P_ADMIN_NOT_FOUND',
  '409': 'K2P_RUN_STATE: the run is not in a state that allows it',
  '422': 'K2P_CFG_INVALID / K2P_RUN_INPUT: the files or the request cannot be carried out',
  '503': 'K2P_ADMIN_UNAVAILABLE',
};

function pathParams(url: string, params: object | undefined): object[] {
  const props = (params as { properties?: Record<string, object> } | undefined)?.properties ?? {};
  return [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: props[m[1]!] ?? { type: 'string' } }));
}

export function openApiDocument(endpoints: readonly Endpoint[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const e of endpoints) {
    const path = e.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const status = String(e.status ?? 200);
    const produces = e.produces ?? 'application/json';
    const responses: Record<string, object> = {
      [status]: { description: 'success', content: { [produces]: { schema: e.schema?.response ?? { type: produces.startsWith('text/') ? 'string' : 'object' } } } },
    };
    const codes = ['400', '404', '409', '422', '503'].filter((c) => e.auth !== false || c === '503');
    if (e.auth !== false) codes.unshift('401');
    for (const c of codes) responses[c] = { description: ERRORS[c], content: { 'application/json': { schema: errorSchema } } };
    const op: Record<string, unknown> = { summary: e.summary, tags: [e.tag], operationId: `${e.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`, responses };
    const params = pathParams(e.url, e.schema?.params);
    if (params.length > 0) op.parameters = params;
    if (e.schema?.body) op.requestBody = { required: true, content: { 'application/json': { schema: e.schema.body } } };
    if (e.auth === false) op.security = [];
    (paths[path] ??= {})[e.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'kafka-pulsar-gateway admin API', version: '1', description: 'Runs (plan → provision → mirror → sync → verify → cutover), topics with lag, groups, verification, facade routes. Every error answers {"error": {"code", "message", "details"}} with a code from docs/errors.md.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the token in K2P_ADMIN_TOKEN' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A plain HTML page listing every endpoint (no script, nothing fetched). */
export function docsPage(endpoints: readonly Endpoint[]): string {
  const rows = endpoints
    .map((e) => {
      const body = e.schema?.body ? `<pre>${esc(JSON.stringify(e.schema.body, null, 2))}</pre>` : '';
      return `<tr><td><code>${e.method}</code></td><td><code>${esc(e.url)}</code></td><td>${esc(e.tag)}</td><td>${e.auth === false ? 'none' : 'bearer'}</td><td>${esc(e.summary)}${body}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>k2p admin API</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}pre{margin:.4em 0 0;font-size:12px;background:#f6f6f6;padding:.4em}</style></head>
<body><h1>kafka-pulsar-gateway admin API</h1>
<p>Authenticate with <code>Authorization: Bearer &lt;K2P_ADMIN_TOKEN&gt;</code>. Errors answer <code>{"error": {"code", "message", "details"}}</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a>. Dashboard: <a href="/dashboard/">/dashboard/</a>.</p>
<table><thead><tr><th>method</th><th>path</th><th>area</th><th>auth</th><th>what</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
