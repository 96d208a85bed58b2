// Where a durable subscription stands, in Kafka terms: its mark-delete position, the next message it would
// deliver (batch acknowledgements included: the broker filters acknowledged indexes of a batch), and that
// message's Kafka offset (provenance / sequence id). Nothing is acknowledged: the subscription is unchanged.
import { isK2pError } from '../errors.js';
import type { PulsarClient, SubscriptionType } from '../pulsar/client/index.js';
import { PulsarSide } from './records.js';

export interface SubscriptionPosition {
  markDelete?: string;
  /** Kafka offset of the next message; at the end: the offset after the last message (or `emptyOffset`). */
  nextOffset: bigint | null;
  nextMessageId?: string;
  atEnd: boolean;
  detail?: string;
}

const RECEIVE_MS = 3000;

async function lastOffsetPlusOne(
  client: PulsarClient,
  topic: string,
  last: import('../pulsar/client/index.js').MessageId,
): Promise<bigint | null> {
  const reader = await client.createReader({
    topic,
    startMessageId: last.withBatchIndex(-1),
    startMessageIdInclusive: true,
    receiverQueueSize: 100,
  });
  try {
    let highest: bigint | null = null;
    for (;;) {
      let m;
      try {
        m = await reader.readNext(1000);
      } catch (err) {
        if (isK2pError(err, 'K2P_PLS_TIMEOUT')) break;
        throw err;
      }
      const o = BigInt(new PulsarSide(m).offset);
      if (highest === null || o > highest) highest = o;
      if (!(await reader.hasMessageAvailable())) break;
    }
    return highest === null ? null : highest + 1n;
  } finally {
    await reader.close().catch(() => undefined);
  }
}

export async function subscriptionPosition(
  client: PulsarClient,
  topic: string,
  subscription: string,
  type: SubscriptionType,
  emptyOffset: bigint,
): Promise<SubscriptionPosition> {
  const consumer = await client.subscribe({
    topic,
    subscription,
    subscriptionType: type,
    receiverQueueSize: 1,
    consumerName: 'k2p-verify',
  });
  try {
    const part = consumer.partitions[0]!;
    const { last, markDelete } = await part.getLastMessageId();
    const markText = markDelete
      ? `${BigInt.asIntN(64, markDelete.ledgerId)}:${BigInt.asIntN(64, markDelete.entryId)}`
      : undefined;
    const base = markText !== undefined ? { markDelete: markText } : {};
    if (last.entryId < 0n) return { ...base, nextOffset: emptyOffset, atEnd: true };
    // The broker sends a mark-delete before the first entry as entry -1 in an unsigned field.
    const mdLedger = markDelete ? BigInt.asIntN(64, markDelete.ledgerId) : -1n;
    const mdEntry = markDelete ? BigInt.asIntN(64, markDelete.entryId) : -1n;
    const caughtUp =
      markDelete !== undefined &&
      (mdLedger > last.ledgerId || (mdLedger === last.ledgerId && mdEntry >= last.entryId));
    if (!caughtUp) {
      try {
        const m = await consumer.receive(RECEIVE_MS);
        return {
          ...base,
          nextOffset: BigInt(new PulsarSide(m).offset),
          nextMessageId: m.id.toString(),
          atEnd: false,
        };
      } catch (err) {
        if (!isK2pError(err, 'K2P_PLS_TIMEOUT')) throw err;
        if (markDelete === undefined)
          return {
            ...base,
            nextOffset: null,
            atEnd: false,
            detail: `no message delivered within ${RECEIVE_MS} ms (another consumer may be active)`,
          };
      }
    }
    return {
      ...base,
      nextOffset: (await lastOffsetPlusOne(client, topic, last)) ?? emptyOffset,
      atEnd: true,
    };
  } finally {
    await consumer.close().catch(() => undefined);
  }
}
