// Creates a durable subscription whose next message is a given one, over the binary protocol: SUBSCRIBE
// (Exclusive, no permits, so nothing is delivered), SEEK to the message (inside a batch: an ack set covering
// the indexes before it, as the Java client's seek sends it), and the broker closes the consumer as part of
// the seek. Two round trips on an open connection, where the admin API needs a create and a reset-cursor
// request: the broker handles these several times faster than the REST calls.
// Exclusive on purpose: while any other consumer is attached (of any type), the broker refuses the
// SUBSCRIBE, so a placement never moves a subscription under a consumer; while the placement holds it, no
// other consumer can attach before the seek.
import { rangeSet } from './ack-set.js';
import type { Connection } from './connection.js';
import type { ClientContext } from './context.js';

/** The subscription's first message: the topic's first, or this one (inside a batch: index of size). */
export type SubscriptionStart = 'earliest' | { ledgerId: bigint; entryId: bigint; batchIndex?: number; batchSize?: number };

export async function createSubscriptionAt(ctx: ClientContext, topic: string, subscription: string, start: SubscriptionStart): Promise<void> {
  const conn = await ctx.connectionFor(topic);
  const consumerId = ctx.nextConsumerId();
  let closedByBroker = false;
  conn.registerConsumer(consumerId, {
    onMessage: () => {}, // no permits are granted: the broker sends nothing
    onClosedByBroker: () => (closedByBroker = true),
    onConnectionClosed: () => (closedByBroker = true),
  });
  try {
    await conn.request(
      {
        type: 'SUBSCRIBE',
        topic,
        subscription,
        subType: 'Exclusive',
        consumerId,
        requestId: conn.newRequestId(),
        durable: true,
        // Where a new subscription stands until the seek: a failed seek leaves duplicates, never a loss.
        initialPosition: 'Earliest',
      },
      'SUCCESS',
    );
    await conn.request({ type: 'SEEK', consumerId, requestId: conn.newRequestId(), messageId: seekTarget(start) }, 'SUCCESS');
    // The broker disconnects a subscription's consumers before it resets the cursor, so this consumer is
    // normally closed already; if not, close it (a close of an unknown consumer also succeeds).
    if (!closedByBroker) await closeQuietly(conn, consumerId);
  } catch (err) {
    if (!closedByBroker) await closeQuietly(conn, consumerId);
    throw err;
  } finally {
    conn.unregisterConsumer(consumerId);
  }
}

function seekTarget(start: SubscriptionStart): { ledgerId: bigint; entryId: bigint; ackSet?: bigint[]; batchSize?: number } {
  // -1:-1 is the managed ledger's "earliest" position.
  if (start === 'earliest') return { ledgerId: -1n, entryId: -1n };
  const { ledgerId, entryId, batchIndex = -1, batchSize = 0 } = start;
  if (batchIndex <= 0 || batchSize <= 0) return { ledgerId, entryId };
  // Set bits = still unacknowledged: the indexes from batchIndex on are delivered, the ones before are not.
  return { ledgerId, entryId, ackSet: rangeSet(batchSize, batchIndex, batchSize), batchSize };
}

async function closeQuietly(conn: Connection, consumerId: bigint): Promise<void> {
  if (conn.closed) return;
  try {
    await conn.request({ type: 'CLOSE_CONSUMER', consumerId, requestId: conn.newRequestId() }, 'SUCCESS');
  } catch {
    // Best effort: the connection closing also releases the consumer on the broker.
  }
}
