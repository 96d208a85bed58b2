// /api/v1/runs: create from files, list, show, pause, resume, cancel.
import { K2pError } from '../../errors.js';
import { readConfigFiles, type ConfigFile } from '../../runs/index.js';
import { runView } from '../../runs/status-view.js';
import { summarize } from '../../runs/summary.js';
import { idParam, type Endpoint } from '../spec.js';

interface CreateBody {
  config?: string[];
  files?: ConfigFile[];
  name?: string;
  cutover?: 'auto' | 'manual';
  verifySettleMs?: number;
}

const createBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    config: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'config files or folders, as paths on the gateway host' },
    files: {
      type: 'array',
      minItems: 1,
      description: 'config files given inline',
      items: { type: 'object', additionalProperties: false, required: ['name', 'content'], properties: { name: { type: 'string', minLength: 1 }, content: { type: 'string' } } },
    },
    name: { type: 'string', maxLength: 200 },
    cutover: { type: 'string', enum: ['auto', 'manual'] },
    verifySettleMs: { type: 'integer', minimum: 0 },
  },
} as const;

const runSummary = { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, step: { type: 'string' }, note: { type: 'string' } } } as const;

export const runEndpoints: Endpoint[] = [
  {
    method: 'GET',
    url: '/api/v1/runs',
    tag: 'runs',
    summary: 'Every run, newest first, with its progress',
    schema: { response: { type: 'array', items: runSummary } },
    async handler({ gateway }) {
      const runs = await gateway.service.list();
      const lags = await Promise.all(runs.map((r) => gateway.store.lag(r.id)));
      return runs.map((r, i) => summarize(r, lags[i]));
    },
  },
  {
    method: 'POST',
    url: '/api/v1/runs',
    tag: 'runs',
    status: 201,
    summary: 'Create a run from config files (paths on the gateway host, or inline contents); the gateways start on it at once',
    schema: { body: createBody, response: runSummary },
    async handler({ gateway }, req) {
      const body = req.body as CreateBody;
      if ((body.config === undefined) === (body.files === undefined)) {
        throw new K2pError('K2P_ADMIN_VALIDATION', 'body must have exactly one of config (paths) or files (contents)', { where: 'body' });
      }
      const files = body.files ?? readConfigFiles(body.config!);
      const options: { cutover?: 'auto' | 'manual'; verifySettleMs?: number } = {};
      if (body.cutover) options.cutover = body.cutover;
      if (body.verifySettleMs !== undefined) options.verifySettleMs = body.verifySettleMs;
      const run = await gateway.service.create({ files, name: body.name, options });
      return summarize(run, undefined);
    },
  },
  {
    method: 'GET',
    url: '/api/v1/runs/:id',
    tag: 'runs',
    summary: 'One run: status, steps, options, lag, groups, verifications',
    schema: { params: idParam },
    async handler({ gateway }, req) {
      const { id } = req.params as { id: string };
      const view = await runView(gateway.redis, gateway.store, id);
      if (!view) throw new K2pError('K2P_RUN_NOT_FOUND', `no run ${id}`, { run: id });
      return view;
    },
  },
  ...(['pause', 'resume', 'cancel'] as const).map(
    (verb): Endpoint => ({
      method: 'POST',
      url: `/api/v1/runs/:id/${verb}`,
      tag: 'runs',
      summary: { pause: 'Pause a run (no step runs, its mirror stops)', resume: 'Resume a paused or failed run', cancel: 'Cancel a run for good' }[verb],
      schema: { params: idParam, response: runSummary },
      async handler({ gateway }, req) {
        return summarize(await gateway.service[verb]((req.params as { id: string }).id), undefined);
      },
    }),
  ),
];
