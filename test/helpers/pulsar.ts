// A PulsarClient and admin for tests against the local stack, closed after the test file.
import { PulsarAdmin } from '../../src/pulsar/admin/index.js';
import { PulsarClient, type Consumer, type Message } from '../../src/pulsar/client/index.js';
import { STACK, cleanup, uniqueName } from './stack.js';

/** Client errors (e.g. an undecodable entry acknowledged and skipped) go to stderr: a failing test shows why. */
const errorsToStderr = {
  debug: () => undefined,
  info: () => undefined,
  warn: (o: object, m?: string) => console.error(`# pulsar client warn: ${m} ${JSON.stringify(o)}`),
  error: (o: object, m?: string) => console.error(`# pulsar client error: ${m} ${JSON.stringify(o)}`),
};

export function testClient(): PulsarClient {
  const client = new PulsarClient({ serviceUrl: STACK.pulsarServiceUrl, operationTimeoutMs: 15_000, logger: errorsToStderr });
  cleanup(() => client.close());
  return client;
}

export const admin = new PulsarAdmin({ url: STACK.pulsarAdminUrl });

/** A fresh topic name in public/default (created lazily by the broker, or with `partitions`). */
export async function freshTopic(prefix: string, partitions = 0): Promise<string> {
  const topic = `persistent://public/default/${uniqueName(prefix)}`;
  if (partitions > 0) await admin.topics.createPartitioned(topic, partitions);
  else await admin.topics.createNonPartitioned(topic);
  cleanup(() => admin.topics.delete(topic, { force: true }).catch(() => undefined));
  return topic;
}

/** Receives exactly `n` messages (acknowledging each) or fails after `timeoutMs` without one. */
export async function receiveN(consumer: Consumer, n: number, timeoutMs = 10_000, ack = true): Promise<Message[]> {
  const out: Message[] = [];
  while (out.length < n) {
    const msg = await consumer.receive(timeoutMs);
    if (ack) consumer.acknowledge(msg);
    out.push(msg);
  }
  return out;
}

/** Asserts nothing more arrives within `ms`. Returns the extra message if one does. */
export async function nothingMore(consumer: Consumer, ms = 1000): Promise<Message | undefined> {
  try {
    return await consumer.receive(ms);
  } catch {
    return undefined;
  }
}
