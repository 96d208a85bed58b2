// --from / --to → one Kafka offset range per partition, clamped to what the partition stores (committed
// data: the end is the last stable offset), as it stands when the run starts.
import type { Kafka } from 'kafkajs';
import { K2pError } from '../errors.js';
import { KafkajsAdmin } from '../kafka/index.js';
import type { Bound } from './options.js';
import type { OffsetRange } from './ranges.js';

export interface PartitionExtent {
  partition: number;
  /** First stored offset and end offset (exclusive), as the run starts. */
  start: bigint;
  end: bigint;
  range: OffsetRange;
}

/** Parses a CLI bound: an integer is an offset, anything else a date/time (ISO 8601) or `<n>ms`. */
export function parseBound(text: string, what: string): Bound {
  if (/^[0-9]+$/.test(text)) return { offset: BigInt(text) };
  const ms = /^([0-9]+)ms$/.exec(text);
  if (ms) return { time: Number(ms[1]) };
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new K2pError('K2P_VERIFY_INPUT', `${what} "${text}" is neither an offset nor a time`, {
      [what]: text,
      expected:
        'an offset (e.g. 1000), an ISO time (2024-05-01T12:00:00Z) or ms since the epoch (1714564800000ms)',
    });
  }
  return { time: t };
}

async function timeOffsets(kafka: Kafka, topic: string, time: number): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const res = await admin.fetchTopicOffsetsByTimestamp(topic, time);
    return new Map(res.map((r) => [r.partition, BigInt(r.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function partitionExtents(
  kafka: Kafka,
  connector: string,
  topic: string,
  from?: Bound,
  to?: Bound,
): Promise<PartitionExtent[]> {
  const admin = new KafkajsAdmin(kafka, connector);
  await admin.connect();
  let offsets;
  try {
    offsets = await admin.offsets(topic);
  } finally {
    await admin.close();
  }
  const fromTime = from && 'time' in from ? await timeOffsets(kafka, topic, from.time) : undefined;
  const toTime = to && 'time' in to ? await timeOffsets(kafka, topic, to.time) : undefined;
  return offsets.map((o) => {
    const start = BigInt(o.start);
    const end = BigInt(o.end);
    const clamp = (v: bigint) => (v < start ? start : v > end ? end : v);
    // An offset by time is -1 when no record is that late: the range ends (or starts) at the end.
    const byTime = (m: Map<number, bigint> | undefined) => {
      const v = m?.get(o.partition);
      return v === undefined || v < 0n ? end : v;
    };
    const f = !from ? start : 'offset' in from ? from.offset : byTime(fromTime);
    const t = !to ? end : 'offset' in to ? to.offset : byTime(toTime);
    const range = { from: clamp(f), to: clamp(t) };
    if (range.to < range.from) range.to = range.from;
    return { partition: o.partition, start, end, range };
  });
}
