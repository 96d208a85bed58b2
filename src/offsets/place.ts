// Puts a durable subscription on one Pulsar partition at a translated position: created there when it does
// not exist, its cursor reset there when it does. "After message P":
// - P ends its entry (not batched, or the last index of its batch): the start of the next entry, L:E+1 —
//   what the broker itself makes of an excluded entry position (it moves to the next valid position when E
//   ends its ledger). The create call places a new subscription there in one request.
// - P inside a batch: the broker's reset-cursor with isExcluded and P's batch index — the mark-delete
//   position covers P and the batch indexes before it (needs acknowledgmentAtBatchIndexLevelEnabled on the
//   broker), so the first message delivered is the one after P. A new subscription takes two requests
//   (create at the entry, then that reset): the broker's create ignores batch indexes.
// A subscription the broker does not have yet is created over the binary protocol when a client is given
// (subscribe + seek, createSubscriptionAt): the same cursor reset for the broker, at several times the rate
// of the admin calls, and refused while a consumer is attached. Existing ones are moved with the admin API.
// Running it again with the same position changes nothing. Positions survive a topic unload (see below).
import type { CursorPosition, PulsarAdmin } from '../pulsar/admin/index.js';
import { isHttpStatus } from '../pulsar/admin/http.js';
import { K2pError } from '../errors.js';
import type { MessageId, PulsarClient, SubscriptionStart } from '../pulsar/client/index.js';
import { isServerError } from '../pulsar/client/server-errors.js';
import type { Located } from './types.js';

/** What placements talk to: the admin API, and the binary protocol for new subscriptions when given. */
export interface PlacementBroker {
  admin: PulsarAdmin;
  pulsar?: PulsarClient;
}

/** Whether a message is the last of its entry (not batched, or its batch's last index). */
function endsEntry(id: MessageId): boolean {
  return id.batchIndex < 0 || id.batchIndex >= id.batchSize - 1;
}

/** The cursor position for a located offset: after `previous`, or the partition's first message. */
export function cursorFor(located: Located): CursorPosition {
  const p = located.previous;
  if (!p) return 'earliest';
  if (endsEntry(p.id)) return { ledgerId: p.id.ledgerId, entryId: p.id.entryId + 1n, partition: p.id.partition };
  return { ledgerId: p.id.ledgerId, entryId: p.id.entryId, partition: p.id.partition, batchIndex: p.id.batchIndex, excluded: true };
}

/** The same position as the first message a new subscription delivers (for createSubscriptionAt). */
export function startFor(located: Located): SubscriptionStart {
  const p = located.previous;
  if (!p) return 'earliest';
  if (endsEntry(p.id)) return { ledgerId: p.id.ledgerId, entryId: p.id.entryId + 1n };
  return { ledgerId: p.id.ledgerId, entryId: p.id.entryId, batchIndex: p.id.batchIndex + 1, batchSize: p.id.batchSize };
}

async function move(admin: PulsarAdmin, target: string, subscription: string, position: CursorPosition): Promise<void> {
  if (position === 'earliest') await admin.subscriptions.resetToMessage(target, subscription, { ledgerId: -1n, entryId: -1n });
  else if (position === 'latest') await admin.subscriptions.skipAll(target, subscription);
  else await admin.subscriptions.resetToMessage(target, subscription, position);
}

/**
 * Creates or moves `subscription` on the partition topic `target` so that it delivers `located.next` first;
 * 'created' or 'moved'. `exists`: the broker had the subscription (its stats, or our state, say so).
 * Without a client it is a hint that saves the request that would fail. With a client, a subscription not
 * known to exist is created over the binary protocol, which cannot tell a new subscription from an existing
 * one: pass `exists` from the broker's stats read just before, so that only new ones take that path (an
 * existing one is then moved with the double reset below).
 *
 * A move is sent twice. The broker persists a reset's mark-delete position together with the batch
 * acknowledgements the cursor had *before* the reset, and keeps the new ones in memory only
 * (ManagedCursorImpl.internalResetCursor, Pulsar 4.0). A broker that crashes before the cursor's next persist
 * reads the old ones back: a subscription moved back would skip the records of an old entry's
 * acknowledgements past its new position. The same reset once more persists the new state. A new
 * subscription has no old acknowledgements: one request at an entry, create + reset inside a batch (whose
 * batch index a crash or an unload can still lose: duplicates of that batch, see docs/offsets.md).
 */
export async function placeSubscription(broker: PlacementBroker, target: string, subscription: string, located: Located, exists = false): Promise<'created' | 'moved'> {
  if (!exists && broker.pulsar) {
    try {
      await broker.pulsar.createSubscriptionAt(target, subscription, startFor(located));
    } catch (err) {
      if (!isServerError(err, 'ConsumerBusy')) throw err;
      throw new K2pError('K2P_OFF_SUBSCRIPTION_ACTIVE', `subscription ${subscription} on ${target} was not placed: a Pulsar consumer is attached to it (${(err as Error).message}). Nothing was changed.`, { subscription, target });
    }
    return 'created';
  }
  const { admin } = broker;
  const position = cursorFor(located);
  let how: 'created' | 'moved' | undefined;
  if (exists) {
    try {
      await move(admin, target, subscription, position);
      how = 'moved';
    } catch (err) {
      if (!isHttpStatus(err, 404)) throw err; // 404: gone after all — create it
    }
  }
  if (how === undefined) {
    try {
      await admin.subscriptions.create(target, subscription, position);
      how = 'created';
    } catch (err) {
      if (!isHttpStatus(err, 409)) throw err; // 409: it exists — move it
      await move(admin, target, subscription, position);
      how = 'moved';
    }
  }
  if (how === 'moved') await move(admin, target, subscription, position);
  return how;
}
