// The worker thread of KafkaThreadReader (kafka-thread.ts): reads the planned partitions with a
// KafkaFetchReader of its own (our fetch client: records packed straight from the wire bytes) and sends
// each packed batch over (transferred), a partition at most `credits` batches ahead of the comparison.
import { parentPort, workerData } from 'node:worker_threads';
import { KafkaFetchReader } from './kafka-fetch-source.js';
import type { FromWorker, KafkaWorkerData, ToWorker } from './kafka-thread.js';
import { sendable } from './worker-thread.js';

const data = workerData as KafkaWorkerData;
const port = parentPort!;
const send = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
const reader = new KafkaFetchReader(
  data.connector,
  data.topic,
  data.partitionCount,
  data.plans,
  data.options,
);
const credits = new Map<number, number>();
const waiting = new Map<number, () => void>();

port.on('message', (m: ToWorker) => {
  if (m.type === 'credit') {
    credits.set(m.partition, (credits.get(m.partition) ?? 0) + 1);
    const wake = waiting.get(m.partition);
    waiting.delete(m.partition);
    wake?.();
  } else if (m.type === 'close') {
    void reader.close().finally(() => {
      send({ type: 'closed' });
      port.close();
    });
  }
});

async function pump(partition: number): Promise<void> {
  const stream = reader.stream(partition);
  credits.set(partition, data.credits);
  try {
    for (;;) {
      while ((credits.get(partition) ?? 0) <= 0) await new Promise<void>((r) => waiting.set(partition, r));
      const r = await stream.next();
      if (r.done) break;
      credits.set(partition, credits.get(partition)! - 1);
      const buffer = r.value.buf.buffer as ArrayBuffer;
      send({ type: 'batch', partition, buffer }, [buffer]);
    }
    send({
      type: 'end',
      partition,
      position: reader.position(partition),
      complete: reader.complete(partition),
    });
  } catch (err) {
    send({ type: 'fail', partition, error: sendable(err) });
  }
}

try {
  await reader.start();
  send({ type: 'started' });
  for (const plan of data.plans) void pump(plan.partition);
} catch (err) {
  send({ type: 'start-failed', error: sendable(err) });
  await reader.close().catch(() => undefined);
  port.close();
}
