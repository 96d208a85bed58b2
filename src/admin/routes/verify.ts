// /api/v1/runs/:id/verify: start a verification of the run's topics (202), read the results.
import { K2pError } from '../../errors.js';
import { idParam, type Endpoint } from '../spec.js';

export const verifyEndpoints: Endpoint[] = [
  {
    method: 'POST',
    url: '/api/v1/runs/:id/verify',
    tag: 'verify',
    status: 202,
    summary: "Start a verification of the run's topics (Kafka against Pulsar, record for record)",
    schema: { params: idParam },
    async handler({ gateway }, req) {
      return gateway.service.startVerify((req.params as { id: string }).id);
    },
  },
  {
    method: 'GET',
    url: '/api/v1/runs/:id/verify',
    tag: 'verify',
    summary: "The run's verifications (the step's and those started on demand), oldest first",
    schema: { params: idParam },
    async handler({ gateway }, req) {
      const { id } = req.params as { id: string };
      if (!(await gateway.store.get(id))) throw new K2pError('K2P_RUN_NOT_FOUND', `no run ${id}`, { run: id });
      return { verifications: await gateway.store.verifications(id) };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/runs/:id/verify/:verification',
    tag: 'verify',
    summary: 'One verification: running, or its result (identical, counts per topic, first divergences)',
    schema: { params: { type: 'object', required: ['id', 'verification'], properties: { id: idParam.properties.id, verification: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } },
    async handler({ gateway }, req) {
      const { id, verification } = req.params as { id: string; verification: string };
      const found = (await gateway.store.verifications(id)).find((v) => v.id === verification);
      if (!found) throw new K2pError('K2P_ADMIN_NOT_FOUND', `run ${id} has no verification ${verification}`, { run: id, verification });
      return found;
    },
  },
];
