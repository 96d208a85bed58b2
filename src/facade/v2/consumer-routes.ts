// v2 consumer instances: `/consumers/{group}` and `/consumers/{group}/instances/{id}/...` (create, delete,
// subscription, assignments, positions, records, offsets), with Confluent's shapes and error codes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsumerInstances } from '../consumers/instances.js';
import { parseCreate } from '../consumers/create-request.js';
import type { ConsumedRecord, InstanceState, TopicPartition } from '../consumers/types.js';
import { isObject, jsonBody, objectBody } from '../http/body.js';
import { negotiate, recordsAccept, requireJsonBody, V2_PRODUCES, type EmbeddedFormat } from '../http/media-types.js';
import { CODES, RestError } from '../rest-error.js';
import { encodeEmbedded } from './embedded.js';

export interface ConsumerRouteOptions {
  /** Formats a consumer instance may be created with. */
  formats: readonly EmbeddedFormat[];
  /** Opt-in extension: records carry `headers` and `timestamp`. */
  extensions: boolean;
  bodyLimit?: number;
  /** Turns a record's key or value into its JSON form for the instance's format (default: encodeEmbedded). */
  encode?: (state: InstanceState, record: ConsumedRecord, part: 'key' | 'value') => Promise<unknown>;
}

type P = { group: string; instance: string };

function unprocessable(message: string): RestError {
  return new RestError(CODES.UNPROCESSABLE, message);
}

function partitionsOf(body: Record<string, unknown>, field: 'partitions' | 'offsets', withOffset: boolean): (TopicPartition & { offset: bigint })[] {
  const list = body[field];
  if (!Array.isArray(list)) throw unprocessable(`${field} must be an array`);
  return list.map((e: unknown, i) => {
    if (!isObject(e) || typeof e.topic !== 'string' || e.topic === '') throw unprocessable(`${field}[${i}].topic must be a topic name`);
    if (typeof e.partition !== 'number' || !Number.isInteger(e.partition) || e.partition < 0) throw unprocessable(`${field}[${i}].partition must be an integer ≥ 0`);
    let offset = 0n;
    if (withOffset) {
      if (typeof e.offset !== 'number' || !Number.isSafeInteger(e.offset) || e.offset < 0) throw unprocessable(`${field}[${i}].offset must be an integer ≥ 0`);
      offset = BigInt(e.offset);
    }
    return { topic: e.topic, partition: e.partition, offset };
  });
}

function v2(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.type(negotiate(req.headers.accept, V2_PRODUCES));
}

function intQuery(v: unknown, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !/^[0-9]{1,12}$/.test(v)) throw new RestError(CODES.BAD_REQUEST, `${what} must be a non-negative integer`);
  return Number(v);
}

