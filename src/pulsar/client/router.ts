// Which partition a message goes to: the caller's choice, else the key's hash (the Java client's default,
// JavaStringHash, so both clients put a key in the same partition), else round robin.
import { partitionForKey, type HashingScheme } from '../protocol/index.js';
import type { OutgoingMessage } from './message.js';

export class PartitionRouter {
  private next: number;
  private windowStart = 0;

  constructor(
    private readonly partitions: number,
    private readonly scheme: HashingScheme = 'JavaStringHash',
    /** With batching, keyless messages stay on one partition for this long so batches fill up. */
    private readonly switchMs = 0,
  ) {
    this.next = Math.floor(Math.random() * partitions);
  }

  choose(msg: OutgoingMessage): number {
    if (msg.partition !== undefined) return msg.partition;
    if (msg.key !== undefined) {
      // Binary keys are hashed in their base64 form, as the Java client hashes getKey().
      const key = typeof msg.key === 'string' ? msg.key : Buffer.from(msg.key).toString('base64');
      return partitionForKey(key, this.partitions, this.scheme);
    }
    if (this.switchMs > 0) {
      const now = Date.now();
      if (now - this.windowStart < this.switchMs) return this.next;
      this.windowStart = now;
    }
    this.next = (this.next + 1) % this.partitions;
    return this.next;
  }
}
