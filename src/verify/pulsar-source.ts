// Reads one Pulsar partition (or non-partitioned topic) in order with a non-durable subscription (a reader:
// nothing stays on the broker), in batches, each message turned back into the Kafka record it stands for.
// Ends at the last message id asked as the read starts — after waiting up to `settleMs` for an offset the
// caller expects (records still in flight) — and never earlier: a read that cannot get there fails.
import { randomUUID } from 'node:crypto';
import { K2pError, isK2pError } from '../errors.js';
import { MessageId, type Consumer, type PulsarClient } from '../pulsar/client/index.js';
import { EntryBatch } from './pulsar-entry-batch.js';
import { seekOffset } from './pulsar-seek.js';
import type { OffsetRange } from './ranges.js';
import { PulsarSide } from './records.js';

export interface PulsarReadOptions {
  /** Default: the first message. */
  startMessageId?: MessageId;
  /** Stop waiting once a message at or after this Kafka offset was read (or `settleMs` passed). */
  expectOffset?: bigint;
  /** How long to wait for `expectOffset` once the last message (as the read started) was read. Default 0. */
  settleMs?: number;
  receiverQueueSize?: number;
  /**
   * No message for this long before the last message id (asked when the read starts) was reached fails the
   * read with K2P_VERIFY_INCOMPLETE. Default 120 s.
   */
  readTimeoutMs?: number;
  /** Messages handed over per batch (at most). Default 1000. */
  batchSize?: number;
}

const POLL_MS = 250;

