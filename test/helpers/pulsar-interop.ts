// Shared pieces of the Pulsar client interop tests (test/interop/pulsar-*interop*.test.ts): the official
// Python client (C++ core, test/interop/python/pulsar_referee.py) on one side, our client on the other.
import { createHash } from 'node:crypto';
import { PulsarAdmin } from '../../src/pulsar/admin/index.js';
import { PulsarClient, type Consumer, type Message } from '../../src/pulsar/client/index.js';
import { runReferee } from './python.js';
import { STACK, cleanup, uniqueName } from './stack.js';

export const admin = new PulsarAdmin({ url: STACK.pulsarAdminUrl });

/** One client per test file, closed after it. */
export function interopClient(): PulsarClient {
  const client = new PulsarClient({ serviceUrl: STACK.pulsarServiceUrl });
  cleanup(() => client.close());
  return client;
}

/** A fresh topic (partitioned when `partitions` > 0), deleted after the test file. */
export async function freshTopic(prefix: string, partitions = 0): Promise<string> {
  const topic = `persistent://public/default/${uniqueName(prefix)}`;
  if (partitions > 0) await admin.topics.createPartitioned(topic, partitions);
  else await admin.topics.createNonPartitioned(topic);
  cleanup(() => admin.topics.delete(topic, { force: true }).catch(() => undefined));
  return topic;
}

/** What the referee prints for each message the Python client received. */
export interface PyMessage {
  message_id: string;
  ledger_id: number;
  entry_id: number;
  batch_index: number;
  partition: number;
  topic: string;
  key: string | null;
  ordering_key: string | null;
  properties: Record<string, string>;
  event_time: number;
  publish_time: number;
  producer_name: string;
  null_value: boolean;
  schema_version: number;
  payload_size: number;
  payload_sha256: string;
  payload_b64?: string;
  value?: Record<string, unknown> | null;
}

/** What the referee prints for each message the Python client sent (in send order). */
export interface PyMessageId {
  message_id: string;
  partition: number;
  ledger_id: number;
  entry_id: number;
  batch_index: number;
}

/** Input line of the referee's produce command. */
export interface PySend {
  payload_b64?: string;
  payload_file?: string;
  key?: string;
  ordering_key?: string;
  properties?: Record<string, string>;
  event_time?: number;
  null?: boolean;
  value?: unknown;
}

export interface PyProduceOptions {
  batching?: boolean;
  chunking?: boolean;
  compression?: 'NONE' | 'LZ4' | 'ZLib' | 'ZSTD' | 'SNAPPY';
  /** avro:<definition json> | json:<definition json> | string | bytes */
  schema?: string;
}

export async function pyProduce(
  topic: string,
  messages: PySend[],
  options: PyProduceOptions = {},
): Promise<PyMessageId[]> {
  const args = ['--service-url', STACK.pulsarServiceUrl, 'produce', topic];
  if (options.batching) args.push('--batching');
  if (options.chunking) args.push('--chunking');
  if (options.compression) args.push('--compression', options.compression);
  if (options.schema) args.push('--schema', options.schema);
  const { lines } = await runReferee<PyMessageId>('pulsar_referee.py', args, messages);
  return lines;
}

export async function pyConsume(
  topic: string,
  subscription: string,
  n: number,
  options: { schema?: string; digestOnly?: boolean; timeoutS?: number } = {},
): Promise<PyMessage[]> {
  const args = [
    '--service-url',
    STACK.pulsarServiceUrl,
    'consume',
    topic,
    '-s',
    subscription,
    '-n',
    String(n),
  ];
  if (options.schema) args.push('--schema', options.schema);
  if (options.digestOnly) args.push('--digest-only');
  if (options.timeoutS) args.push('--timeout', String(options.timeoutS));
  const { lines } = await runReferee<PyMessage>(
    'pulsar_referee.py',
    args,
    [],
    ((options.timeoutS ?? 30) + 60) * 1000,
  );
  return lines;
}

/** Receives exactly `n` messages (acknowledging each), failing if they do not all come within `timeoutMs`. */
export async function receiveN(consumer: Consumer, n: number, timeoutMs = 30_000): Promise<Message[]> {
  const deadline = Date.now() + timeoutMs;
  const out: Message[] = [];
  while (out.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`received ${out.length} of ${n} messages within ${timeoutMs} ms`);
    const msg = await consumer.receive(left);
    consumer.acknowledge(msg);
    out.push(msg);
  }
  // Nothing more should come: a duplicate or a stray message is a failure too.
  const extra = await consumer.receive(500).then(
    (m) => m,
    () => undefined,
  );
  if (extra) throw new Error(`an unexpected extra message ${extra.id.toString()} arrived after ${n}`);
  return out;
}

/** Groups values by partition, keeping their order. */
export function byPartition<T>(items: readonly T[], partitionOf: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const p = partitionOf(item);
    const list = out.get(p) ?? [];
    list.push(item);
    out.set(p, list);
  }
  return out;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function b64(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64');
}

/** The broker's own view of one stored entry (admin examinemessage): compression and batch size headers. */
export async function examineEntry(
  topic: string,
  position = 1,
): Promise<{ compression: string; batchSize: number; uncompressedSize: number }> {
  const path = topic.replace('persistent://', 'persistent/');
  const res = await fetch(
    `${STACK.pulsarAdminUrl}/admin/v2/${path}/examinemessage?initialPosition=earliest&messagePosition=${position}`,
  );
  if (!res.ok) throw new Error(`examinemessage ${topic}: HTTP ${res.status}`);
  await res.arrayBuffer();
  return {
    compression: res.headers.get('x-pulsar-compression') ?? 'NONE',
    batchSize: Number(res.headers.get('x-pulsar-num-batch-message') ?? '0'),
    uncompressedSize: Number(res.headers.get('x-pulsar-uncompressed-size') ?? '0'),
  };
}
