// v3 produce: `POST /v3/clusters/{cluster}/topics/{topic}/records` — a body of one or more concatenated
// JSON records (a chunked stream, stream-produce.ts), answered with one report per record, in order, as they
// are stored — and `.../records:batch` (all-or-nothing: an invalid entry refuses the whole batch).
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FacadeCore } from '../facade.js';
import { isObject } from '../http/body.js';
import { CODES, RestError, topicNotFound } from '../rest-error.js';
import { encodeSchemaParts, failure, parseV3Record, report, type ParsedV3 } from './produce-request.js';
import { streamProduce } from './stream-produce.js';

type Params = { cluster: string; topic: string };

/** v3 takes application/json only (or no Content-Type). */
export function requireV3Json(contentType: string | undefined): void {
  const e = contentType?.split(';')[0]!.trim().toLowerCase();
  if (e === undefined || e === '' || e === 'application/json') return;
  throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `HTTP 415 Unsupported Media Type: ${e}`);
}

async function checkTarget(core: FacadeCore, clusterId: () => Promise<string>, p: Params): Promise<string> {
  const id = await clusterId();
  if (p.cluster !== id) throw new RestError(CODES.NOT_FOUND, `Cluster ${p.cluster} cannot be found.`);
  const count = await core.partitionCount(core.routes.lookup(p.topic));
  if (count === undefined) throw topicNotFound(p.topic);
  return id;
}

async function batchProduce(core: FacadeCore, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, clusterId: string, text: string): Promise<FastifyReply> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new RestError(CODES.BAD_REQUEST, `Malformed JSON: ${(err as Error).message}`);
  }
  if (!isObject(body) || !Array.isArray(body.entries) || body.entries.length === 0) throw new RestError(CODES.BAD_REQUEST, 'entries may not be empty');
  const entries = body.entries as unknown[];
  const parsed: { id: unknown; rec?: ParsedV3; error?: Record<string, unknown> }[] = entries.map((e, i) => {
    const id = isObject(e) ? e.id : undefined;
    if (typeof id !== 'string' || id === '') return { id: typeof id === 'string' ? id : null, error: { error_code: 400, message: `entries[${i}].id must be a non-empty string` } };
    try {
      return { id, rec: parseV3Record(e, `entries[${i}]`) };
    } catch (err) {
      return { id, error: failure(err) };
    }
  });
  const ready = parsed.filter((p) => p.rec);
  const refused = await encodeSchemaParts(core, req.params.topic, ready.map((p) => p.rec!));
  ready.forEach((p, i) => refused[i] && (p.error = failure(refused[i])));
  const ids = parsed.map((p) => p.id);
  const dup = ids.find((id, i) => typeof id === 'string' && ids.indexOf(id) !== i);
  if (dup !== undefined) parsed.forEach((p) => p.id === dup && (p.error ??= { error_code: 400, message: `entry id ${String(dup)} is not unique` }));
  const invalid = parsed.filter((p) => p.error);
  if (invalid.length > 0) {
    // All-or-nothing: nothing is written when an entry is invalid.
    return reply.code(207).type('application/json').send({
      successes: [],
      failures: parsed.map((p) => ({ id: p.id, error_code: p.error ? p.error.error_code : 400, message: p.error ? p.error.message : 'not written: another entry of the batch is invalid' })),
    });
  }
  const results = await core.produce(req.params.topic, parsed.map((p) => p.rec!.record));
  const successes: unknown[] = [];
  const failures: unknown[] = [];
  results.forEach((r, i) => {
    const rep = report(clusterId, req.params.topic, parsed[i]!.rec!, r);
    if (r.error) failures.push({ id: parsed[i]!.id, ...rep });
    else successes.push({ id: parsed[i]!.id, ...rep });
  });
  return reply.code(207).type('application/json').send({ successes, failures });
}

export function registerV3RecordRoutes(app: FastifyInstance, core: FacadeCore, clusterId: () => Promise<string>, bodyLimit: number): void {
  app.register(async (scoped) => {
    // The body stays a stream here: records are produced while the rest of the body is still arriving.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', (_req: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void) => done(null, payload));
    scoped.post<{ Params: Params }>('/v3/clusters/:cluster/topics/:topic/records', async (req, reply) => {
      requireV3Json(req.headers['content-type']);
      const id = await checkTarget(core, clusterId, req.params);
      if (req.body === undefined || req.body === null) throw new RestError(CODES.UNPROCESSABLE, 'Payload error. Request body is empty. Data is required.');
      await streamProduce(core, req.params.topic, req.body as Readable, reply, id, bodyLimit);
      return reply;
    });
  });
  app.post<{ Params: Params }>('/v3/clusters/:cluster/topics/:topic/records::batch', async (req, reply) => {
    requireV3Json(req.headers['content-type']);
    const id = await checkTarget(core, clusterId, req.params);
    const raw = req.body;
    const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
    return batchProduce(core, req, reply, id, text);
  });
}
