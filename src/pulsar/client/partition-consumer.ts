// A consumer on one topic or one partition: subscribes, grants permits (flow control), decodes incoming
// entries into a bounded receive queue, acknowledges (individually, cumulatively, per batch index),
// redelivers, seeks, and resubscribes after a broker restart or a dropped connection.
import { K2pError } from '../../errors.js';
import type { CommandOf, Frame, InitialPosition, KeySharedMeta, MessageIdData, Schema, SubType } from '../protocol/index.js';
import { allExcept, rangeSet } from './ack-set.js';
import { Backoff, delay } from './backoff.js';
import { ChunkAssembler } from './chunks.js';
import type { Connection, ConsumerHandler } from './connection.js';
import type { ClientContext } from './context.js';
import { MessageId } from './message-id.js';
import type { Message } from './message.js';
import { decodeEntry, rawEntry, type RawEntry } from './raw-entry.js';
import { isServerError } from './server-errors.js';

export type SubscriptionType = SubType;

export interface ConsumerOptions {
  topic: string;
  subscription: string;
  subscriptionType?: SubscriptionType;
  /** Where a new durable subscription starts. Default Latest, as in the official clients. */
  initialPosition?: InitialPosition;
  consumerName?: string;
  /** Messages buffered ahead of receive(); permits are granted back in halves. Default 1000. */
  receiverQueueSize?: number;
  /**
   * Keep about `receiverQueueSize` messages buffered even when entries are batches. A broker reads up to
   * 100 entries per grant whatever they hold, so with batches of 500 a queue of 1000 can fill with 50,000
   * messages; here permits are granted an entry's worth at a time, learnt from the entries received (the
   * first grant is one permit). Default false.
   */
  preciseFlowControl?: boolean;
  readCompacted?: boolean;
  schema?: Schema;
  keySharedMeta?: KeySharedMeta;
  priorityLevel?: number;
  /** Delay before negatively acknowledged messages are redelivered. Default 1000 ms. */
  negativeAckDelayMs?: number;
  /** Internal (readers): a non-durable cursor starting at this message. */
  durable?: boolean;
  startMessageId?: MessageId;
  startMessageIdInclusive?: boolean;
  subscriptionProperties?: Record<string, string>;
  /**
   * Internal (verify's reader): entries are not decoded into messages; take them with receiveEntries() and
   * walk them with scanEntry() (raw-entry.ts) — no object per message. receive() gets nothing then.
   */
  rawEntries?: boolean;
}

interface Waiting {
  resolve(msg: Message): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

type State = 'connecting' | 'ready' | 'closed';

const FATAL = ['AuthorizationError', 'InvalidTopicName', 'IncompatibleSchema', 'NotAllowedError', 'SubscriptionNotFound', 'TopicNotFound'] as const;

export class PartitionConsumer {
  readonly topic: string;
  readonly partition: number;
  private readonly id: bigint;
  private readonly options: ConsumerOptions & { subscriptionType: SubscriptionType; receiverQueueSize: number };
  private state: State = 'connecting';
  private conn: Connection | undefined;
  private readonly queue: Message[] = [];
  private readonly waiting: Waiting[] = [];
  /** rawEntries: the entries buffered, the messages they hold, and a receiveEntries() waiting for one. */
  private readonly entries: RawEntry[] = [];
  private entryMessages = 0;
  private entryWaiter: { resolve(entries: RawEntry[]): void; reject(err: Error): void; max: number; timer: NodeJS.Timeout } | undefined;
  /** Messages handed to the user (or skipped) since the last FLOW: given back as permits in halves. */
  private consumedSinceFlow = 0;
  /** preciseFlowControl: permits the broker still holds (granted − messages of the entries received)... */
  private brokerPermits = 0;
  /** ...and messages per entry (a running average that follows a larger entry at once; 0: none seen yet). */
  private perEntry = 0;
  private readonly chunks = new ChunkAssembler();
  private readonly backoff = new Backoff();
  /** Per batch entry: indexes acknowledged so far (to send a whole-entry ack once all are). */
  private readonly batchAcks = new Map<string, { id: MessageId; acked: Set<number> }>();
  private readonly dirtyBatches = new Set<string>();
  private pendingAcks: MessageIdData[] = [];
  private ackFlush: NodeJS.Immediate | undefined;
  /** For readers: the last message delivered, so a resubscribe continues after it. */
  private lastDelivered: MessageId | undefined;
  private epoch = 0n;
  private untrack: () => void = () => {};
  private failure: Error | undefined;
  private readonly listeners: ((msg: Message) => void)[] = [];
  private readonly failureListeners: ((err: Error) => void)[] = [];
  /** After a seek into a batch: indexes before it in that entry are skipped (brokers without batch-index acks). */
  private skipBefore: MessageId | undefined;
  /** Set while the subscription is being moved by seek(): frames of the old position are dropped. */
  private seeking = false;
  isActive: boolean | undefined;
  reachedEndOfTopic = false;

