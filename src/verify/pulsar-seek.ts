// Finds where to start reading a Pulsar partition for a Kafka offset without reading everything before it:
// a binary search over the entries of the topic's ledger (each probe: a reader at an entry, its first
// message's offset). Offsets grow with entries in a mirrored partition (sequence id = offset). When the
// messages span several ledgers (ids of other ledgers cannot be listed with the client alone) it answers
// undefined and the caller reads from the start.
import { randomUUID } from 'node:crypto';
import { isK2pError } from '../errors.js';
import { MessageId, type PulsarClient } from '../pulsar/client/index.js';
import { PulsarSide } from './records.js';

async function firstAt(
  client: PulsarClient,
  topic: string,
  start: MessageId,
): Promise<{ id: MessageId; offset: bigint } | undefined> {
  const reader = await client.createReader({
    topic,
    startMessageId: start,
    startMessageIdInclusive: true,
    receiverQueueSize: 1,
  });
  try {
    const m = await reader.readNext(5000);
    return { id: m.id, offset: BigInt(new PulsarSide(m).offset) };
  } catch (err) {
    if (isK2pError(err, 'K2P_PLS_TIMEOUT')) return undefined;
    throw err;
  } finally {
    await reader.close().catch(() => undefined);
  }
}

async function lastId(client: PulsarClient, topic: string): Promise<MessageId> {
  const consumer = await client.subscribe({
    topic,
    subscription: `k2p-verify-${randomUUID().slice(0, 8)}`,
    subscriptionType: 'Exclusive',
    receiverQueueSize: 1,
    durable: false,
    startMessageId: MessageId.latest,
  });
  try {
    return (await consumer.partitions[0]!.getLastMessageId()).last;
  } finally {
    await consumer.close().catch(() => undefined);
  }
}

/**
 * An entry id at or before the first message with Kafka offset >= `offset` ('earliest' when the first message
 * is already there); undefined when it cannot be found without reading from the start.
 */
export async function seekOffset(
  client: PulsarClient,
  topic: string,
  offset: bigint,
): Promise<MessageId | 'earliest' | undefined> {
  const first = await firstAt(client, topic, MessageId.earliest);
  if (!first || first.offset >= offset) return 'earliest';
  const last = await lastId(client, topic);
  if (last.ledgerId !== first.id.ledgerId || last.entryId < first.id.entryId) return undefined;
  let lo = first.id.entryId; // first offset here is < offset
  let hi = last.entryId;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    const probe = await firstAt(client, topic, new MessageId(first.id.ledgerId, mid, first.id.partition));
    if (probe && probe.offset < offset) lo = mid;
    else hi = mid - 1n;
  }
  return new MessageId(first.id.ledgerId, lo, first.id.partition);
}
