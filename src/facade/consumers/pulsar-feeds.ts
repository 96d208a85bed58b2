// The route-pulsar half of consumer instances, with no state of its own that matters: a records request
// says where each partition stands (the Kafka-numbered offset in the instance store) and a feed reads from
// there. A feed is a non-durable cursor on one Pulsar partition, cached in this process between requests of
// the same instance: when the next request asks for the offset the feed is at, it goes on; when it asks for
// another one (a seek, or the previous request was served by another gateway process) the feed is reopened
// at the message of that offset, found by the offsets module's scanner (message sequence id = offset).
import { randomUUID } from 'node:crypto';
import { kafkaOffsetOf } from '../../offsets/message-offset.js';
import type { OffsetIndex } from '../../offsets/offset-index.js';
import { PartitionScanner } from '../../offsets/scan.js';
import { fromPulsarMessage } from '../../mirror/record-mapping.js';
import type { PulsarAdmin } from '../../pulsar/admin/index.js';
import { MessageId, type Consumer, type Message, type PulsarClient } from '../../pulsar/client/index.js';
import type { ConsumedRecord } from './types.js';
import { tpKey } from './types.js';

export interface FeedRequest {
  topic: string;
  partition: number;
  /** The Pulsar partition topic (or the topic, when not partitioned). */
  physical: string;
  /** The next offset to deliver. */
  position: bigint;
}

class Feed {
  private readonly held: Message[] = [];
  private pending: Promise<void> | undefined;
  failed: Error | undefined;
  usedAt = Date.now();

  constructor(
    readonly request: Omit<FeedRequest, 'position'>,
    private readonly consumer: Consumer,
    /** The offset the next record delivered will have at least. */
    public next: bigint,
    private readonly notify: () => void,
  ) {}

  /** Keeps one receive outstanding: a message arriving between requests waits in `held`. */
  arm(): void {
    if (this.pending || this.failed) return;
    this.pending = this.consumer.receive().then(
      (m) => {
        this.held.push(m);
        this.pending = undefined;
        this.notify();
      },
      (err: unknown) => {
        this.pending = undefined;
        this.failed = err as Error;
        this.notify();
      },
    );
  }

  /** Messages ready now, skipping those before `next` (a start inside a batch entry). */
  private ready(): Message[] {
    const part = this.consumer.partitions[0]!;
    if (!this.pending) this.held.push(...part.drain(1000));
    while (this.held.length > 0 && kafkaOffsetOf(this.held[0]!) < this.next) this.held.shift();
    return this.held;
  }

  has(): boolean {
    return this.ready().length > 0;
  }

  take(maxBytes: number, bytes: { n: number }, out: ConsumedRecord[]): void {
    const ready = this.ready();
    while (ready.length > 0) {
      const m = ready[0]!;
      const r = fromPulsarMessage(m);
      const rec: ConsumedRecord = {
        topic: this.request.topic,
        partition: this.request.partition,
        offset: kafkaOffsetOf(m),
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: Number(r.timestamp),
      };
      if (m.schemaVersion) {
        rec.schemaVersion = m.schemaVersion;
        rec.pulsarTopic = m.topic;
      }
      const size = (rec.key?.length ?? 0) + (rec.value?.length ?? 0);
      if (bytes.n + size > maxBytes && out.length > 0) return;
      ready.shift();
      bytes.n += size;
      out.push(rec);
      this.next = rec.offset + 1n;
    }
  }

  close(): Promise<void> {
    return this.consumer.close().catch(() => undefined);
  }
}

export class PulsarFeeds {
  /** instance key → tpKey → feed */
  private readonly feeds = new Map<string, Map<string, Feed>>();
  private wake: (() => void)[] = [];
  /** Finds where offsets stand in a partition (shared with commits). */
  readonly scanner: PartitionScanner;

