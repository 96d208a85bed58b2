// Reads where a durable subscription stands on one Pulsar partition, exactly: the first message a consumer
// would get (batch-index acknowledgements included, as the broker filters them), found by attaching a
// consumer that acknowledges nothing. With nothing left to consume, the position is after the last stored
// message. A subscription with acknowledgement holes — messages acknowledged after an unacknowledged one
// (a Shared or Key_Shared consumer, or individual acks out of order) — has no such position: refused.
import { K2pError, isK2pError } from '../errors.js';
import type { PulsarAdmin } from '../pulsar/admin/index.js';
import type { Message, PulsarClient } from '../pulsar/client/index.js';
import { kafkaOffsetOf } from './message-offset.js';
import { PartitionScanner } from './scan.js';
import type { StoredMessage } from './types.js';

export interface SubscriptionPosition {
  /** The first message still to consume, when there is one. */
  first?: StoredMessage;
  /** The last stored message, when the subscription consumed everything (undefined: partition empty). */
  afterLast?: StoredMessage;
}

/** Messages buffered with the first one, checked for batch-index holes. */
const WINDOW = 1000;

function entryOf(m: Message): string {
  return `${m.id.ledgerId}:${m.id.entryId}`;
}

/** Entries (of those delivered with `first`) that arrived with fewer messages than they hold unacknowledged. */
function partlyAcknowledged(first: Message, rest: Message[]): string[] {
  const delivered = new Map<string, { count: number; from: number; size: number }>();
  for (const m of [first, ...rest]) {
    const e = delivered.get(entryOf(m)) ?? { count: 0, from: Math.max(0, m.id.batchIndex), size: m.id.batchIndex >= 0 ? m.id.batchSize : 1 };
    e.count++;
    delivered.set(entryOf(m), e);
  }
  // An entry arrives in one frame, so its unacknowledged indexes are buffered together; only the last entry
  // of a full window may be cut short. The first entry may start at any index (the mark-delete ack set);
  // every later one must be whole.
  const judged = [...delivered].filter((_entry, i, all) => i === 0 || rest.length < WINDOW - 1 || i < all.length - 1);
  return judged.filter(([key, e]) => e.count < e.size - (key === entryOf(first) ? e.from : 0)).map(([key, e]) => `${key} (${e.count} of ${e.size} left)`);
}

export async function subscriptionPosition(client: PulsarClient, admin: PulsarAdmin, target: string, subscription: string, label = target, waitMs = 10_000): Promise<SubscriptionPosition> {
  const stats = await admin.topics.stats(target);
  const sub = stats.subscriptions[subscription];
  if (!sub) throw new K2pError('K2P_OFF_UNKNOWN_SUBSCRIPTION', `subscription ${subscription} does not exist on ${target}`, { topic: target, subscription });
  if (sub.msgBacklog === 0) return { afterLast: await new PartitionScanner(client, admin).lastStored(target) };
  // Whole entries acknowledged past the mark-delete position are only in the cursor's internal state.
  const cursors = (await admin.topics.internalStats(target)).cursors;
  const cursor = cursors[subscription] ?? cursors[encodeURIComponent(subscription)]; // cursor names are URL-encoded
  const ackedEntries = cursor && cursor.individuallyDeletedMessages !== '[]' ? cursor.individuallyDeletedMessages : undefined;
  const consumer = await client.subscribe({ topic: target, subscription, subscriptionType: 'Exclusive', receiverQueueSize: WINDOW });
  try {
    const first = await consumer.receive(waitMs);
    const rest = await consumer.receiveBatch(WINDOW - 1, 200);
    const partly = partlyAcknowledged(first, rest);
    if (ackedEntries !== undefined || partly.length > 0) {
      const offset = kafkaOffsetOf(first);
      const hole = [ackedEntries && `entries ${ackedEntries} acknowledged while the mark-delete position is ${cursor!.markDeletePosition}`, partly.length > 0 && `batch entries ${partly.join(', ')} partly acknowledged`]
        .filter(Boolean)
        .join('; ');
      throw new K2pError(
        'K2P_OFF_UNTRANSLATABLE',
        `${label}: subscription ${subscription} has an acknowledgement hole — its first unacknowledged message is Kafka offset ${offset} (${first.id.toString()}), but messages after it are acknowledged: ${hole}. A Kafka committed offset cannot say that: ${offset} would deliver the acknowledged ones again on Kafka, a later offset would skip the unacknowledged ones. Consume or acknowledge the hole on Pulsar first, then run it again. Nothing was changed.`,
        { topic: target, subscription, firstUnacknowledged: first.id.toString(), kafkaOffset: String(offset), acknowledgedEntries: ackedEntries, partlyAcknowledged: partly },
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
