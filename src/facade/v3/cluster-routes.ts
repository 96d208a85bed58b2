// v3 reads that make sense behind the facade: the cluster, its topics and their partitions.
import type { FastifyInstance } from 'fastify';
import type { FacadeCore } from '../facade.js';
import { intParam } from '../http/body.js';
import { CODES, RestError } from '../rest-error.js';

export function registerV3ClusterRoutes(app: FastifyInstance, core: FacadeCore, clusterId: () => Promise<string>): void {
  const base = (req: { protocol: string; host: string }) => `${req.protocol}://${req.host}/v3`;
  const cluster = async (id: string) => {
    if (id !== (await clusterId())) throw new RestError(CODES.NOT_FOUND, `Cluster ${id} cannot be found.`);
    return id;
  };
  const clusterData = (root: string, id: string) => ({
    kind: 'KafkaCluster',
    metadata: { self: `${root}/clusters/${id}`, resource_name: `crn:///kafka=${id}` },
    cluster_id: id,
    topics: { related: `${root}/clusters/${id}/topics` },
  });
  const topicData = (root: string, id: string, name: string, partitions: number) => ({
    kind: 'KafkaTopic',
    metadata: { self: `${root}/clusters/${id}/topics/${name}`, resource_name: `crn:///kafka=${id}/topic=${name}` },
    cluster_id: id,
    topic_name: name,
    is_internal: false,
    replication_factor: 1,
    partitions_count: partitions,
    partitions: { related: `${root}/clusters/${id}/topics/${name}/partitions` },
  });
  const partitionData = (root: string, id: string, name: string, p: number) => ({
    kind: 'KafkaPartition',
    metadata: { self: `${root}/clusters/${id}/topics/${name}/partitions/${p}`, resource_name: `crn:///kafka=${id}/topic=${name}/partition=${p}` },
    cluster_id: id,
    topic_name: name,
    partition_id: p,
  });

  app.get('/v3/clusters', async (req) => {
    const id = await clusterId();
    return { kind: 'KafkaClusterList', metadata: { self: `${base(req)}/clusters`, next: null }, data: [clusterData(base(req), id)] };
  });
  app.get<{ Params: { cluster: string } }>('/v3/clusters/:cluster', async (req) => clusterData(base(req), await cluster(req.params.cluster)));
  app.get<{ Params: { cluster: string } }>('/v3/clusters/:cluster/topics', async (req) => {
    const id = await cluster(req.params.cluster);
    const data = [];
    for (const name of await core.listTopics()) data.push(topicData(base(req), id, name, (await core.partitions(name)).length));
    return { kind: 'KafkaTopicList', metadata: { self: `${base(req)}/clusters/${id}/topics`, next: null }, data };
  });
  app.get<{ Params: { cluster: string; topic: string } }>('/v3/clusters/:cluster/topics/:topic', async (req) => {
    const id = await cluster(req.params.cluster);
    return topicData(base(req), id, req.params.topic, (await core.partitions(req.params.topic)).length);
  });
  app.get<{ Params: { cluster: string; topic: string } }>('/v3/clusters/:cluster/topics/:topic/partitions', async (req) => {
    const id = await cluster(req.params.cluster);
    const parts = await core.partitions(req.params.topic);
    return {
      kind: 'KafkaPartitionList',
      metadata: { self: `${base(req)}/clusters/${id}/topics/${req.params.topic}/partitions`, next: null },
      data: parts.map((p) => partitionData(base(req), id, req.params.topic, p.partition)),
    };
  });
  app.get<{ Params: { cluster: string; topic: string; partition: string } }>('/v3/clusters/:cluster/topics/:topic/partitions/:partition', async (req) => {
    const id = await cluster(req.params.cluster);
    const p = await core.partition(req.params.topic, intParam(req.params.partition, 'partition'));
    return partitionData(base(req), id, req.params.topic, p.partition);
  });
}
