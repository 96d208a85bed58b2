// v3 produce: `POST /v3/clusters/{cluster}/topics/{topic}/records` — a body of one or more concatenated
// JSON records (a chunked stream), answered with one report per record, in order, as they are stored —
// and `.../records:batch` (all-or-nothing: an invalid entry refuses the whole batch).
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FacadeCore } from '../facade.js';
import { isObject } from '../http/body.js';
import { CODES, RestError, topicNotFound } from '../rest-error.js';
import { JsonObjectSplitter } from './json-stream.js';
import { encodeSchemaParts, parseV3Record, report, type ParsedV3 } from './produce-request.js';

type Params = { cluster: string; topic: string };

/** v3 takes application/json only (or no Content-Type). */
export function requireV3Json(contentType: string | undefined): void {
  const e = contentType?.split(';')[0]!.trim().toLowerCase();
  if (e === undefined || e === '' || e === 'application/json') return;
  throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `HTTP 415 Unsupported Media Type: ${e}`);
}

/** Records stored together per produce call while streaming (more are parsed meanwhile). */
const STREAM_BATCH = 500;

function failure(err: unknown): Record<string, unknown> {
  const e = err instanceof RestError ? err : new RestError(CODES.INTERNAL, 'Internal server error');
  // v3 answers a record it cannot read with 400 (v2 says 422 for the same mistakes).
  return { error_code: e.status === 422 ? 400 : e.status, message: e.message };
}

async function checkTarget(core: FacadeCore, clusterId: () => Promise<string>, p: Params): Promise<string> {
  const id = await clusterId();
  if (p.cluster !== id) throw new RestError(CODES.NOT_FOUND, `Cluster ${p.cluster} cannot be found.`);
  const count = await core.partitionCount(core.routes.lookup(p.topic));
  if (count === undefined) throw topicNotFound(p.topic);
  return id;
}

/** Items parsed from the stream: a record, or an error answered in its place. */
type Item = { parsed: ParsedV3 } | { error: Record<string, unknown> };

async function streamProduce(core: FacadeCore, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, clusterId: string, maxBytes: number): Promise<void> {
  const body = req.body as Readable;
  const splitter = new JsonObjectSplitter();
  const queue: Item[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  body.on('data', (chunk: Buffer) => {
    for (const text of splitter.push(chunk)) {
      if (text.length > maxBytes) {
        queue.push({ error: { error_code: 413, message: `a record is larger than ${maxBytes} bytes` } });
        continue;
      }
      try {
        queue.push({ parsed: parseV3Record(JSON.parse(text)) });
      } catch (err) {
        queue.push({ error: err instanceof SyntaxError ? { error_code: 400, message: `Malformed JSON: ${err.message}` } : failure(err) });
      }
    }
    if (splitter.junk !== undefined) {
      queue.push({ error: { error_code: 400, message: `Malformed JSON near "${splitter.junk}"` } });
      // The rest of the body is read and dropped: destroying the request would close the connection before
      // the answer is written.
      body.removeAllListeners('data');
      body.resume();
      ended = true;
    }
    if (queue.length > STREAM_BATCH * 4) body.pause();
    notify();
  });
  const finished = new Promise<void>((resolve) => {
    let done = false;
    const end = () => {
      if (done) return; // 'end' and 'close' both come
      done = true;
      if (splitter.incomplete && splitter.junk === undefined) queue.push({ error: { error_code: 400, message: 'Malformed JSON: the body ends inside a record' } });
      ended = true;
      notify();
      resolve();
    };
    body.on('end', end);
    body.on('close', end);
    body.on('error', end);
  });

  const raw = reply.raw;
  let started = false;
  let count = 0;
  const write = (obj: Record<string, unknown>) => {
    if (!started) {
      started = true;
      raw.writeHead(200, { 'content-type': 'application/json' });
    }
    raw.write(`${JSON.stringify(obj)}\n`);
  };
  reply.hijack();
  for (;;) {
    if (queue.length === 0) {
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    // A run of valid records goes in one produce call; an invalid one is answered in its place.
    const run: ParsedV3[] = [];
    while (queue.length > 0 && run.length < STREAM_BATCH && 'parsed' in queue[0]!) run.push((queue.shift() as { parsed: ParsedV3 }).parsed);
    if (body.isPaused() && queue.length < STREAM_BATCH) body.resume();
    let reports: Record<string, unknown>[];
    if (run.length === 0) {
      reports = [(queue.shift() as { error: Record<string, unknown> }).error];
    } else {
      try {
        const refused = await encodeSchemaParts(core, req.params.topic, run);
        const good = run.filter((_, i) => !refused[i]);
        const results = good.length > 0 ? await core.produce(req.params.topic, good.map((p) => p.record)) : [];
        let next = 0;
        reports = run.map((p, i) => (refused[i] ? failure(refused[i]) : report(clusterId, req.params.topic, p, results[next++]!)));
      } catch (err) {
        reports = run.map(() => failure(err));
      }
    }
    if (count === 0 && reports.length === 1) {
      // A body of exactly one record is a plain request: its error is the HTTP answer.
      while (!ended && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      if (ended && queue.length === 0 && reports[0]!.error_code !== 200) {
        raw.writeHead(Number(reports[0]!.error_code), { 'content-type': 'application/json' });
        raw.end(JSON.stringify(reports[0]));
        return;
      }
    }
    for (const r of reports) write(r);
    count += reports.length;
  }
  await finished;
  if (count === 0) {
    raw.writeHead(422, { 'content-type': 'application/json' });
    raw.end(JSON.stringify({ error_code: 422, message: 'Payload error. Request body is empty. Data is required.' }));
    return;
  }
  raw.end();
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
      await streamProduce(core, req, reply, id, bodyLimit);
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
