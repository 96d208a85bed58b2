// Finds, in one Pulsar partition, where Kafka offsets fall: for each offset N the last stored message with
// an offset < N and the first with an offset >= N. One reader pass resolves many offsets; it starts at the
// offset index's checkpoint below the smallest one (checked: the message there must carry that offset) or at
// the first message. The end is the partition's last message when the scan starts.
import { K2pError, isK2pError } from '../errors.js';
import type { PulsarAdmin } from '../pulsar/admin/index.js';
import { isHttpStatus } from '../pulsar/admin/http.js';
import { MessageId, type Message, type PulsarClient, type Reader } from '../pulsar/client/index.js';
import { kafkaOffsetOf } from './message-offset.js';
import type { OffsetIndex } from './offset-index.js';
import type { Located, StoredMessage } from './types.js';

export interface ScanStats {
  /** Messages read. */
  read: number;
  /** Whether the scan started at an index checkpoint. */
  fromCheckpoint: boolean;
}

interface LastId {
  ledgerId: bigint;
  entryId: bigint;
  batchIndex: number;
}

/** True once `id` is the partition's last message (or past it). */
function atEnd(id: MessageId, last: LastId): boolean {
  if (id.ledgerId !== last.ledgerId) return id.ledgerId > last.ledgerId;
  if (id.entryId !== last.entryId) return id.entryId > last.entryId;
  if (id.batchIndex < 0 || id.batchIndex >= id.batchSize - 1) return true;
  return last.batchIndex >= 0 && id.batchIndex >= last.batchIndex;
}

export class PartitionScanner {
  constructor(
    private readonly client: PulsarClient,
    private readonly admin: PulsarAdmin,
    private readonly index?: OffsetIndex,
    /** How long one read may wait before the scan gives up (the partition's messages are all stored). */
    private readonly readTimeoutMs = 30_000,
  ) {}

  /** Where each of `offsets` falls in the Pulsar partition topic `target`. */
  async locate(target: string, offsets: readonly bigint[]): Promise<{ located: Map<bigint, Located>; stats: ScanStats }> {
    const wanted = [...new Set(offsets)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const last = await this.lastId(target);
    const stats: ScanStats = { read: 0, fromCheckpoint: false };
    if (wanted.length === 0) return { located: new Map(), stats };
    if (last.entryId < 0n) return { located: new Map(wanted.map((n) => [n, {}])), stats }; // nothing stored
    const checkpoint = this.index ? await this.index.below(target, wanted[0]!).catch(() => undefined) : undefined;
    if (checkpoint) {
      const out = await this.pass(target, wanted, last, checkpoint, stats);
      if (out) {
        stats.fromCheckpoint = true;
        return { located: out, stats };
      }
      await this.index!.forget(target, checkpoint).catch(() => undefined);
    }
    return { located: (await this.pass(target, wanted, last, undefined, stats))!, stats };
  }

  /**
   * The last message stored on the partition topic (with its Kafka offset), undefined when none. A scan to
   * the end (from the index's last checkpoint when there is one): a reader cannot start at a non-batched
   * entry inclusively, so "read the last entry" is not an option.
   */
  async lastStored(target: string): Promise<StoredMessage | undefined> {
    const beyond = 0x7fffffffffffffffn;
    const { located } = await this.locate(target, [beyond]);
    return located.get(beyond)?.previous;
  }

  private async lastId(target: string): Promise<LastId> {
    try {
      return await this.admin.topics.lastMessageId(target);
    } catch (err) {
      if (isHttpStatus(err, 404)) {
        throw new K2pError('K2P_OFF_UNKNOWN_SUBSCRIPTION', `Pulsar topic ${target} does not exist (is the topic mirrored and provisioned?)`, { topic: target });
      }
      throw err;
    }
  }

  /** One reader pass; undefined when the checkpoint it started from turned out wrong. */
  private async pass(target: string, wanted: bigint[], last: LastId, checkpoint: StoredMessage | undefined, stats: ScanStats): Promise<Map<bigint, Located> | undefined> {
    const reader: Reader = await this.client.createReader({
      topic: target,
      startMessageId: checkpoint ? checkpoint.id : MessageId.earliest,
      startMessageIdInclusive: true,
      receiverQueueSize: 2000,
    });
    try {
      const out = new Map<bigint, Located>();
      let i = 0;
      let previous: StoredMessage | undefined;
      for (;;) {
        let msg: Message;
        try {
          msg = await reader.readNext(this.readTimeoutMs);
        } catch (err) {
          if (isK2pError(err, 'K2P_PLS_TIMEOUT')) {
            throw new K2pError('K2P_OFF_UNTRANSLATABLE', `scan of ${target} got no message for ${this.readTimeoutMs} ms before reaching its last message ${last.ledgerId}:${last.entryId}`, { topic: target });
          }
          throw err;
        }
        stats.read++;
        const current: StoredMessage = { offset: kafkaOffsetOf(msg), id: msg.id };
        if (checkpoint && !previous && current.offset !== checkpoint.offset) return undefined;
        if (previous && current.offset <= previous.offset) {
          throw new K2pError(
            'K2P_OFF_UNTRANSLATABLE',
            `${target} is not in Kafka order: message ${msg.id.toString()} has offset ${current.offset} after ${previous.id.toString()} with offset ${previous.offset}`,
            { topic: target, messageId: msg.id.toString(), offset: String(current.offset), previousOffset: String(previous.offset) },
          );
        }
        while (i < wanted.length && wanted[i]! <= current.offset) {
          out.set(wanted[i]!, previous ? { previous, next: current } : { next: current });
          i++;
        }
        previous = current;
        if (i === wanted.length || atEnd(msg.id, last)) break;
      }
      for (; i < wanted.length; i++) out.set(wanted[i]!, previous ? { previous } : {});
      return out;
    } finally {
      await reader.close();
    }
  }
}
