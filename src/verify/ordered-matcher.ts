// Mirror mode, one partition: Kafka records (in offset order) against the messages of the Pulsar partition
// (in Pulsar order), paired by Kafka offset (provenance k2p.offset, else sequence id = offset). Streaming:
// the Kafka side is read only as far as the Pulsar side needs; a Kafka record Pulsar has passed without
// holding it waits `window` more Pulsar messages (a record out of place is reported as 'order', not as
// missing + extra) and is then reported missing. Memory: O(window) records per partition.
import { fieldDivergences } from './pair.js';
import type { FieldOptions } from './fields.js';
import type { Findings } from './findings.js';
import type { OffsetRange } from './ranges.js';
import { offsetOf, type KafkaSide, type PulsarSide } from './records.js';
import type { Counts, PulsarCoordinates } from './types.js';

export interface OrderedMatchInput {
  topic: string;
  partition: number;
  pulsarTopic: string;
  ranges: readonly OffsetRange[];
  /** Kafka records of the ranges, in offset order, in batches; ends after the last range. */
  kafka: AsyncIterator<KafkaSide[]>;
  /** Messages of the Pulsar partition in order, in batches; may run past the last range (reading stops there). */
  pulsar: AsyncIterator<PulsarSide[]>;
  fields: FieldOptions;
  findings: Findings;
  /** Updated as the comparison goes (progress reads it). */
  counts: Counts;
  /** Pulsar messages a passed Kafka record may still come after (default 10,000). */
  window?: number;
}

interface Pending {
  rec: KafkaSide;
  ordinal: number;
  matched: boolean;
  /** Pulsar messages processed when a later offset was seen (-1: not passed yet). */
  passedAt: number;
  before?: PulsarCoordinates;
}

interface MissingRun {
  first: Pending;
  last: Pending;
  records: number;
}

export function coordinates(p: PulsarSide): PulsarCoordinates {
  return { topic: p.topic, messageId: p.message.id.toString() };
}

function kafkaCoordinates(topic: string, partition: number, offset: number) {
  return { topic, partition, offset: String(offset) };
}