  constructor(
    private readonly ctx: ClientContext,
    options: ConsumerOptions,
    partition = -1,
  ) {
    this.options = { ...options, subscriptionType: options.subscriptionType ?? 'Exclusive', receiverQueueSize: options.receiverQueueSize ?? 1000 };
    this.topic = options.topic;
    this.partition = partition;
    this.id = ctx.nextConsumerId();
  }

  async start(): Promise<void> {
    await this.subscribe();
    this.untrack = this.ctx.track(this);
  }

  private async subscribe(): Promise<void> {
    const conn = await this.ctx.connectionFor(this.topic);
    conn.registerConsumer(this.id, this.handler(conn));
    const o = this.options;
    const durable = o.durable ?? true;
    // A reader that already delivered messages resumes after the last one, not at its original start.
    const start = this.lastDelivered ?? o.startMessageId;
    const cmd: CommandOf<'SUBSCRIBE'> = {
      type: 'SUBSCRIBE',
      topic: this.topic,
      subscription: o.subscription,
      subType: o.subscriptionType,
      consumerId: this.id,
      requestId: conn.newRequestId(),
      consumerName: o.consumerName,
      durable,
      readCompacted: o.readCompacted,
      schema: o.schema,
      initialPosition: o.initialPosition ?? 'Latest',
      keySharedMeta: o.keySharedMeta,
      priorityLevel: o.priorityLevel,
      consumerEpoch: this.epoch,
      subscriptionProperties: o.subscriptionProperties
        ? Object.entries(o.subscriptionProperties).map(([key, value]) => ({ key, value }))
        : undefined,
    };
    if (!durable && start) cmd.startMessageId = { ledgerId: start.ledgerId, entryId: start.entryId, partition: this.partition, batchIndex: start.batchIndex };
    try {
      await conn.request(cmd, 'SUCCESS');
    } catch (err) {
      conn.unregisterConsumer(this.id);
      throw err;
    }
    this.conn = conn;
    this.state = 'ready';
    this.backoff.reset();
    this.consumedSinceFlow = 0;
    this.seeking = false;
    // Everything buffered before the (re)subscribe will be redelivered by the broker: start clean.
    this.queue.length = 0;
    this.dropEntries();
    this.batchAcks.clear();
    if (o.preciseFlowControl) {
      this.brokerPermits = 0;
      this.topUp();
    } else {
      conn.send({ type: 'FLOW', consumerId: this.id, messagePermits: o.receiverQueueSize });
    }
  }

  private handler(conn: Connection): ConsumerHandler {
    return {
      onMessage: (cmd, frame) => this.onMessage(cmd, frame),
      onActiveConsumerChange: (active) => (this.isActive = active),
      onReachedEndOfTopic: () => (this.reachedEndOfTopic = true),
      onClosedByBroker: () => this.reconnect(conn, 'broker closed the consumer'),
      onConnectionClosed: (err) => this.reconnect(conn, err.message),
    };
  }

