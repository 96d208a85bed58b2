// Kafka-style offsets of a Pulsar partition. On routes pulsar and dual a record's offset is its message's
// sequence id (the mirror writes Kafka offsets there, the facade continues them), so the first and the last
// offset of a partition are the sequence ids of its first and last message.
import { K2pError } from '../../errors.js';
import type { PulsarAdmin } from '../../pulsar/admin/index.js';
import { MessageId, type Message, type PulsarClient } from '../../pulsar/client/index.js';

const READ_TIMEOUT_MS = 15_000;

async function readAll(client: PulsarClient, topic: string, start: MessageId, limit: number): Promise<Message[]> {
  const reader = await client.createReader({ topic, startMessageId: start, startMessageIdInclusive: true, receiverQueueSize: 100 });
  try {
    const out: Message[] = [];
    while (out.length < limit && (await reader.hasMessageAvailable())) {
      out.push(await reader.readNext(READ_TIMEOUT_MS));
    }
    return out;
  } finally {
    await reader.close();
  }
}

/** The highest sequence id stored in one partition (or non-partitioned topic); -1n when it holds nothing. */
export async function lastSequenceId(client: PulsarClient, admin: PulsarAdmin, partitionTopic: string): Promise<bigint> {
  const last = await admin.topics.lastMessageId(partitionTopic);
  if (last.entryId < 0n) return -1n;
  // The whole last entry (a batch has its messages' ids in it): its highest sequence id.
  const messages = await readAll(client, partitionTopic, new MessageId(last.ledgerId, last.entryId, last.partition, -1), 100_000);
  // Never guess low: a too-small answer would hand out offsets already used.
  if (messages.length === 0) throw new K2pError('K2P_PLS_TIMEOUT', `could not read the last entry of ${partitionTopic}`, { topic: partitionTopic });
  return messages.reduce((max, m) => (m.sequenceId > max ? m.sequenceId : max), -1n);
}

/** The sequence id of the first message still stored; undefined when the partition is empty. */
export async function firstSequenceId(client: PulsarClient, partitionTopic: string): Promise<bigint | undefined> {
  const [first] = await readAll(client, partitionTopic, MessageId.earliest, 1);
  return first?.sequenceId;
}
