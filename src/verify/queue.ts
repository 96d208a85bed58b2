// The queue between a Kafka partition's fetches and its comparison. The producer never waits (a blocked
// kafkajs batch handler would stall the fetches of every partition on that broker); instead, `push` says
// when the queue is full — the caller pauses the partition — and `onRoom` fires once the consumer has
// taken it down to half, to resume it. Memory: `capacity` items plus the batch in flight.

export class PartitionQueue<T> implements AsyncIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private ended = false;
  private failure: Error | undefined;
  private taker: { resolve(r: IteratorResult<T>): void; reject(e: Error): void } | undefined;
  private full = false;
  onRoom: (() => void) | undefined;

  constructor(private readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Queues an item; false when the queue is now full (pause the source until onRoom). */
  push(item: T): boolean {
    if (this.ended) return true;
    if (this.taker) {
      const t = this.taker;
      this.taker = undefined;
      t.resolve({ value: item, done: false });
      return true;
    }
    this.items.push(item);
    if (this.length >= this.capacity) this.full = true;
    return !this.full;
  }

  /** No more items: the consumer sees the end after the queued ones. */
  end(): void {
    this.ended = true;
    if (this.taker && this.length === 0) {
      const t = this.taker;
      this.taker = undefined;
      t.resolve({ value: undefined, done: true });
    }
  }

  fail(err: Error): void {
    this.failure = err;
    this.ended = true;
    if (this.taker) {
      const t = this.taker;
      this.taker = undefined;
      t.reject(err);
    }
  }

  get done(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const item = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      if (this.head > 64 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      if (this.full && this.length <= this.capacity / 2) {
        this.full = false;
        this.onRoom?.();
      }
      return Promise.resolve({ value: item, done: false });
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.taker = { resolve, reject }));
  }
}
