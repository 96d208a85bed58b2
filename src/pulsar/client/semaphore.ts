// Counts permits (pending messages): acquire() waits while none are left, so a producer's memory stays
// bounded instead of growing an unbounded buffer.
export class Semaphore {
  private waiting: { n: number; resolve: () => void }[] = [];

  constructor(private available: number) {}

  get free(): number {
    return this.available;
  }

  tryAcquire(n = 1): boolean {
    if (this.waiting.length === 0 && this.available >= n) {
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
    while (this.waiting.length > 0 && this.available >= this.waiting[0]!.n) {
      const next = this.waiting.shift()!;
      this.available -= next.n;
      next.resolve();
    }
  }
}