/** Asked again when the broker is slow to answer (a busy broker, not an end). */
async function retried<T>(what: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (err) {
      if (attempt >= 5 || !isK2pError(err) || !err.canRetry) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** True when `id` is the last message `last` names, or after it (a batch entry: its last message). */
function atOrPast(id: MessageId, last: MessageId): boolean {
  if (id.ledgerId !== last.ledgerId) return id.ledgerId > last.ledgerId;
  if (id.entryId !== last.entryId) return id.entryId > last.entryId;
  return id.batchIndex < 0 || id.batchSize <= 0 || id.batchIndex >= id.batchSize - 1;
}

/** What one receive gave: the batch to hand over, the id of the last message received, the highest offset. */
export interface Received<T> {
  batch: T;
  last: MessageId;
  highest: number;
}

/** Receives up to `max` messages, waiting up to `timeoutMs` for the first; undefined when none came. */
export type Receive<T> = (consumer: Consumer, max: number, timeoutMs: number) => Promise<Received<T> | undefined>;

/**
 * A partition's messages in order, in batches (one promise per batch, not per message), as `receive` turns
 * them into batches. The last message id is asked once, as the read starts; the read ends right after that
 * message (no waiting for a quiet broker) — or, with `expectOffset`, once a message at that offset came or
 * `settleMs` passed. It never ends short: a read that cannot reach the last message id within
 * `readTimeoutMs` of silence fails with K2P_VERIFY_INCOMPLETE.
 */
export async function* pulsarReads<T>(
  client: PulsarClient,
  topic: string,
  options: PulsarReadOptions,
  receive: Receive<T>,
  consumerOptions: { rawEntries?: boolean } = {},
): AsyncGenerator<T, void, undefined> {
  // A non-durable subscription (what a reader is): nothing stays on the broker once it closes.
  const consumer = await client.subscribe({
    topic,
    subscription: `k2p-verify-${randomUUID().slice(0, 8)}`,
    subscriptionType: 'Exclusive',
    durable: false,
    startMessageId: options.startMessageId ?? MessageId.earliest,
    startMessageIdInclusive: true,
    initialPosition: 'Earliest',
    receiverQueueSize: options.receiverQueueSize ?? 2000,
    // Batched entries would otherwise fill the queue far past its size (up to 100 entries per grant).
    preciseFlowControl: true,
    ...consumerOptions,
  });
  const batchSize = options.batchSize ?? 1000;
  const readTimeout = options.readTimeoutMs ?? 120_000;
  try {
    const [last] = await retried(() => consumer.getLastMessageIds());
    let reached = last === undefined || last.entryId < 0n;
    let quietSince = Date.now();
    let settleDeadline: number | undefined;
    let highest = -1;
    const expect = options.expectOffset === undefined ? undefined : Number(options.expectOffset);
    for (;;) {
      if (reached) {
        if (expect === undefined || highest >= expect) return;
        settleDeadline ??= Date.now() + (options.settleMs ?? 0);
      }
      const got = await receive(consumer, batchSize, POLL_MS);
      if (got === undefined) {
        if (reached && Date.now() >= settleDeadline!) return;
        if (!reached && Date.now() - quietSince >= readTimeout) {
          throw new K2pError(
            'K2P_VERIFY_INCOMPLETE',
            `Pulsar ${topic}: no message for ${readTimeout} ms before its last message ${last!.toString()} (as the read started) was read`,
            { topic, lastMessageId: last!.toString(), readTimeoutMs: readTimeout },
          );
        }
        continue;
      }
      quietSince = Date.now();
      if (got.highest > highest) highest = got.highest;
      if (!reached && atOrPast(got.last, last!)) reached = true;
      yield got.batch;
    }
  } finally {
    await consumer.close().catch(() => undefined);
  }
}

/** Messages received as they are, each turned into a PulsarSide. */
const sides: Receive<PulsarSide[]> = async (consumer, max, timeoutMs) => {
  const messages = await consumer.receiveBatch(max, timeoutMs);
  if (messages.length === 0) return undefined;
  let highest = -1;
  const out = new Array<PulsarSide>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const side = new PulsarSide(messages[i]!);
    if (side.offset > highest) highest = side.offset;
    out[i] = side;
  }
  return { batch: out, last: messages[messages.length - 1]!.id, highest };
};

/** Entries received as they are (no Message object per message), as EntryBatches compared with Kafka `topic`[`partition`]. */
function entries(topic: string, partition: number): Receive<EntryBatch> {
  return async (consumer, max, timeoutMs) => {
    const got = await consumer.receiveEntries(max, timeoutMs);
    if (got.length === 0) return undefined;
    const batch = new EntryBatch(got, topic, partition);
    const last = batch.lastId();
    return last === undefined ? undefined : { batch, last, highest: batch.highest };
  };
}

/**
 * The messages of a partition for one Kafka offset range (read from the position seekOffset finds for its
 * start), in EntryBatches compared with Kafka `kafkaTopic`[`partition`]: the whole-partition read of mirror
 * mode, without a Message object per message.
 */
export async function* entryBatches(
  client: PulsarClient,
  topic: string,
  range: OffsetRange,
  options: Omit<PulsarReadOptions, 'startMessageId'>,
  kafkaTopic: string,
  partition: number,
): AsyncGenerator<EntryBatch, void, undefined> {
  const { starts } = await rangeStarts(client, topic, [range]);
  yield* pulsarReads(client, topic, { ...options, startMessageId: starts[0] }, entries(kafkaTopic, partition), { rawEntries: true });
}

/** A partition's messages in order, in batches, each turned back into the Kafka record it stands for. */
export function pulsarBatches(
  client: PulsarClient,
  topic: string,
  options: PulsarReadOptions = {},
): AsyncGenerator<PulsarSide[], void, undefined> {
  return pulsarReads(client, topic, options, sides);
}

/** One message at a time (dual-write mode merges partitions by time). */
export async function* pulsarMessages(
  client: PulsarClient,
  topic: string,
  options: PulsarReadOptions = {},
): AsyncGenerator<PulsarSide, void, undefined> {
  for await (const batch of pulsarBatches(client, topic, options)) yield* batch;
}

/**
 * Where each range's read starts (undefined: the first message), each found by seekOffset so a sample reads
 * only its windows; `all` is false when a position cannot be found — then one reader from the first range's
 * start goes through all of them.
 */
export async function rangeStarts(
  client: PulsarClient,
  topic: string,
  ranges: readonly OffsetRange[],
): Promise<{ starts: (MessageId | undefined)[]; all: boolean }> {
  const starts: (MessageId | undefined)[] = [];
  for (const r of ranges) {
    const s = r.from > 0n ? await seekOffset(client, topic, r.from) : 'earliest';
    starts.push(s === 'earliest' ? undefined : s);
    if (s === undefined) return { starts, all: false };
  }
  return { starts, all: true };
}

/**
 * The messages of a partition for these Kafka offset ranges: each range read from a position found by
 * seekOffset (so a sample reads only its windows); when positions cannot be found, one reader from the
 * start through all of them. Messages past a range's end are left to the next range.
 */
export async function* rangedMessages(
  client: PulsarClient,
  topic: string,
  ranges: readonly OffsetRange[],
  options: Omit<PulsarReadOptions, 'startMessageId'> = {},
): AsyncGenerator<PulsarSide[], void, undefined> {
  if (ranges.length === 0) return;
  const { starts, all } = await rangeStarts(client, topic, ranges);
  if (!all || ranges.length === 1) {
    yield* pulsarBatches(client, topic, { ...options, startMessageId: starts[0] });
    return;
  }
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const last = i === ranges.length - 1;
    const it = pulsarBatches(client, topic, {
      ...(last ? options : { readTimeoutMs: options.readTimeoutMs }),
      startMessageId: starts[i],
    });
    const from = Number(r.from);
    const to = Number(r.to);
    try {
      window: for await (const batch of it) {
        const out: PulsarSide[] = [];
        for (const m of batch) {
          const o = m.offset;
          if (o < from) continue; // before this window (the entry found holds earlier offsets, read already)
          if (!last && o >= to) {
            if (out.length > 0) yield out;
            break window;
          }
          out.push(m);
        }
        if (out.length > 0) yield out;
      }
    } finally {
      await it.return();
    }
  }
}
