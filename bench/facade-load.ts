// The load generator of `npm run bench:facade`, run as a child process (bench/facade.ts forks it): the server
// under test keeps its event loop and thread to itself, and the no-op ceiling and the facade routes are driven
// by the same client code. C keep-alive connections (node:http Agent, one request at a time per connection,
// no pipelining); each loop sends its next request once the previous response was read whole.
import { Agent, request, type IncomingMessage } from 'node:http';

export interface RequestsJob {
  kind: 'requests';
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Records one successful request carries. */
  records: number;
  ms: number;
  concurrency: number;
}

export interface StreamJob {
  kind: 'stream';
  url: string;
  /** Sent again and again (chunked) on each of `concurrency` requests until `ms` have passed. */
  chunk: string;
  ms: number;
  concurrency: number;
}

export type LoadJob = RequestsJob | StreamJob;

export interface LoadResult {
  calls: number;
  /** Records written (requests: `records` per request; streams: reports with error_code 200). */
  units: number;
  seconds: number;
  /** The first failure seen (a non-200 answer, a per-record 5xx, a socket error), if any. */
  failure?: string;
  /** CPU time this load generator spent on the job (user + system, µs): what the client side costs the machine. */
  cpuMicros: number;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function collect(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (b: Buffer) => parts.push(b));
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.on('error', reject);
  });
}

function once(agent: Agent, job: RequestsJob, body: Buffer | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(job.url, { method: job.method, agent, headers: job.headers }, (res) => {
      collect(res).then(
        (text) => resolve(res.statusCode !== 200 ? `HTTP ${res.statusCode} ${text}` : text.includes('"error_code":5') ? text : undefined),
        (err: Error) => resolve(err.message),
      );
    });
    req.on('error', (err) => resolve(err.message));
    req.end(body);
  });
}

async function requests(job: RequestsJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const body = job.body === undefined ? undefined : Buffer.from(job.body);
  if (body) job.headers['content-length'] = String(body.length);
  const end = Date.now() + job.ms;
  let calls = 0;
  let failure: string | undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (Date.now() < end) {
        const failed = await once(agent, job, body);
        if (failed !== undefined) {
          failure ??= failed;
          continue;
        }
        calls++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { calls, units: calls * job.records, seconds, failure, cpuMicros: cpuSince(cpu) };
}

/** One streaming request: chunks written while the socket takes them, until `end`; counts the 200 reports. */
function stream(agent: Agent, job: StreamJob, chunk: Buffer, end: number): Promise<{ ok: number; failure?: string }> {
  return new Promise((resolve) => {
    const req = request(job.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let ok = 0;
      let failure: string | undefined;
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop()!;
        for (const l of lines) {
          if (l.startsWith('{"error_code":200')) ok++;
          else failure ??= l;
        }
      });
      res.on('end', () => resolve({ ok, failure: res.statusCode !== 200 ? `HTTP ${res.statusCode} ${rest}` : failure }));
      res.on('error', (err) => resolve({ ok, failure: err.message }));
    });
    req.on('error', (err) => resolve({ ok: 0, failure: err.message }));
    const pump = () => {
      while (Date.now() < end) if (!req.write(chunk)) return void req.once('drain', pump);
      req.end();
    };
    pump();
  });
}

async function streams(job: StreamJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const chunk = Buffer.from(job.chunk);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = Date.now() + job.ms;
  const all = await Promise.all(Array.from({ length: job.concurrency }, () => stream(agent, job, chunk, end)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { calls: all.length, units: all.reduce((a, b) => a + b.ok, 0), seconds, failure: all.find((r) => r.failure)?.failure, cpuMicros: cpuSince(cpu) };
}

process.on('message', (job: LoadJob) => {
  void (job.kind === 'requests' ? requests(job) : streams(job)).then((result) => process.send!(result));
});
