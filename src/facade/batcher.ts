// Coalesces concurrent produce requests into one broker send. At most one send is in flight per batcher:
// requests that arrive while it is (and, for an idle batcher, those arriving until the turn of the event
// loop after its first one: requests already on their way in are read in that turn's poll phase) wait, and the
// next send carries them all, in arrival order. Each request gets its
// own results back; a failed send fails exactly the requests it carried; a request is never split across
// sends (its records stay together and in order).
//
// A send resolves in two steps: `send()` resolving frees the batcher for the next send (e.g. once the
// records are on the wire in order, or stored), and the outcome's `results` resolve each request (e.g. when
// a second side acknowledged them later). Callers that only have one step return the results directly.

export interface SendOutcome<R> {
  /** One result per request of the send, in the order given. */
  results: Promise<readonly R[]> | readonly R[];
}

export type BatchSend<T, R> = (requests: readonly T[]) => Promise<SendOutcome<R>>;

export interface BatcherLimits {
  /** A send carries requests up to this total weight (e.g. bytes); a heavier request goes alone. */
  maxWeight: number;
  /** And at most this many requests. */
  maxRequests: number;
  /** And at most this many records (the `records` given to submit), unless one request has more. */
  maxRecords?: number;
}

interface Waiting<T, R> {
  request: T;
  weight: number;
  records: number;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class SendBatcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private head = 0;
  private busy = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Sends made and requests carried (for tests and benchmarks). */
  readonly stats = { sends: 0, requests: 0 };

  constructor(
    private readonly send: BatchSend<T, R>,
    private readonly limits: BatcherLimits = { maxWeight: 512 * 1024, maxRequests: 1024 },
  ) {}

  /** Queues a request; resolves with its own result once the send carrying it has its outcome. */
  submit(request: T, weight: number, records = 1): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ request, weight, records, resolve, reject });
      if (!this.busy && !this.scheduled) {
        // Idle: go at the end of the next turn, so requests parsed meanwhile share the send.
        this.scheduled = true;
        setImmediate(this.settle);
      }
    });
  }

  /** Requests queued or in flight. */
  get pending(): number {
    return this.queue.length - this.head + (this.busy ? 1 : 0);
  }

  /** Resolves once nothing is queued and no send is in flight. */
  idle(): Promise<void> {
    if (!this.busy && !this.scheduled && this.queue.length === this.head) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** One more turn of the event loop: requests already on their way in (read in its poll phase) join. */
  private readonly settle = (): void => {
    setImmediate(this.pump);
  };

  private readonly pump = (): void => {
    this.scheduled = false;
    if (this.busy) return;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    const batch: Waiting<T, R>[] = [];
    let weight = 0;
    let records = 0;
    const maxRecords = this.limits.maxRecords ?? Infinity;
    while (this.head < this.queue.length && batch.length < this.limits.maxRequests) {
      const next = this.queue[this.head]!;
      if (batch.length > 0 && (weight + next.weight > this.limits.maxWeight || records + next.records > maxRecords)) break;
      batch.push(next);
      weight += next.weight;
      records += next.records;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.busy = true;
    this.stats.sends++;
    this.stats.requests += batch.length;
    let sent: Promise<SendOutcome<R>>;
    try {
      sent = this.send(batch.map((w) => w.request));
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      (outcome) => {
        this.next();
        Promise.resolve(outcome.results).then(
          (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
          (err: unknown) => batch.forEach((w) => w.reject(err)),
        );
      },
      (err: unknown) => {
        this.next();
        for (const w of batch) w.reject(err);
      },
    );
  };

  private next(): void {
    this.busy = false;
    this.pump();
  }
}
