// Puts a durable subscription on one Pulsar partition at a translated position: created there when it does
// not exist, its cursor reset there when it does. "After message P" is the broker's reset-cursor with
// isExcluded (and P's batch index when P sits inside a batch): the mark-delete position covers P and the
// batch indexes before it (needs acknowledgmentAtBatchIndexLevelEnabled on the broker), so the first message
// delivered is the one after P. Running it again with the same position changes nothing.
import type { CursorPosition, PulsarAdmin } from '../pulsar/admin/index.js';
import { isHttpStatus } from '../pulsar/admin/http.js';
import type { Located } from './types.js';

/** The cursor position for a located offset: after `previous`, or the partition's first message. */
export function cursorFor(located: Located): CursorPosition {
  const p = located.previous;
  if (!p) return 'earliest';
  const inBatch = p.id.batchIndex >= 0 && p.id.batchSize > 1;
  return { ledgerId: p.id.ledgerId, entryId: p.id.entryId, partition: p.id.partition, batchIndex: inBatch ? p.id.batchIndex : undefined, excluded: true };
}

/** Creates or moves `subscription` on the partition topic `target`; 'created' or 'moved'. */
export async function placeSubscription(admin: PulsarAdmin, target: string, subscription: string, position: CursorPosition): Promise<'created' | 'moved'> {
  try {
    await admin.subscriptions.create(target, subscription, position);
    return 'created';
  } catch (err) {
    if (!isHttpStatus(err, 409)) throw err; // 409: it exists — move it
  }
  if (position === 'earliest') await admin.subscriptions.resetToMessage(target, subscription, { ledgerId: -1n, entryId: -1n });
  else if (position === 'latest') await admin.subscriptions.skipAll(target, subscription);
  else await admin.subscriptions.resetToMessage(target, subscription, position);
  return 'moved';
}
