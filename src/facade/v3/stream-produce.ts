// v3 streaming produce: a chunked body of concatenated JSON records, answered with one report per record, in
// order, while the rest of the body is still arriving. Records are pipelined: a run of parsed records is
// queued on the route's writer (in stream order: the next run is queued only once this one is) while earlier
// runs still wait for the broker, so a stream is not held to one broker round trip per run. Reports are
// written in stream order as runs complete; a record that fails is reported in its own place.
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FacadeCore } from '../facade.js';
import type { IncomingRecord, RecordResult } from '../records.js';
import { RestError } from '../rest-error.js';
import { JsonObjectSplitter } from './json-stream.js';
import { readPlainRecord } from './plain-record.js';
import { encodeSchemaParts, failure, parseV3Record, type ParsedV3 } from './produce-request.js';
import { ReportFormat, ReportLines } from './report-lines.js';

/** Records queued together per enqueue (more are parsed meanwhile). */
const STREAM_BATCH = 500;
/**
 * How deep one stream's pipeline goes: runs queued whose reports are not written yet, and their records. A
 * few runs cover the broker's round trip; more only hold more records (and promises) in memory, which
 * costs more in garbage collection than it gains.
 */
const RUNS_IN_FLIGHT = 4;
const RECORDS_IN_FLIGHT = 2 * STREAM_BATCH;
/**
 * Records in flight over all streams of this process. Beyond its first run, a stream queues more only within
 * this budget: with many streams, per-stream depth alone held tens of thousands of records (and their
 * promises) alive, and young-generation collections spent their time copying them.
 */
const PROCESS_RECORDS_IN_FLIGHT = 4 * STREAM_BATCH;
/** A stream's run while the process budget is spent: it still moves, in small steps. */
const SMALL_RUN = 50;
let processInFlight = 0;

/** The limits above, for tests and docs. */
export const STREAM_LIMITS = { run: STREAM_BATCH, runsInFlight: RUNS_IN_FLIGHT, recordsInFlight: RECORDS_IN_FLIGHT, processRecordsInFlight: PROCESS_RECORDS_IN_FLIGHT, smallRun: SMALL_RUN } as const;

/** A report that is not a success: its error_code and its JSON text (one line of the answer). */
interface FailureReport {
  status: number;
  text: string;
}
/** A record's outcome: its result, or the error that kept the route from taking it. */
type Outcome = RecordResult | Refused;

/** Wraps an error that refused records (a class: told apart from a RecordResult without a tag field). */
class Refused {
  constructor(readonly error: unknown) {}
}

/**
 * Queues records as one request. When the route refuses them whole for a client mistake (a partition that
 * does not exist, a record the Pulsar mapping cannot take: nothing was written), they are queued again one
 * by one, so the refusal reaches exactly its record and the others are written.
 */
async function enqueueRecords(core: FacadeCore, topic: string, records: readonly IncomingRecord[]): Promise<{ done: Promise<Outcome[]> }> {
  try {
    const { done } = await core.enqueue(topic, records);
    // The results themselves on success: no object per record on the common path.
    return { done: done.then(undefined, (error: unknown) => refuseAll(records, error)) };
  } catch (error) {
    if (records.length === 1 || !(error instanceof RestError) || error.status >= 500) return { done: Promise.resolve(refuseAll(records, error)) };
    const each: Promise<Outcome[]>[] = [];
    for (const r of records) each.push((await enqueueRecords(core, topic, [r])).done);
    return { done: Promise.all(each).then((lists) => lists.flat()) };
  }
}

function refuseAll(records: readonly IncomingRecord[], error: unknown): Outcome[] {
  const refused = new Refused(error);
  return records.map(() => refused);
}

/** Encodes a run's schema parts and queues its records; `reports` resolves once all of them have an outcome. */
async function queueRun(core: FacadeCore, topic: string, format: ReportFormat, run: readonly ParsedV3[]): Promise<{ reports: Promise<ReportLines> }> {
  let refused: (RestError | undefined)[];
  try {
    refused = await encodeSchemaParts(core, topic, run);
  } catch (err) {
    const lines = new ReportLines(format, run.length);
    const why = failureReport(err);
    for (let i = 0; i < run.length; i++) addFailure(lines, why);
    return { reports: Promise.resolve(lines) };
  }
  const good = refused.some((r) => r !== undefined) ? run.filter((_, i) => !refused[i]) : run;
  const { done } = good.length > 0 ? await enqueueRecords(core, topic, good.map((p) => p.record)) : { done: Promise.resolve([]) };
  return {
    reports: done.then((outcomes) => {
      const lines = new ReportLines(format, run.length);
      let next = 0;
      for (let i = 0; i < run.length; i++) {
        const outcome: RestError | Outcome = refused[i] ?? outcomes[next++]!;
        if (outcome instanceof RestError) addFailure(lines, failureReport(outcome));
        else if (outcome instanceof Refused) addFailure(lines, failureReport(outcome.error));
        else lines.report(run[i]!, outcome);
      }
      return lines;
    }),
  };
}

function failureReport(err: unknown): FailureReport {
  const f = failure(err);
  return { status: f.error_code, text: JSON.stringify(f) };
}
const errorReport = (status: number, message: string): FailureReport => ({ status, text: JSON.stringify({ error_code: status, message }) });
const addFailure = (lines: ReportLines, why: FailureReport) => lines.text(why.text, why.status);

