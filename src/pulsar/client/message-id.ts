// A message's position: ledger, entry, partition, and its index inside a batch entry (-1 = not batched).
import type { MessageIdData } from '../protocol/index.js';

export class MessageId {
  constructor(
    readonly ledgerId: bigint,
    readonly entryId: bigint,
    readonly partition = -1,
    readonly batchIndex = -1,
    /** Messages in the batch entry this message belongs to (0 when unknown or not batched). */
    readonly batchSize = 0,
  ) {}

  /** The earliest position of any topic (what the Java client calls MessageId.earliest). */
  static readonly earliest = new MessageId(-1n, -1n);
  /** The position after the last message (MessageId.latest). */
  static readonly latest = new MessageId(0x7fffffffffffffffn, 0x7fffffffffffffffn);

  static fromData(data: MessageIdData, partition?: number): MessageId {
    // uint64 on the wire, a signed long in the broker: -1 (an empty topic's last id) arrives as 2^64 - 1.
    return new MessageId(
      BigInt.asIntN(64, data.ledgerId),
      BigInt.asIntN(64, data.entryId),
      partition ?? data.partition ?? -1,
      data.batchIndex ?? -1,
      data.batchSize ?? 0,
    );
  }

  toData(): MessageIdData {
    const data: MessageIdData = { ledgerId: this.ledgerId, entryId: this.entryId, partition: this.partition, batchIndex: this.batchIndex };
    if (this.batchSize > 0) data.batchSize = this.batchSize;
    return data;
  }

  /** The same entry with another batch index (or -1 for the whole entry). */
  withBatchIndex(batchIndex: number): MessageId {
    return new MessageId(this.ledgerId, this.entryId, this.partition, batchIndex, this.batchSize);
  }

  /** Orders by (ledger, entry, batch index); the partition is not part of the order. */
  compare(other: MessageId): number {
    if (this.ledgerId !== other.ledgerId) return this.ledgerId < other.ledgerId ? -1 : 1;
    if (this.entryId !== other.entryId) return this.entryId < other.entryId ? -1 : 1;
    return this.batchIndex - other.batchIndex;
  }

  equals(other: MessageId): boolean {
    return this.compare(other) === 0 && this.partition === other.partition;
  }

  /** `ledger:entry:partition:batchIndex`, the form the Java client prints. */
  toString(): string {
    return `${this.ledgerId}:${this.entryId}:${this.partition}:${this.batchIndex}`;
  }

  /** Parses the toString() form (3 or 4 colon-separated numbers). */
  static parse(text: string): MessageId {
    const parts = text.split(':');
    if ((parts.length !== 3 && parts.length !== 4) || parts.some((p) => !/^-?\d+$/.test(p))) {
      throw new TypeError(`"${text}" is not a message id: expected ledger:entry:partition[:batchIndex]`);
    }
    const [ledger, entry, partition, batch] = parts as [string, string, string, string?];
    return new MessageId(BigInt(ledger), BigInt(entry), Number(partition), batch === undefined ? -1 : Number(batch));
  }
}
