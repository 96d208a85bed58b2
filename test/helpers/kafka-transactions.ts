// A Kafka topic holding every kind of batch a reader meets: each compression codec, null keys, tombstones,
// headers (a name twice), a committed and two aborted transactions, and their control markers. Written
// with kafkajs; `committed` lists the records a read_committed reader must return, in offset order.
import { randomUUID } from 'node:crypto';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import { loadZstd, registerKafkaCodecs } from '../../src/kafka/index.js';
import { cleanup, RECENT_TIMESTAMP, STACK, uniqueName } from './stack.js';

export const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-test-transactions', logLevel: logLevel.NOTHING });

export interface WrittenRecord {
  key: string | null;
  value: string | null;
  headers: [string, string][];
  timestamp: number;
}

let n = 0;
function message(key: string | null, value: string | null, headers: [string, string][] = []): { m: Message; r: WrittenRecord } {
  const timestamp = RECENT_TIMESTAMP + n++;
  const h: Record<string, string | string[]> = {};
  for (const [k, v] of headers) {
    const prev = h[k];
    h[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return {
    m: { key, value, headers: h, timestamp: String(timestamp), partition: 0 },
    r: { key, value, headers, timestamp },
  };
}

/** A topic of its own on the cluster `client` reaches, deleted after the test file. */
export async function freshTopic(client: Kafka, prefix: string, partitions = 1): Promise<string> {
  const topic = uniqueName(prefix);
  const admin = client.admin();
  await admin.connect();
  cleanup(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  return topic;
}

/** A fresh one-partition topic with the mix above; `committed` in offset order. */
export async function transactionalTopic(prefix = 'k2p-fetch'): Promise<{ topic: string; committed: WrittenRecord[] }> {
  registerKafkaCodecs();
  await loadZstd();
  const topic = await freshTopic(kafka, prefix);
  const committed: WrittenRecord[] = [];
  const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const tx = kafka.producer({ transactionalId: `k2p-test-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
  await plain.connect();
  await tx.connect();
  try {
    const send = async (compression: CompressionTypes, list: ReturnType<typeof message>[]) => {
      await plain.send({ topic, compression, messages: list.map((x) => x.m) });
      committed.push(...list.map((x) => x.r));
    };
    await send(CompressionTypes.None, [
      message('k1', 'v1', [['a', '1']]),
      message(null, 'no key'),
      message('gone', null, [['why', 'tombstone']]),
    ]);
    await send(CompressionTypes.GZIP, [message('g', 'gzip '.repeat(50), [['h', 'x'], ['h', 'y']])]);
    await send(CompressionTypes.Snappy, [message('s', 'snappy '.repeat(50))]);
    await send(CompressionTypes.LZ4, [message('l', 'lz4 '.repeat(50))]);
    await send(CompressionTypes.ZSTD, [message('z', 'zstd '.repeat(50))]);
    const inTx = async (compression: CompressionTypes, list: ReturnType<typeof message>[], commit: boolean) => {
      const t = await tx.transaction();
      await t.send({ topic, compression, messages: list.map((x) => x.m) });
      if (commit) {
        await t.commit();
        committed.push(...list.map((x) => x.r));
      } else {
        await t.abort();
      }
    };
    await inTx(CompressionTypes.None, [message('abort-1', 'x'), message('abort-2', 'y')], false);
    await inTx(CompressionTypes.GZIP, [message('commit-1', 'c1', [['t', '1']]), message('commit-2', 'c2')], true);
    await send(CompressionTypes.None, [message('after', 'plain after the transactions')]);
    await inTx(CompressionTypes.ZSTD, [message('abort-3', 'z'.repeat(300))], false);
    await send(CompressionTypes.LZ4, [message('last', 'the end')]);
  } finally {
    await plain.disconnect();
    await tx.disconnect();
  }
  return { topic, committed };
}
