// What verify's worker threads (the Kafka reader's, the Pulsar reader's) share: starting one from the built
// code or from the sources, and errors sent over (a K2pError keeps its code and details).
import { Worker } from 'node:worker_threads';
import { K2pError, type ErrorCode } from '../errors.js';

/** What a worker error becomes on its way over. */
export interface SentError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

export function sendable(err: unknown): SentError {
  if (err instanceof K2pError) {
    return {
      name: err.name,
      code: err.code,
      message: err.message.slice(err.code.length + 2),
      details: { ...err.details },
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message };
}

export function revived(e: SentError): Error {
  if (e.code) return new K2pError(e.code as ErrorCode, e.message, e.details ?? {});
  return Object.assign(new Error(e.message), { name: e.name });
}

/**
 * A worker thread running `name` (a module of this folder: .js when built; from the sources, a bootstrap
 * that registers tsx in the worker first: loaders registered in this thread do not reach it).
 */
export function startWorker(name: string, workerData: object): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  const code = `const { workerData: d } = require('node:worker_threads');
import(d.tsx).then(({ register }) => { register(); return import(d.module); }).catch((e) => { throw e; });`;
  return new Worker(code, {
    eval: true,
    workerData: {
      ...workerData,
      tsx: import.meta.resolve('tsx/esm/api'),
      module: new URL(`./${name}.ts`, import.meta.url).href,
    },
  });
}

/**
 * Asks a worker to close (`{ type: 'close' }`: its readers and clients end cleanly), waits for its
 * `{ type: 'closed' }` (30 s at most: a broker that does not answer a close must not hang the run), then ends it.
 */
export async function stopWorker(worker: Worker): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    worker.on('message', (m: { type: string }) => {
      if (m.type !== 'closed') return;
      clearTimeout(timer);
      resolve();
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  worker.postMessage({ type: 'close' });
  await done;
  await worker.terminate();
}
