// v2: `GET|POST /`, `GET /brokers`, topics, partitions, offsets, and produce to a topic or a partition.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FacadeCore } from '../facade.js';
import { intParam, jsonBody } from '../http/body.js';
import { negotiate, produceFormat, V2_PRODUCES, type EmbeddedFormat } from '../http/media-types.js';
import type { RecordResult } from '../records.js';
import { produceRequest, type V2ProduceOptions } from './produce-request.js';

export interface V2Options extends V2ProduceOptions {
  /** Embedded formats accepted on produce. */
  formats: readonly EmbeddedFormat[];
}

type Params = { topic: string; partition?: string };

function send(req: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type(negotiate(req.headers.accept, V2_PRODUCES)).send(body);
}

function offsetsBody(results: RecordResult[], keySchemaId: number | null, valueSchemaId: number | null): unknown {
  return {
    offsets: results.map((r) =>
      r.error
        ? { partition: r.partition, offset: null, error_code: r.error.errorCode, error: r.error.message }
        : { partition: r.partition, offset: Number(r.offset), error_code: null, error: null },
    ),
    key_schema_id: keySchemaId,
    value_schema_id: valueSchemaId,
  };
}

export function registerV2TopicRoutes(app: FastifyInstance, core: FacadeCore, options: V2Options): void {
  app.get('/', (req, reply) => send(req, reply, {}));
  app.post('/', (req, reply) => send(req, reply, {}));

  app.get('/brokers', async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    const { brokers } = await core.kafka.brokers();
    return send(req, reply, { brokers: brokers.map((b) => b.nodeId).sort((a, b) => a - b) });
  });

  app.get('/topics', async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    return send(req, reply, await core.listTopics());
  });

  app.get<{ Params: Params }>('/topics/:topic', async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    const partitions = await core.partitions(req.params.topic);
    return send(req, reply, { name: req.params.topic, configs: {}, partitions });
  });

  app.get<{ Params: Params }>('/topics/:topic/partitions', async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    return send(req, reply, await core.partitions(req.params.topic));
  });

  app.get<{ Params: Params }>('/topics/:topic/partitions/:partition', async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    return send(req, reply, await core.partition(req.params.topic, intParam(req.params.partition, 'partition')));
  });

  app.get<{ Params: Params }>('/topics/:topic/partitions/:partition/offsets', async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    return send(req, reply, await core.offsets(req.params.topic, intParam(req.params.partition, 'partition')));
  });

  const produce = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, partition?: number) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    const format = produceFormat(req.headers['content-type'], options.formats);
    const request = await produceRequest(jsonBody(req), format, options, () => core.routes.lookup(req.params.topic), core.schemas, partition);
    return send(req, reply, offsetsBody(await core.produce(req.params.topic, request.records), request.keySchemaId, request.valueSchemaId));
  };
  app.post<{ Params: Params }>('/topics/:topic', (req, reply) => produce(req, reply));
  app.post<{ Params: Params }>('/topics/:topic/partitions/:partition', (req, reply) => produce(req, reply, intParam(req.params.partition, 'partition')));
}
