// A PulsarClient and admin for tests against the local stack, closed after the test file.
import { PulsarAdmin } from '../../src/pulsar/admin/index.js';
import { MessageId, PulsarClient, type Consumer, type Message } from '../../src/pulsar/client/index.js';
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

/**
 * Every message stored on a non-partitioned topic (or one partition) now, from the start. Reads up to the
 * topic's last message instead of until an idle pause, so it returns once it has them all: call it after the
 * writer's messages are acknowledged (a mirror committed or stopped); it does not wait for later ones.
 */
export async function readStored(client: PulsarClient, topic: string, timeoutMs = 10_000): Promise<Message[]> {
  // The reader first: like any subscription it creates a topic nobody wrote to yet (read as empty).
  const reader = await client.createReader({ topic, startMessageId: MessageId.earliest });
  const out: Message[] = [];
  try {
    if ((await admin.topics.lastMessageId(topic)).entryId < 0n) return out;
    while (await reader.hasMessageAvailable()) out.push(await reader.readNext(timeoutMs));
  } finally {
    await reader.close();
  }
  return out;
}