  private reconnect(from: Connection, why: string): void {
    if (this.conn !== from || this.state === 'closed') return;
    from.unregisterConsumer(this.id);
    this.conn = undefined;
    this.state = 'connecting';
    this.epoch++;
    this.ctx.log.info({ topic: this.topic, subscription: this.options.subscription, reason: why }, 'consumer reconnecting');
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    while (this.state === 'connecting') {
      await delay(this.backoff.next());
      if (this.state !== 'connecting') return;
      try {
        await this.subscribe();
        return;
      } catch (err) {
        if (FATAL.some((name) => isServerError(err, name))) {
          this.fail(err as Error);
          return;
        }
        this.ctx.log.warn({ topic: this.topic, error: (err as Error).message }, 'consumer resubscribe failed; retrying');
      }
    }
  }

  private onMessage(cmd: CommandOf<'MESSAGE'>, frame: Frame): void {
    if (this.seeking) return;
    if (this.options.preciseFlowControl) {
      const n = frame.metadata?.numMessagesInBatch ?? 1;
      this.brokerPermits -= n;
      this.perEntry = Math.max(n, Math.round(this.perEntry * 0.875 + n * 0.125));
    }
    let messages: Message[] = [];
    let count = 0;
    let entry: RawEntry | undefined;
    try {
      const meta = frame.metadata;
      if (meta && (meta.numChunksFromMsg ?? 1) > 1) {
        const chunkId = MessageId.fromData(cmd.messageId, this.partition);
        const whole = this.chunks.add(meta, frame.payload ?? Buffer.alloc(0), chunkId);
        for (const expired of this.chunks.expired.splice(0)) this.ackIds([expired.toData()], 'Individual');
        if (!whole) {
          this.grantPermits(1); // a chunk never reaches the user: its permit comes back now
          return;
        }
        if (this.options.rawEntries) {
          entry = rawEntry(this.topic, this.partition, cmd, frame, whole.payload);
          entry.chunkIds = whole.chunkIds;
        } else {
          const decoded = decodeEntry(this.topic, this.partition, cmd, frame, whole.payload);
          decoded.messages[0]!.chunkIds = whole.chunkIds;
          ({ messages, count } = decoded);
        }
      } else if (this.options.rawEntries) {
        entry = rawEntry(this.topic, this.partition, cmd, frame);
      } else {
        ({ messages, count } = decodeEntry(this.topic, this.partition, cmd, frame));
      }
    } catch (err) {
      // A corrupt entry cannot be delivered; tell the broker and move on rather than block the partition.
      this.ctx.log.error({ topic: this.topic, error: (err as Error).message, messageId: `${cmd.messageId.ledgerId}:${cmd.messageId.entryId}` }, 'undecodable message');
      this.ackIds([{ ledgerId: cmd.messageId.ledgerId, entryId: cmd.messageId.entryId }], 'Individual', 'DecompressionError');
      this.grantPermits(1);
      return;
    }
    const start = this.options.durable === false ? this.options.startMessageId : undefined;
    const skipped = count - messages.length;
    let delivered = 0;
    const skip = this.skipBefore;
    if (skip && (skip.ledgerId !== cmd.messageId.ledgerId || skip.entryId !== cmd.messageId.entryId)) this.skipBefore = undefined;
    if (entry) {
      this.queueEntry(entry, start);
      return;
    }
    for (const msg of messages) {
      if (start && !this.lastDelivered && this.before(msg.id, start)) continue;
      if (this.skipBefore && msg.id.batchIndex < this.skipBefore.batchIndex) continue;
      this.deliver(msg);
      delivered++;
    }
    // Batch indexes the broker or the start filter skipped were permits too.
    if (skipped + (messages.length - delivered) > 0) this.grantPermits(skipped + messages.length - delivered);
  }

