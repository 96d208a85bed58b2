// /api/v1/runs/:id/topics and /history: topics and partitions with lag (last sample), history for charts.
import { K2pError } from '../../errors.js';
import type { Endpoint } from '../spec.js';
import { idParam } from '../spec.js';
import type { AdminContext } from '../spec.js';

async function existing(ctx: AdminContext, id: string): Promise<void> {
  if (!(await ctx.gateway.store.get(id))) throw new K2pError('K2P_RUN_NOT_FOUND', `no run ${id}`, { run: id });
}

export const topicEndpoints: Endpoint[] = [
  {
    method: 'GET',
    url: '/api/v1/runs/:id/topics',
    tag: 'topics',
    summary: "The run's topics: Pulsar target, backfill %, lag per partition (last sample, any gateway)",
    schema: { params: idParam },
    async handler(ctx, req) {
      const { id } = req.params as { id: string };
      await existing(ctx, id);
      const [topics, lag] = await Promise.all([ctx.gateway.store.topics(id), ctx.gateway.store.lag(id)]);
      const byTopic = new Map(lag?.topics.map((t) => [t.topic, t]));
      return {
        sampledAt: lag?.at ?? null,
        topics: topics.map((t) => ({ ...t, lag: byTopic.get(t.source) ?? null })),
      };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/runs/:id/topics/:topic',
    tag: 'topics',
    summary: 'One topic of the run with its partitions and their lag',
    schema: { params: { type: 'object', required: ['id', 'topic'], properties: { id: idParam.properties.id, topic: { type: 'string', minLength: 1, maxLength: 249 } } } },
    async handler(ctx, req) {
      const { id, topic } = req.params as { id: string; topic: string };
      await existing(ctx, id);
      const [topics, lag] = await Promise.all([ctx.gateway.store.topics(id), ctx.gateway.store.lag(id)]);
      const t = topics.find((x) => x.source === topic);
      if (!t) throw new K2pError('K2P_ADMIN_NOT_FOUND', `run ${id} has no topic ${topic}`, { run: id, topic });
      return { ...t, sampledAt: lag?.at ?? null, lag: lag?.topics.find((x) => x.topic === topic) ?? null };
    },
  },
  {
    method: 'GET',
    url: '/api/v1/runs/:id/history',
    tag: 'topics',
    summary: 'Throughput and lag over time (a point per sample; per topic for runs of up to 50 topics)',
    schema: { params: idParam },
    async handler(ctx, req) {
      const { id } = req.params as { id: string };
      await existing(ctx, id);
      return { points: await ctx.gateway.store.history(id) };
    },
  },
];