  constructor(
    private readonly client: PulsarClient,
    admin: PulsarAdmin,
    index?: OffsetIndex,
  ) {
    this.scanner = new PartitionScanner(client, admin, index);
  }

  private notify = (): void => {
    for (const w of this.wake.splice(0)) w();
  };

  private async open(req: FeedRequest): Promise<Feed> {
    const { located } = await this.scanner.locate(req.physical, [req.position]);
    const previous = located.get(req.position)?.previous;
    const consumer = await this.client.subscribe({
      topic: req.physical,
      subscription: `k2p-facade-read-${randomUUID().slice(0, 12)}`,
      subscriptionType: 'Exclusive',
      durable: false,
      startMessageId: previous ? previous.id.withBatchIndex(-1) : MessageId.earliest,
      // From the entry holding the message before: the messages before `position` are skipped by offset.
      startMessageIdInclusive: true,
      initialPosition: 'Earliest',
      receiverQueueSize: 500,
    });
    return new Feed({ topic: req.topic, partition: req.partition, physical: req.physical }, consumer, req.position, this.notify);
  }

  /** The feeds of an instance at the requested positions (reopened where they are elsewhere); others closed. */
  async prepare(instance: string, wanted: readonly FeedRequest[]): Promise<Feed[]> {
    const mine = this.feeds.get(instance) ?? new Map<string, Feed>();
    this.feeds.set(instance, mine);
    const keep = new Set(wanted.map((w) => tpKey(w.topic, w.partition)));
    for (const [k, f] of mine) {
      if (!keep.has(k)) {
        mine.delete(k);
        void f.close();
      }
    }
    return Promise.all(
      wanted.map(async (w) => {
        const k = tpKey(w.topic, w.partition);
        let f = mine.get(k);
        if (f && (f.next !== w.position || f.failed || f.request.physical !== w.physical)) {
          mine.delete(k);
          void f.close();
          f = undefined;
        }
        if (!f) {
          f = await this.open(w);
          mine.set(k, f);
        }
        f.usedAt = Date.now();
        return f;
      }),
    );
  }

  /**
   * Records from the instance's feeds: what is there now, up to `maxBytes`; when less than `minBytes`
   * (at least one record when ≤ 1), waits for more until `deadline` (ms since the epoch).
   */
  async read(feeds: Feed[], maxBytes: number, minBytes: number, deadline: number, already: ConsumedRecord[] = []): Promise<ConsumedRecord[]> {
    const out: ConsumedRecord[] = [];
    const bytes = { n: 0 };
    for (;;) {
      for (const f of feeds) {
        if (f.failed) throw f.failed;
        if (bytes.n < maxBytes) f.take(maxBytes, bytes, out);
      }
      const enough = minBytes <= 1 ? out.length + already.length > 0 : bytes.n >= minBytes;
      const left = deadline - Date.now();
      if (enough || bytes.n >= maxBytes || left <= 0) return out;
      await this.waitAny(feeds, left);
    }
  }

  /** Waits until any feed has a message (or `ms`). */
  waitAny(feeds: Feed[], ms: number): Promise<void> {
    if (feeds.some((f) => f.has() || f.failed)) return Promise.resolve();
    for (const f of feeds) f.arm();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Closes an instance's feeds (deleted, expired, or its partitions moved). */
  async drop(instance: string): Promise<void> {
    const mine = this.feeds.get(instance);
    this.feeds.delete(instance);
    if (mine) await Promise.all([...mine.values()].map((f) => f.close()));
  }

  /** Closes feeds not used for `idleMs`. */
  async sweep(idleMs: number): Promise<void> {
    const now = Date.now();
    for (const [instance, mine] of this.feeds) {
      for (const [k, f] of mine) {
        if (now - f.usedAt > idleMs) {
          mine.delete(k);
          await f.close();
        }
      }
      if (mine.size === 0) this.feeds.delete(instance);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.feeds.keys()].map((i) => this.drop(i)));
  }
}

export type { Feed };
