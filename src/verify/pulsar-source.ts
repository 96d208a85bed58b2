// Reads one Pulsar partition (or non-partitioned topic) in order with a reader (non-durable: nothing stays
// on the broker), each message turned back into the Kafka record it stands for. Ends when the broker has
// nothing more — after waiting up to `settleMs` for an offset the caller expects (records still in flight).
import { isK2pError } from '../errors.js';
import { MessageId, type PulsarClient, type Reader } from '../pulsar/client/index.js';
import { seekOffset } from './pulsar-seek.js';
import type { OffsetRange } from './ranges.js';
import { offsetOf, pulsarSide, type PulsarSide } from './records.js';

export interface PulsarReadOptions {
  /** Default: the first message. */
  startMessageId?: MessageId;
  /** Stop waiting once a message at or after this Kafka offset was read (or `settleMs` passed). */
  expectOffset?: bigint;
  /** How long to wait for `expectOffset` when the topic has nothing more. Default 0. */
  settleMs?: number;
  receiverQueueSize?: number;
}

const POLL_MS = 250;

/** hasMessageAvailable, asked again when the broker is slow to answer (a busy broker, not an end). */
async function available(reader: Reader): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reader.hasMessageAvailable();
    } catch (err) {
      if (attempt >= 4 || !isK2pError(err) || !err.canRetry) throw err;
    }
  }
}

export async function* pulsarMessages(
  client: PulsarClient,
  topic: string,
  options: PulsarReadOptions = {},
): AsyncGenerator<PulsarSide, void, undefined> {
  const reader = await client.createReader({
    topic,
    startMessageId: options.startMessageId ?? MessageId.earliest,
    startMessageIdInclusive: true,
    receiverQueueSize: options.receiverQueueSize ?? 2000,
  });
  const deadline = Date.now() + (options.settleMs ?? 0);
  let highest = -1n;
  try {
    for (;;) {
      let message;
      try {
        message = await reader.readNext(POLL_MS);
      } catch (err) {
        if (!isK2pError(err, 'K2P_PLS_TIMEOUT')) throw err;
        if (await available(reader)) continue;
        const waiting =
          options.expectOffset !== undefined && highest < options.expectOffset && Date.now() < deadline;
        if (!waiting) return;
        continue;
      }
      const side = pulsarSide(message);
      const o = offsetOf(side);
      if (o > highest) highest = o;
      yield side;
    }
  } finally {
    await reader.close().catch(() => undefined);
  }
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
): AsyncGenerator<PulsarSide, void, undefined> {
  const first = ranges[0];
  if (!first) return;
  const starts: (MessageId | 'earliest' | undefined)[] = [];
  for (const r of ranges) {
    const s = r.from > 0n ? await seekOffset(client, topic, r.from) : 'earliest';
    starts.push(s);
    if (s === undefined) break;
  }
  if (starts.includes(undefined) || ranges.length === 1) {
    const s = starts[0];
    yield* pulsarMessages(client, topic, {
      ...options,
      startMessageId: s === 'earliest' || s === undefined ? undefined : s,
    });
    return;
  }
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const s = starts[i]!;
    const last = i === ranges.length - 1;
    const it = pulsarMessages(client, topic, {
      ...(last ? options : {}),
      startMessageId: s === 'earliest' ? undefined : s,
    });
    try {
      for await (const m of it) {
        const o = offsetOf(m);
        if (o < r.from) continue; // before this window (the entry found holds earlier offsets, read already)
        if (!last && o >= r.to) break;
        yield m;
      }
    } finally {
      await it.return();
    }
  }
}
