// Counts permits (pending messages): acquire() waits while none are left, so a producer's memory stays
// bounded instead of growing an unbounded buffer. Waiters form a FIFO queue read with a moving head
// (Array.shift on a long queue is O(n) per call).
export class Semaphore {
  private waiting: { n: number; resolve: () => void }[] = [];
  private head = 0;

  constructor(private available: number) {}

  get free(): number {
    return this.available;
  }

  private get queued(): number {
    return this.waiting.length - this.head;
  }

  tryAcquire(n = 1): boolean {
    if (this.queued === 0 && this.available >= n) {
      this.available -= n;
      return true;
    }
    return false;
  }

  acquire(n = 1): Promise<void> {
    if (this.tryAcquire(n)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ n, resolve }));
  }

  release(n = 1): void {
    this.available += n;
    while (this.queued > 0 && this.available >= this.waiting[this.head]!.n) {
      const next = this.waiting[this.head++]!;
      this.available -= next.n;
      next.resolve();
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}