export async function matchOrdered(input: OrderedMatchInput): Promise<void> {
  const { topic, partition, findings, counts } = input;
  // Offsets as numbers on this path (Kafka offsets stay far below 2^53): no BigInt per record.
  const ranges = input.ranges.map((r) => ({ from: Number(r.from), to: Number(r.to) }));
  const end = ranges.length > 0 ? ranges[ranges.length - 1]!.to : -Infinity;
  const inRange = (o: number): boolean => {
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i]!;
      if (o < r.from) return false;
      if (o < r.to) return true;
    }
    return false;
  };
  const window = input.window ?? 10_000;
  const pending: Pending[] = [];
  let head = 0;
  let passScan = 0;
  let ordinal = 0;
  let highestK = -1;
  let kafkaDone = false;
  let pulsarCount = 0;
  let maxMatched = -1;
  const recent = new Set<number>();
  const recentRing: number[] = new Array<number>(window).fill(-1);
  let recentAt = 0;
  let run: MissingRun | undefined;

  const flushRun = () => {
    if (!run) return;
    const { first, last, records } = run;
    const d = {
      kind: 'missing' as const,
      topic,
      partition,
      kafka: { topic, partition, offset: first.rec.offset.toString() },
      detail:
        records === 1
          ? `Kafka offset ${first.rec.offset} is not in Pulsar`
          : `Kafka offsets ${first.rec.offset}..${last.rec.offset} (${records} records) are not in Pulsar`,
    };
    findings.add(first.before ? { ...d, pulsarBefore: first.before } : d, counts, records);
    run = undefined;
  };
  const missing = (p: Pending) => {
    if (
      run &&
      p.ordinal === run.last.ordinal + 1 &&
      (p.before?.messageId ?? '') === (run.first.before?.messageId ?? '')
    ) {
      run.last = p;
      run.records++;
      return;
    }
    flushRun();
    run = { first: p, last: p, records: 1 };
  };

  const remember = (n: number) => {
    const old = recentRing[recentAt]!;
    if (old >= 0) recent.delete(old);
    recentRing[recentAt] = n;
    recentAt = (recentAt + 1) % window;
    recent.add(n);
  };

  const compact = () => {
    if (head > 4096 && head * 2 > pending.length) {
      pending.splice(0, head);
      passScan = Math.max(0, passScan - head);
      head = 0;
    }
  };

  /** Drops matched records from the front; reports passed ones that waited long enough (or all, at the end). */
  const expire = (all: boolean) => {
    while (head < pending.length) {
      const p = pending[head]!;
      if (p.matched) {
        head++;
        continue;
      }
      const live = pending.length - head;
      if (all || (p.passedAt >= 0 && (pulsarCount - p.passedAt > window || live > window))) {
        missing(p);
        head++;
        continue;
      }
      break;
    }
    if (passScan < head) passScan = head;
    compact();
  };

  const pullUntil = async (o: number, at: PulsarCoordinates) => {
    while (!kafkaDone && highestK < o) {
      const r = await input.kafka.next();
      if (r.done) {
        kafkaDone = true;
        break;
      }
      for (const rec of r.value) {
        const p: Pending = { rec, ordinal: ordinal++, matched: false, passedAt: -1 };
        if (rec.offset < o) {
          p.passedAt = pulsarCount;
          p.before = at;
        }
        pending.push(p);
        highestK = rec.offset;
      }
      counts.kafkaRecords += r.value.length;
      expire(false);
    }
  };

  const find = (o: number): number => {
    let lo = head;
    let hi = pending.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = pending[mid]!.rec.offset;
      if (v === o) return mid;
      if (v < o) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };

  pulsar: for (;;) {
    const r = await input.pulsar.next();
    if (r.done) break;
    const batch = r.value;
    for (let b = 0; b < batch.length; b++) {
      const msg = batch[b]!;
      const o = offsetOf(msg);
      const prov = msg.mapped instanceof Error ? undefined : msg.mapped.provenance;
      if (prov && (prov.topic !== topic || prov.partition !== partition)) {
        counts.pulsarMessages++;
        pulsarCount++;
        findings.add(
          {
            kind: 'misplaced',
            topic,
            partition,
            pulsar: coordinates(msg),
            kafka: { topic: prov.topic, partition: prov.partition, offset: prov.offset },
            detail: `message from Kafka ${prov.topic}[${prov.partition}]@${prov.offset} found in the Pulsar topic mapped to ${topic}[${partition}]`,
          },
          counts,
        );
        continue;
      }
      if (o >= end) break pulsar;
      if (!inRange(o)) continue;
      counts.pulsarMessages++;
      pulsarCount++;
      if (!kafkaDone && highestK < o) await pullUntil(o, coordinates(msg));
      const i = find(o);
      if (i < 0 || pending[i]!.matched) {
        const again = recent.has(Number(o)) || i >= 0;
        findings.add(
          {
            kind: again ? 'duplicate' : 'extra',
            topic,
            partition,
            kafka: kafkaCoordinates(topic, partition, o),
            pulsar: coordinates(msg),
            detail: again
              ? `Kafka offset ${o} is in Pulsar a second time`
              : `Pulsar holds Kafka offset ${o}, which Kafka does not hold`,
          },
          counts,
        );
        expire(false);
        continue;
      }
      const p = pending[i]!;
      p.matched = true;
      remember(o);
      counts.matched++;
      for (let j = passScan; j < i; j++) {
        const q = pending[j]!;
        if (!q.matched && q.passedAt < 0) {
          q.passedAt = pulsarCount;
          q.before = coordinates(msg);
        }
      }
      if (i + 1 > passScan) passScan = i + 1;
      if (o < maxMatched) {
        findings.add(
          {
            kind: 'order',
            topic,
            partition,
            kafka: kafkaCoordinates(topic, partition, o),
            pulsar: coordinates(msg),
            detail: `Kafka offset ${o} comes after offset ${maxMatched} in Pulsar`,
          },
          counts,
        );
      } else {
        maxMatched = o;
      }
      const diffs = fieldDivergences(p.rec, msg, input.pulsarTopic, input.fields);
      const list = Array.isArray(diffs) ? diffs : await diffs;
      for (const d of list)
        findings.add(
          { ...d, topic, partition, kafka: kafkaCoordinates(topic, partition, o), pulsar: coordinates(msg) },
          counts,
        );
      expire(false);
    }
  }

  // Pulsar has nothing more in range: whatever Kafka still holds is missing.
  expire(true);
  while (!kafkaDone) {
    const r = await input.kafka.next();
    if (r.done) break;
    counts.kafkaRecords += r.value.length;
    for (const rec of r.value) missing({ rec, ordinal: ordinal++, matched: false, passedAt: -1 });
  }
  flushRun();
}