  /** For a reader's first entry: is this message before the start (or at it, when exclusive)? */
  private before(id: MessageId, start: MessageId): boolean {
    if (start.ledgerId < 0n) return false; // earliest
    if (start.ledgerId >= MessageId.latest.ledgerId) return false; // latest: the broker starts after the end
    const c = id.compare(start);
    return this.options.startMessageIdInclusive ? c < 0 : c <= 0;
  }

  /** rawEntries: the entry queued (or handed over), the messages the start filters leave out skipped. */
  private queueEntry(entry: RawEntry, start: MessageId | undefined): void {
    // The per-message filters of onMessage: a batch's leading indexes they leave out are skipped (firstIndex),
    // an entry they leave out whole is not queued.
    const size = entry.metadata.numMessagesInBatch ?? 0;
    const leftOut = (i: number) =>
      (start !== undefined && !this.lastDelivered && this.before(new MessageId(entry.ledgerId, entry.entryId, this.partition, i, size), start)) ||
      (this.skipBefore !== undefined && i < this.skipBefore.batchIndex);
    if (size > 0) while (entry.firstIndex < size && leftOut(entry.firstIndex)) entry.firstIndex++;
    if (size > 0 ? entry.firstIndex >= size : leftOut(-1)) {
      this.grantPermits(entry.count); // nothing in it for the reader
      return;
    }
    this.entries.push(entry);
    this.entryMessages += entry.count;
    const waiter = this.entryWaiter;
    if (waiter) {
      this.entryWaiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve(this.takeEntries(waiter.max));
    }
  }

  /** Entries from the front, up to `max` messages (at least one entry); their permits go back. */
  private takeEntries(max: number): RawEntry[] {
    let n = 0;
    let taken = 0;
    while (taken < this.entries.length && (taken === 0 || n + this.entries[taken]!.count <= max)) n += this.entries[taken++]!.count;
    const out = this.entries.splice(0, taken);
    this.entryMessages -= n;
    const last = out[out.length - 1]!;
    const size = last.metadata.numMessagesInBatch;
    this.lastDelivered = new MessageId(last.ledgerId, last.entryId, this.partition, size === undefined ? -1 : size - 1, size ?? 0);
    this.grantPermits(n);
    return out;
  }

  private dropEntries(): void {
    this.entries.length = 0;
    this.entryMessages = 0;
  }

