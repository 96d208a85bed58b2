// /api/v1/runs/:id/groups: consumer groups with their translation state; cutover and rollback per group
// (queued as jobs, 202; the group's operation shows how it went).
import { K2pError } from '../../errors.js';
import { groupViews } from '../../runs/status-view.js';
import { idParam, type Endpoint } from '../spec.js';

const groupParams = {
  type: 'object',
  required: ['id', 'group'],
  properties: { id: idParam.properties.id, group: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export const groupEndpoints: Endpoint[] = [
  {
    method: 'GET',
    url: '/api/v1/runs/:id/groups',
    tag: 'groups',
    summary: 'Consumer groups of the run: phase (syncing, cut-over, rolled-back...), partitions placed, last operation',
    schema: { params: idParam },
    async handler({ gateway }, req) {
      const { id } = req.params as { id: string };
      const run = await gateway.store.get(id);
      if (!run) throw new K2pError('K2P_RUN_NOT_FOUND', `no run ${id}`, { run: id });
      return { groups: await groupViews(gateway.redis, gateway.store, run) };
    },
  },
  ...(['cutover', 'rollback'] as const).map(
    (kind): Endpoint => ({
      method: 'POST',
      url: `/api/v1/runs/:id/groups/:group/${kind}`,
      tag: 'groups',
      status: 202,
      summary: kind === 'cutover' ? 'Cut a Kafka group over to its Pulsar subscription (queued; the group must be stopped)' : 'Roll a cut-over group back to Kafka (queued)',
      schema: { params: groupParams },
      async handler({ gateway }, req) {
        const { id, group } = req.params as { id: string; group: string };
        return gateway.service.groupOperation(id, group, kind);
      },
    }),
  ),
];