async function rawBody(req: FastifyRequest, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RestError(CODES.TOO_LARGE, 'HTTP 413 Request Entity Too Large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function registerV2ConsumerRoutes(app: FastifyInstance, consumers: ConsumerInstances, options: ConsumerRouteOptions): void {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const base = '/consumers/:group/instances/:instance';
  const encode = options.encode ?? (async (s: InstanceState, r: ConsumedRecord, part: 'key' | 'value') => encodeEmbedded(s.format, r[part]));

  app.post<{ Params: { group: string } }>('/consumers/:group', async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    requireJsonBody(req.headers['content-type']);
    const create = parseCreate(jsonBody(req) ?? {}, options.formats);
    const s = await consumers.create(req.params.group, create);
    const host = req.headers.host ?? 'localhost';
    const path = `/consumers/${encodeURIComponent(s.group)}/instances/${encodeURIComponent(s.id)}`;
    return v2(req, reply).send({ instance_id: s.id, base_uri: `${req.protocol}://${host}${path}` });
  });

  app.delete<{ Params: P }>(base, async (req, reply) => {
    await consumers.delete(req.params.group, req.params.instance);
    return v2(req, reply).code(204).send();
  });

  app.post<{ Params: P }>(`${base}/subscription`, async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    requireJsonBody(req.headers['content-type']);
    const body = objectBody(req);
    const hasTopics = body.topics !== undefined && body.topics !== null;
    const hasPattern = body.topic_pattern !== undefined && body.topic_pattern !== null;
    if (hasTopics === hasPattern) throw new RestError(CODES.ILLEGAL_STATE, 'Subscription to topics, partitions and pattern are mutually exclusive: give topics or topic_pattern');
    if (hasTopics) {
      if (!Array.isArray(body.topics) || body.topics.length === 0 || body.topics.some((t) => typeof t !== 'string' || t === '')) throw unprocessable('topics must be a non-empty array of topic names');
      await consumers.subscribe(req.params.group, req.params.instance, { topics: [...new Set(body.topics as string[])] });
    } else {
      if (typeof body.topic_pattern !== 'string' || body.topic_pattern === '') throw unprocessable('topic_pattern must be a regular expression');
      try {
        new RegExp(body.topic_pattern);
      } catch {
        throw unprocessable('topic_pattern is not a valid regular expression');
      }
      await consumers.subscribe(req.params.group, req.params.instance, { pattern: body.topic_pattern });
    }
    return v2(req, reply).code(204).send();
  });

  app.get<{ Params: P }>(`${base}/subscription`, async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    return v2(req, reply).send({ topics: await consumers.subscription(req.params.group, req.params.instance) });
  });

  app.delete<{ Params: P }>(`${base}/subscription`, async (req, reply) => {
    await consumers.unsubscribe(req.params.group, req.params.instance);
    return v2(req, reply).code(204).send();
  });

  app.post<{ Params: P }>(`${base}/assignments`, async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    requireJsonBody(req.headers['content-type']);
    const parts = partitionsOf(objectBody(req), 'partitions', false).map(({ topic, partition }) => ({ topic, partition }));
    await consumers.assign(req.params.group, req.params.instance, parts);
    return v2(req, reply).code(204).send();
  });

  app.get<{ Params: P }>(`${base}/assignments`, async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    return v2(req, reply).send({ partitions: await consumers.assignments(req.params.group, req.params.instance) });
  });

  app.post<{ Params: P }>(`${base}/positions`, async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    requireJsonBody(req.headers['content-type']);
    await consumers.seek(req.params.group, req.params.instance, partitionsOf(objectBody(req), 'offsets', true));
    return v2(req, reply).code(204).send();
  });

  for (const edge of ['beginning', 'end'] as const) {
    app.post<{ Params: P }>(`${base}/positions/${edge}`, async (req, reply) => {
      negotiate(req.headers.accept, V2_PRODUCES);
      requireJsonBody(req.headers['content-type']);
      const parts = partitionsOf(objectBody(req), 'partitions', false).map(({ topic, partition }) => ({ topic, partition }));
      await consumers.seekEdge(req.params.group, req.params.instance, parts, edge);
      return v2(req, reply).code(204).send();
    });
  }

  app.get<{ Params: P; Querystring: { timeout?: string; max_bytes?: string } }>(`${base}/records`, async (req, reply) => {
    const timeoutMs = intQuery(req.query.timeout, 'timeout');
    const maxBytes = intQuery(req.query.max_bytes, 'max_bytes');
    const { state, body } = await consumers.records(req.params.group, req.params.instance, {
      timeoutMs,
      maxBytes,
      accept: (format) => recordsAccept(req.headers.accept, format),
      render: async (s, records) => {
        const out: Record<string, unknown>[] = [];
        for (const r of records) {
          const one: Record<string, unknown> = { topic: r.topic, key: await encode(s, r, 'key'), value: await encode(s, r, 'value'), partition: r.partition, offset: Number(r.offset) };
          if (options.extensions) {
            one.headers = r.headers.map((h) => ({ name: h.key, value: h.value === null ? null : h.value.toString('base64') }));
            one.timestamp = r.timestamp;
          }
          out.push(one);
        }
        return out;
      },
    });
    const type = recordsAccept(req.headers.accept, state.format);
    return reply.type(type).send(body);
  });

  app.post<{ Params: P }>(`${base}/offsets`, async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    requireJsonBody(req.headers['content-type']);
    const body = jsonBody(req);
    const offsets = body === undefined || (isObject(body) && (body.offsets === undefined || body.offsets === null)) ? undefined : partitionsOf(isObject(body) ? body : {}, 'offsets', true);
    await consumers.commit(req.params.group, req.params.instance, offsets);
    return v2(req, reply).code(200).send();
  });

  app.get<{ Params: P }>(`${base}/offsets`, async (req, reply) => {
    negotiate(req.headers.accept, V2_PRODUCES);
    // A GET with a body (as Confluent's API has it): the framework does not read GET bodies, so read it here.
    if (req.body === undefined) (req as { body: unknown }).body = await rawBody(req, bodyLimit);
    const parts = partitionsOf(objectBody(req), 'partitions', false).map(({ topic, partition }) => ({ topic, partition }));
    const committed = await consumers.committed(req.params.group, req.params.instance, parts);
    return v2(req, reply).send({ offsets: committed.map((c) => ({ topic: c.topic, partition: c.partition, offset: Number(c.offset), metadata: '' })) });
  });
}
