// read_committed as the Java consumer applies it to one partition's fetch response: a transaction listed
// in the response's aborted_transactions (producer id, first offset) becomes active once the batches reach
// its first offset; that producer's transactional batches are skipped until its ABORT marker, which ends it.
// Control batches (the markers) are never records.
import type { AbortedTransaction } from './fetch.js';
import { ControlType, isControl, isTransactional, type RecordBatchView } from './record-batch.js';

export class ReadCommitted {
  private readonly pending: AbortedTransaction[];
  private next = 0;
  private readonly aborted = new Set<number>();

  constructor(abortedTransactions: readonly AbortedTransaction[]) {
    this.pending = [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /**
   * Whether a batch's records are left out. Call it for every batch of the response, in order (also for
   * those before the wanted offset); `controlType` is the marker of a control batch (controlTypeOf).
   */
  skip(batch: RecordBatchView, controlType?: number): boolean {
    if (batch.producerId >= 0) {
      while (this.next < this.pending.length && this.pending[this.next]!.firstOffset <= batch.lastOffset)
        this.aborted.add(this.pending[this.next++]!.producerId);
      if (isControl(batch) && controlType === ControlType.abort) this.aborted.delete(batch.producerId);
      else if (isTransactional(batch) && this.aborted.has(batch.producerId)) return true;
    }
    return isControl(batch);
  }
}
