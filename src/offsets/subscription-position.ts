// Reads where a durable subscription stands on one Pulsar partition, exactly: the first message a consumer
// would get (batch-index acknowledgements included, as the broker filters them), found by attaching a
// consumer that acknowledges nothing. With nothing left to consume, the position is after the last stored
// message.
import { K2pError, isK2pError } from '../errors.js';
import type { PulsarAdmin } from '../pulsar/admin/index.js';
import type { PulsarClient } from '../pulsar/client/index.js';
import { kafkaOffsetOf } from './message-offset.js';
import { PartitionScanner } from './scan.js';
import type { StoredMessage } from './types.js';

export interface SubscriptionPosition {
  /** The first message still to consume, when there is one. */
  first?: StoredMessage;
  /** The last stored message, when the subscription consumed everything (undefined: partition empty). */
  afterLast?: StoredMessage;
}

export async function subscriptionPosition(client: PulsarClient, admin: PulsarAdmin, target: string, subscription: string, waitMs = 10_000): Promise<SubscriptionPosition> {
  const stats = await admin.topics.stats(target);
  const sub = stats.subscriptions[subscription];
  if (!sub) throw new K2pError('K2P_OFF_UNKNOWN_SUBSCRIPTION', `subscription ${subscription} does not exist on ${target}`, { topic: target, subscription });
  if (sub.msgBacklog === 0) return { afterLast: await new PartitionScanner(client, admin).lastStored(target) };
  const consumer = await client.subscribe({ topic: target, subscription, subscriptionType: 'Exclusive', receiverQueueSize: 1000 });
  try {
    const first = await consumer.receive(waitMs);
    // Holes inside the first batch (a later index acknowledged before an earlier one) cannot be a Kafka
    // offset. An entry arrives in one frame, so its other unacknowledged indexes are buffered already.
    const rest = await consumer.receiveBatch(1000, 200);
    const sameEntry = rest.filter((m) => m.id.ledgerId === first.id.ledgerId && m.id.entryId === first.id.entryId);
    const expected = first.id.batchIndex >= 0 ? first.id.batchSize - first.id.batchIndex - 1 : 0;
    if (sameEntry.length < expected) {
      throw new K2pError(
        'K2P_OFF_UNTRANSLATABLE',
        `subscription ${subscription} on ${target} acknowledged messages after its first unacknowledged one ${first.id.toString()} (individual acks with holes); a Kafka offset cannot say that. Nothing was changed.`,
        { topic: target, subscription, first: first.id.toString() },
      );
    }
    return { first: { offset: kafkaOffsetOf(first), id: first.id } };
  } catch (err) {
    if (isK2pError(err, 'K2P_PLS_TIMEOUT')) {
      throw new K2pError('K2P_OFF_UNTRANSLATABLE', `subscription ${subscription} on ${target} has a backlog of ${sub.msgBacklog} but delivered nothing within ${waitMs} ms`, { topic: target, subscription });
    }
    throw err;
  } finally {
    await consumer.close();
  }
}
