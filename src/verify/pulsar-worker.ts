// The worker thread of PulsarThreadReader (pulsar-thread.ts): reads each planned Pulsar partition with
// packedRanges (seeking, flow control, end detection as rangedMessages; messages packed straight from the
// entries) and sends each packed batch over (transferred), a partition at most `credits` batches ahead.
import { parentPort, workerData } from 'node:worker_threads';
import { PulsarClient, tokenAuth } from '../pulsar/client/index.js';
import { packedRanges } from './pulsar-entries.js';
import { PulsarBatchWriter } from './pulsar-pack.js';
import type { FromPulsarWorker, PulsarReadJob, PulsarWorkerData, ToPulsarWorker } from './pulsar-thread.js';
import { sendable } from './worker-thread.js';

const data = workerData as PulsarWorkerData;
const port = parentPort!;
const send = (m: FromPulsarWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
const c = data.connector;
// Built here rather than with the mirror's pulsarClients: that module loads the Kafka and schema clients too,
// seconds of start-up for a thread that needs none of them.
const client = new PulsarClient({ serviceUrl: c.serviceUrl, auth: c.token ? tokenAuth(c.token) : undefined, tls: c.tls?.ca ? { ca: c.tls.ca } : undefined });
const credits = new Map<number, number>();
const writers = new Map(data.jobs.map((job) => [job.partition, new PulsarBatchWriter(data.kafkaTopic, job.partition)]));
const stopped = new Set<number>();
const waiting = new Map<number, () => void>();

const wake = (partition: number) => {
  const w = waiting.get(partition);
  waiting.delete(partition);
  w?.();
};

async function pump(job: PulsarReadJob): Promise<void> {
  const { partition } = job;
  credits.set(partition, data.credits);
  const it = packedRanges(client, job.pulsarTopic, job.ranges, job.options, writers.get(partition)!);
  try {
    for (;;) {
      while ((credits.get(partition) ?? 0) <= 0 && !stopped.has(partition))
        await new Promise<void>((r) => waiting.set(partition, r));
      if (stopped.has(partition)) break;
      const r = await it.next();
      if (r.done || stopped.has(partition)) break;
      credits.set(partition, credits.get(partition)! - 1);
      const buffer = r.value.buffer as ArrayBuffer;
      send({ type: 'batch', partition, buffer }, [buffer]);
    }
    await it.return();
    send({ type: 'end', partition });
  } catch (err) {
    await it.return().catch(() => undefined);
    send({ type: 'fail', partition, error: sendable(err) });
  }
}

const pumps = data.jobs.map((job) => pump(job));

port.on('message', (m: ToPulsarWorker) => {
  if (m.type === 'credit') {
    if (m.buffer) writers.get(m.partition)?.recycle(m.buffer);
    credits.set(m.partition, (credits.get(m.partition) ?? 0) + 1);
    wake(m.partition);
  } else if (m.type === 'stop') {
    stopped.add(m.partition);
    wake(m.partition);
  } else {
    for (const job of data.jobs) {
      stopped.add(job.partition);
      wake(job.partition);
    }
    void Promise.allSettled(pumps)
      .then(() => client.close())
      .catch(() => undefined)
      .finally(() => {
        send({ type: 'closed' });
        port.close();
      });
  }
});