  /**
   * rawEntries: the entries buffered, up to `maxMessages` messages (at least one entry); waits up to
   * `timeoutMs` for the first, else gives none. Walk each with scanEntry.
   */
  receiveEntries(maxMessages: number, timeoutMs: number): Promise<RawEntry[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state === 'closed') return Promise.reject(this.closedError());
    if (this.entryWaiter) return Promise.reject(new Error(`receiveEntries on ${this.topic}: one call at a time`)); // a caller's mistake
    if (this.entries.length > 0) return Promise.resolve(this.takeEntries(maxMessages));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entryWaiter = undefined;
        resolve([]);
      }, timeoutMs);
      this.entryWaiter = { resolve, reject, max: maxMessages, timer };
    });
  }

  private rejectEntryWaiter(err: Error): void {
    const waiter = this.entryWaiter;
    this.entryWaiter = undefined;
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.reject(err);
  }

  private deliver(msg: Message): void {
    if (this.listeners.length > 0) {
      this.markConsumed(msg);
      for (const l of this.listeners) l(msg);
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      this.markConsumed(msg);
      waiter.resolve(msg);
      return;
    }
    this.queue.push(msg);
  }

  private markConsumed(msg: Message): void {
    this.lastDelivered = msg.id;
    this.grantPermits(1);
  }

  private grantPermits(n: number): void {
    if (this.options.preciseFlowControl) {
      this.topUp();
      return;
    }
    this.consumedSinceFlow += n;
    const half = Math.max(1, Math.floor(this.options.receiverQueueSize / 2));
    if (this.consumedSinceFlow >= half && this.conn && this.state === 'ready') {
      this.conn.send({ type: 'FLOW', consumerId: this.id, messagePermits: this.consumedSinceFlow });
      this.consumedSinceFlow = 0;
    }
  }

  /**
   * preciseFlowControl: once the buffered messages and those the broker may still send (its permits times
   * the messages per entry) are down to half the queue, lets the broker send enough entries to fill it.
   */
  private topUp(): void {
    if (!this.conn || this.state !== 'ready') return;
    const size = this.options.receiverQueueSize;
    const per = Math.max(1, this.perEntry);
    const buffered = this.queue.length + this.entryMessages;
    if (buffered + Math.max(0, this.brokerPermits) * per > size / 2) return;
    const target = this.perEntry === 0 ? 1 : Math.max(1, Math.floor((size - buffered) / per));
    const grant = target - this.brokerPermits;
    if (grant <= 0) return;
    this.brokerPermits += grant;
    this.conn.send({ type: 'FLOW', consumerId: this.id, messagePermits: grant });
  }

  /** The next message; waits up to `timeoutMs` (forever when unset). */
  receive(timeoutMs?: number): Promise<Message> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state === 'closed') return Promise.reject(this.closedError());
    const msg = this.queue.shift();
    if (msg) {
      this.markConsumed(msg);
      return Promise.resolve(msg);
    }
    return new Promise<Message>((resolve, reject) => {
      const waiter: Waiting = { resolve, reject };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new K2pError('K2P_PLS_TIMEOUT', `no message on ${this.topic} within ${timeoutMs} ms`, { topic: this.topic }));
        }, timeoutMs);
      }
      this.waiting.push(waiter);
    });
  }

  /** Messages already buffered, without waiting (up to `max`). */
  drain(max: number): Message[] {
    const out = this.queue.splice(0, max);
    for (const msg of out) this.markConsumed(msg);
    return out;
  }

  /** Push mode: every message goes to `listener` as it arrives (buffered ones first). */
  addListener(listener: (msg: Message) => void): void {
    this.listeners.push(listener);
    for (const msg of this.queue.splice(0)) {
      this.markConsumed(msg);
      listener(msg);
    }
  }

  /** Called once if the consumer fails for good (a fatal error on resubscribe). */
  onFailure(listener: (err: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  get buffered(): number {
    return this.queue.length + this.entryMessages;
  }

  acknowledge(msg: Message | MessageId): void {
    const ids = 'chunkIds' in msg && msg.chunkIds ? msg.chunkIds : ['id' in msg ? msg.id : msg];
    for (const id of ids) this.ackOne(id);
  }

  private ackOne(id: MessageId): void {
    if (id.batchIndex < 0 || id.batchSize <= 1) {
      this.queueAck({ ledgerId: id.ledgerId, entryId: id.entryId });
      return;
    }
    const key = `${id.ledgerId}:${id.entryId}`;
    let entry = this.batchAcks.get(key);
    if (!entry) {
      entry = { id, acked: new Set<number>() };
      this.batchAcks.set(key, entry);
    }
    entry.acked.add(id.batchIndex);
    this.dirtyBatches.add(key);
    this.ackFlush ??= setImmediate(() => this.flushAcks());
  }

  /** Individual acks are coalesced into one ACK command per event-loop turn. */
  private queueAck(data: MessageIdData): void {
    this.pendingAcks.push(data);
    this.ackFlush ??= setImmediate(() => this.flushAcks());
  }

  private flushAcks(): void {
    if (this.ackFlush) clearImmediate(this.ackFlush);
    this.ackFlush = undefined;
    // Batch entries touched since the last flush: one ack each, whatever the number of indexes acked.
    for (const key of this.dirtyBatches) {
      const entry = this.batchAcks.get(key);
      if (!entry) continue;
      const { id, acked } = entry;
      if (acked.size >= id.batchSize) {
        this.batchAcks.delete(key);
        this.pendingAcks.push({ ledgerId: id.ledgerId, entryId: id.entryId });
      } else {
        // Batch-index ack: the ack set lists the indexes still unacknowledged (needs the broker's
        // acknowledgmentAtBatchIndexLevelEnabled; without it the broker keeps the entry until all are acked).
        this.pendingAcks.push({ ledgerId: id.ledgerId, entryId: id.entryId, ackSet: allExcept(id.batchSize, acked), batchSize: id.batchSize });
      }
    }
    this.dirtyBatches.clear();
    const ids = this.pendingAcks;
    this.pendingAcks = [];
    if (ids.length > 0) this.ackIds(ids, 'Individual');
  }

  private ackIds(ids: MessageIdData[], ackType: 'Individual' | 'Cumulative', validationError?: 'DecompressionError'): void {
    // Acks while disconnected are lost on purpose: the broker redelivers those messages (at-least-once).
    this.conn?.send({ type: 'ACK', consumerId: this.id, ackType, messageId: ids, validationError });
  }

  /** Acknowledges this message and everything before it on this partition (not for Shared subscriptions). */
  acknowledgeCumulative(msg: Message | MessageId): void {
    const id = 'id' in msg ? msg.id : msg;
    const data: MessageIdData = { ledgerId: id.ledgerId, entryId: id.entryId };
    if (id.batchIndex >= 0 && id.batchSize > 1 && id.batchIndex < id.batchSize - 1) {
      // Inside a batch: the entry stays, with the indexes after this one still unacknowledged.
      data.ackSet = rangeSet(id.batchSize, id.batchIndex + 1, id.batchSize);
      data.batchSize = id.batchSize;
    }
    for (const key of this.batchAcks.keys()) {
      const [l, e] = key.split(':').map(BigInt) as [bigint, bigint];
      if (l < id.ledgerId || (l === id.ledgerId && e <= id.entryId)) this.batchAcks.delete(key);
    }
    for (const key of this.dirtyBatches) if (!this.batchAcks.has(key)) this.dirtyBatches.delete(key);
    this.flushAcks();
    this.ackIds([data], 'Cumulative');
  }

  /** Asks for redelivery of `msg` after the negative-ack delay. */
  negativeAcknowledge(msg: Message): void {
    const ids = msg.chunkIds ?? [msg.id];
    setTimeout(() => {
      if (!this.conn || this.state !== 'ready') return;
      if (this.options.subscriptionType === 'Shared' || this.options.subscriptionType === 'Key_Shared') {
        this.conn.send({ type: 'REDELIVER_UNACKNOWLEDGED_MESSAGES', consumerId: this.id, messageIds: ids.map((i) => ({ ledgerId: i.ledgerId, entryId: i.entryId })) });
      } else {
        this.redeliverUnacknowledged();
      }
    }, this.options.negativeAckDelayMs ?? 1000).unref();
  }

  /** Drops what is buffered and asks the broker to send every unacknowledged message again. */
  redeliverUnacknowledged(): void {
    if (!this.conn) return;
    const buffered = this.queue.length + this.entryMessages;
    this.queue.length = 0;
    this.dropEntries();
    this.epoch++;
    this.conn.send({ type: 'REDELIVER_UNACKNOWLEDGED_MESSAGES', consumerId: this.id, consumerEpoch: this.epoch });
    if (buffered > 0) this.grantPermits(buffered);
  }

  /** Moves the subscription to a message id (the next message received is that one) or a publish time. */
  async seek(target: MessageId | number): Promise<void> {
    const conn = this.requireConnection();
    const cmd: CommandOf<'SEEK'> = { type: 'SEEK', consumerId: this.id, requestId: conn.newRequestId() };
    if (typeof target === 'number') cmd.messagePublishTime = target;
    else {
      cmd.messageId = { ledgerId: target.ledgerId, entryId: target.entryId };
      if (target.batchIndex >= 0 && target.batchSize > 0) {
        // As the Java client does: the indexes before the target count as acknowledged on the cursor.
        cmd.messageId.ackSet = rangeSet(target.batchSize, target.batchIndex, target.batchSize);
        cmd.messageId.batchSize = target.batchSize;
        this.skipBefore = target;
      }
    }
    this.seeking = true;
    try {
      await conn.request(cmd, 'SUCCESS');
    } catch (err) {
      this.seeking = false;
      throw err;
    }
    this.queue.length = 0;
    this.dropEntries();
    this.batchAcks.clear();
    if (typeof target !== 'number' && this.options.durable === false) {
      this.options.startMessageId = target;
      this.options.startMessageIdInclusive = true;
      this.lastDelivered = undefined;
    }
    // The broker now closes this consumer; the resubscribe (and the end of `seeking`) follows.
  }

  /** The id of the last message stored on this topic (partition). */
  async getLastMessageId(): Promise<{ last: MessageId; markDelete?: MessageId }> {
    const conn = this.requireConnection();
    const res = await conn.request({ type: 'GET_LAST_MESSAGE_ID', consumerId: this.id, requestId: conn.newRequestId() }, 'GET_LAST_MESSAGE_ID_RESPONSE');
    return {
      last: MessageId.fromData(res.lastMessageId, this.partition),
      markDelete: res.consumerMarkDeletePosition ? MessageId.fromData(res.consumerMarkDeletePosition, this.partition) : undefined,
    };
  }

  /** True when a message after the last delivered one exists on the topic (readers). */
  async hasMessageAvailable(): Promise<boolean> {
    if (this.queue.length > 0 || this.entries.length > 0) return true;
    const { last } = await this.getLastMessageId();
    if (last.entryId < 0n) return false;
    const reference = this.lastDelivered ?? this.options.startMessageId;
    if (!reference || reference.ledgerId < 0n) return true;
    const c = last.compare(reference);
    if (!this.lastDelivered && this.options.startMessageIdInclusive) return c >= 0;
    // A batch's last id has batchIndex -1 here: compare entries, then the batch position.
    if (last.ledgerId === reference.ledgerId && last.entryId === reference.entryId) {
      return last.batchIndex >= 0 ? last.batchIndex > reference.batchIndex : reference.batchIndex >= 0 && reference.batchIndex < reference.batchSize - 1;
    }
    return c > 0;
  }

  private requireConnection(): Connection {
    if (this.failure) throw this.failure;
    if (this.state === 'closed') throw this.closedError();
    if (!this.conn) throw new K2pError('K2P_PLS_DISCONNECTED', `consumer on ${this.topic} is reconnecting`, { topic: this.topic });
    return this.conn;
  }

  private closedError(): K2pError {
    return new K2pError('K2P_PLS_CLOSED', `consumer on ${this.topic} is closed`, { topic: this.topic });
  }

  private fail(err: Error): void {
    this.failure = err;
    this.state = 'closed';
    this.ctx.log.error({ topic: this.topic, subscription: this.options.subscription, error: err.message }, 'consumer failed for good');
    for (const l of this.failureListeners.splice(0)) l(err);
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.rejectEntryWaiter(err);
    this.untrack();
  }

  /** Deletes the subscription (durable) on the broker and closes the consumer. */
  async unsubscribe(): Promise<void> {
    const conn = this.requireConnection();
    await conn.request({ type: 'UNSUBSCRIBE', consumerId: this.id, requestId: conn.newRequestId() }, 'SUCCESS');
    await this.close();
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.flushAcks();
    this.state = 'closed';
    this.untrack();
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(this.closedError());
    }
    this.rejectEntryWaiter(this.closedError());
    const conn = this.conn;
    this.conn = undefined;
    if (!conn || conn.closed) return;
    conn.unregisterConsumer(this.id);
    await conn
      .request({ type: 'CLOSE_CONSUMER', consumerId: this.id, requestId: conn.newRequestId() }, 'SUCCESS')
      .catch((err: Error) => this.ctx.log.debug({ topic: this.topic, error: err.message }, 'close consumer'));
  }
}