/**
 * Items split from the stream: a record's JSON bytes, parsed only when its run is formed (a parsed record is
 * a dozen objects, its bytes one view; records waiting in the queue would otherwise outlive young-generation
 * collections and be copied), or an error answered in its place.
 */
type Item = Buffer | { error: FailureReport };

/** A record's bytes parsed (the quick read when it is plain), or the error its report gives. */
function parseItem(bytes: Buffer): ParsedV3 | { error: FailureReport } {
  const plain = readPlainRecord(bytes);
  if (plain) return plain;
  try {
    return parseV3Record(JSON.parse(bytes.toString('utf8')));
  } catch (err) {
    return { error: err instanceof SyntaxError ? errorReport(400, `Malformed JSON: ${err.message}`) : failureReport(err) };
  }
}

/** A run on its way: its reports once every record has an outcome. */
interface Pending {
  records: number;
  settled: Promise<void>;
  reports?: ReportLines;
}

export async function streamProduce(core: FacadeCore, topic: string, body: Readable, reply: FastifyReply, clusterId: string, maxBytes: number): Promise<void> {
  const format = new ReportFormat(clusterId, topic);
  const splitter = new JsonObjectSplitter();
  const queue: Item[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const arrival = () => new Promise<void>((resolve) => (wake = resolve));
  body.on('data', (chunk: Buffer) => {
    for (const record of splitter.push(chunk)) {
      if (record.length > maxBytes) {
        queue.push({ error: errorReport(413, `a record is larger than ${maxBytes} bytes`) });
        continue;
      }
      queue.push(record);
    }
    if (splitter.junk !== undefined) {
      queue.push({ error: errorReport(400, `Malformed JSON near "${splitter.junk}"`) });
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
      if (splitter.incomplete && splitter.junk === undefined) queue.push({ error: errorReport(400, 'Malformed JSON: the body ends inside a record') });
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
  /** One write per run: a syscall per report would cost more than the report. */
  const write = (reports: ReportLines) => {
    if (!started) {
      started = true;
      raw.writeHead(200, { 'content-type': 'application/json' });
    }
    raw.write(reports.lines());
    count += reports.count;
  };
  reply.hijack();
  const pipeline: Pending[] = [];
  let inFlight = 0;
  const room = () => pipeline.length === 0 || (pipeline.length < RUNS_IN_FLIGHT && inFlight < RECORDS_IN_FLIGHT && processInFlight < PROCESS_RECORDS_IN_FLIGHT);
  try {
    await pump();
  } finally {
    processInFlight -= inFlight; // runs this stream left behind (none unless it failed) no longer count
  }

  async function pump(): Promise<void> {
    for (;;) {
      // Reports of the runs at the head that are complete, in stream order.
      while (pipeline.length > 0 && pipeline[0]!.reports) {
        const head = pipeline.shift()!;
        const reports = head.reports!;
        inFlight -= head.records;
        processInFlight -= head.records;
        if (count === 0 && reports.count === 1 && pipeline.length === 0) {
          // A body of exactly one record is a plain request: its error is the HTTP answer.
          while (!ended && queue.length === 0) await arrival();
          if (ended && queue.length === 0 && reports.firstStatus !== 200) {
            raw.writeHead(reports.firstStatus, { 'content-type': 'application/json' });
            const line = reports.lines();
            raw.end(line.subarray(0, line.length - 1)); // without its newline: the answer is the report
            return;
          }
        }
        write(reports);
      }
      if (queue.length > 0 && room()) {
        // A run of valid records is queued as one request; an invalid one is answered in its place.
        const run: ParsedV3[] = [];
        const limit = processInFlight < PROCESS_RECORDS_IN_FLIGHT ? STREAM_BATCH : SMALL_RUN;
        while (run.length < queue.length && run.length < limit) {
          const item = queue[run.length]!;
          if (!Buffer.isBuffer(item)) break;
          const parsed = parseItem(item);
          if ('error' in parsed) {
            queue[run.length] = parsed; // answered in its place, after the run before it
            break;
          }
          run.push(parsed);
        }
        queue.splice(0, run.length); // one splice: shift() per record moves the queue each time
        if (body.isPaused() && queue.length < STREAM_BATCH) body.resume();
        const p: Pending = { records: run.length, settled: Promise.resolve() };
        inFlight += run.length;
        processInFlight += run.length;
        if (run.length === 0) {
          const why = (queue.shift() as { error: FailureReport }).error;
          p.reports = new ReportLines(format, 1);
          addFailure(p.reports, why);
        } else {
          const { reports } = await queueRun(core, topic, format, run);
          p.settled = reports.then((r) => void (p.reports = r));
        }
        pipeline.push(p);
        continue;
      }
      if (pipeline.length > 0) {
        // Wait for the oldest run, or (with room in the pipeline) for more records.
        await (queue.length === 0 && !ended && room() ? Promise.race([pipeline[0]!.settled, arrival()]) : pipeline[0]!.settled);
        continue;
      }
      if (ended) break;
      await arrival();
    }
    await finished;
    if (count === 0) {
      raw.writeHead(422, { 'content-type': 'application/json' });
      raw.end(JSON.stringify({ error_code: 422, message: 'Payload error. Request body is empty. Data is required.' }));
      return;
    }
    raw.end();
  }
}
