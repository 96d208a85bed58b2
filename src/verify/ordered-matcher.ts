// Mirror mode, one partition: Kafka records (in offset order) against the messages of the Pulsar partition
// (in Pulsar order), paired by Kafka offset (provenance k2p.offset, else sequence id = offset). Streaming:
// the Kafka side is read only as far as the Pulsar side needs; a Kafka record Pulsar has passed without
// holding it waits `window` more Pulsar messages (a record out of place is reported as 'order', not as
// missing + extra) and is then reported missing. Memory: O(window) records per partition, kept in the
// packed batches they came in (per batch: a matched flag and a "passed at" count per record).
import type { FieldOptions } from './fields.js';
import type { Findings } from './findings.js';
import { fieldDivergences } from './pair.js';
import type { OffsetRange } from './ranges.js';
import type { PulsarBatch } from './pulsar-batch.js';
import type { KafkaBatch, PulsarSide } from './records.js';
import { bytesComparator } from './values.js';
import type { Counts, PulsarCoordinates } from './types.js';

export interface OrderedMatchInput {
  topic: string;
  partition: number;
  pulsarTopic: string;
  ranges: readonly OffsetRange[];
  /** Kafka records of the ranges, in offset order, in batches; ends after the last range. */
  kafka: AsyncIterator<KafkaBatch>;
  /** Messages of the Pulsar partition in order, in batches; may run past the last range (reading stops there). */
  pulsar: AsyncIterator<PulsarBatch>;
  fields: FieldOptions;
  findings: Findings;
  /** Updated as the comparison goes (progress reads it). */
  counts: Counts;
  /** Pulsar messages a passed Kafka record may still come after (default 10,000). */
  window?: number;
}

/** A Kafka batch waiting for its records' Pulsar messages. Records are numbered across batches (ordinals). */
interface Pending {
  batch: KafkaBatch;
  /** Ordinal of the batch's first record. */
  base: number;
  matched: Uint8Array;
  /** Pulsar messages processed when a later offset was seen (-1: not passed yet). */
  passedAt: Float64Array;
  /** The Pulsar message a passed record should have come before. */
  before: (PulsarCoordinates | undefined)[];
}

interface MissingRun {
  first: number;
  firstOffset: number;
  lastOffset: number;
  last: number;
  before: PulsarCoordinates | undefined;
  records: number;
}

export function coordinates(p: PulsarSide): PulsarCoordinates {
  return { topic: p.topic, messageId: p.message.id.toString() };
}

function kafkaCoordinates(topic: string, partition: number, offset: number) {
  return { topic, partition, offset: String(offset) };
}

export async function matchOrdered(input: OrderedMatchInput): Promise<void> {
  const { topic, partition, findings, counts, fields } = input;
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
  // Identical pairs are recognised without unpacking either side when bytes are compared field for field.
  const quick =
    fields.value === bytesComparator &&
    fields.key !== false &&
    fields.headers !== false &&
    fields.timestamp !== false &&
    !(fields.ignoreHeaders && fields.ignoreHeaders.size > 0);
  const window = Math.max(1, input.window ?? 10_000);
  const pending: Pending[] = [];
  /** Pending batches before this index are done with. */
  let first = 0;
  /** Ordinals: the first record still waiting, the next to be pulled. */
  let head = 0;
  let tail = 0;
  let passScan = 0;
  let highestK = -1;
  let kafkaDone = false;
  let pulsarCount = 0;
  let maxMatched = -1;
  // Offsets matched lately (a second copy is a duplicate, not an extra): a ring indexed by offset.
  const recent = new Float64Array(window).fill(-1);
  let run: MissingRun | undefined;

  /** The pending batch holding ordinal `n` (n in [head, tail)). */
  const batchOf = (n: number): Pending => {
    const f = pending[first]!;
    if (n < f.base + f.batch.count) return f;
    let lo = first;
    let hi = pending.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (pending[mid]!.base <= n) lo = mid;
      else hi = mid - 1;
    }
    return pending[lo]!;
  };

  const flushRun = () => {
    if (!run) return;
    const { firstOffset, lastOffset, records, before } = run;
    const d = {
      kind: 'missing' as const,
      topic,
      partition,
      kafka: kafkaCoordinates(topic, partition, firstOffset),
      detail:
        records === 1
          ? `Kafka offset ${firstOffset} is not in Pulsar`
          : `Kafka offsets ${firstOffset}..${lastOffset} (${records} records) are not in Pulsar`,
    };
    findings.add(before ? { ...d, pulsarBefore: before } : d, counts, records);
    run = undefined;
  };
  const missing = (ordinal: number, offset: number, before: PulsarCoordinates | undefined) => {
    if (run && ordinal === run.last + 1 && (before?.messageId ?? '') === (run.before?.messageId ?? '')) {
      run.last = ordinal;
      run.lastOffset = offset;
      run.records++;
      return;
    }
    flushRun();
    run = { first: ordinal, last: ordinal, firstOffset: offset, lastOffset: offset, before, records: 1 };
  };

  /** Drops matched records from the front; reports passed ones that waited long enough (or all, at the end). */
  const expire = (all: boolean) => {
    while (head < tail) {
      const b = batchOf(head);
      const i = head - b.base;
      if (b.matched[i] === 0) {
        const passedAt = b.passedAt[i]!;
        if (!(all || (passedAt >= 0 && (pulsarCount - passedAt > window || tail - head > window)))) break;
        missing(head, b.batch.offsets[i]!, b.before[i]);
      }
      head++;
    }
    if (passScan < head) passScan = head;
    while (first < pending.length && pending[first]!.base + pending[first]!.batch.count <= head) {
      pending[first++] = undefined as unknown as Pending;
    }
    if (first > 64 && first * 2 > pending.length) {
      pending.splice(0, first);
      first = 0;
    }
  };

  const pullUntil = async (o: number, at: PulsarCoordinates) => {
    while (!kafkaDone && highestK < o) {
      const r = await input.kafka.next();
      if (r.done) {
        kafkaDone = true;
        break;
      }
      const batch = r.value;
      const n = batch.count;
      if (n === 0) continue;
      const p: Pending = {
        batch,
        base: tail,
        matched: new Uint8Array(n),
        passedAt: new Float64Array(n).fill(-1),
        before: [],
      };
      for (let i = 0; i < n && batch.offsets[i]! < o; i++) {
        p.passedAt[i] = pulsarCount;
        p.before[i] = at;
      }
      pending.push(p);
      tail += n;
      highestK = batch.offsets[n - 1]!;
      counts.kafkaRecords += n;
      expire(false);
    }
  };

  /** Ordinal of the pending record with offset `o`, or -1. */
  const find = (o: number): number => {
    if (head >= tail) return -1;
    // Lockstep, the common case: the first record waiting.
    const b0 = batchOf(head);
    if (b0.batch.offsets[head - b0.base] === o) return head;
    let lo = head;
    let hi = tail - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = batchOf(mid);
      const v = b.batch.offsets[mid - b.base]!;
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
    for (let m = 0; m < batch.count; m++) {
      const o = batch.offset(m);
      if (batch.misplaced(m)) {
        counts.pulsarMessages++;
        pulsarCount++;
        const source = batch.source(m);
        findings.add(
          {
            kind: 'misplaced',
            topic,
            partition,
            pulsar: batch.coordinates(m),
            kafka: kafkaCoordinates(source.topic, source.partition, o),
            detail: `message from Kafka ${source.topic}[${source.partition}]@${o} found in the Pulsar topic mapped to ${topic}[${partition}]`,
          },
          counts,
        );
        continue;
      }
      if (o >= end) break pulsar;
      if (!inRange(o)) continue;
      counts.pulsarMessages++;
      pulsarCount++;
      if (!kafkaDone && highestK < o) await pullUntil(o, batch.coordinates(m));
      const n = find(o);
      const p = n >= 0 ? batchOf(n) : undefined;
      const i = p ? n - p.base : -1;
      if (!p || p.matched[i] === 1) {
        const again = p !== undefined || recent[o % window] === o;
        findings.add(
          {
            kind: again ? 'duplicate' : 'extra',
            topic,
            partition,
            kafka: kafkaCoordinates(topic, partition, o),
            pulsar: batch.coordinates(m),
            detail: again
              ? `Kafka offset ${o} is in Pulsar a second time`
              : `Pulsar holds Kafka offset ${o}, which Kafka does not hold`,
          },
          counts,
        );
        expire(false);
        continue;
      }
      p.matched[i] = 1;
      recent[o % window] = o;
      counts.matched++;
      if (p.batch.headerOrderUnknown?.[i] === 1 && fields.headers !== false) counts.headerOrderUnchecked++;
      if (passScan < n) {
        const at = batch.coordinates(m);
        for (let j = passScan; j < n; j++) {
          const q = batchOf(j);
          const k = j - q.base;
          if (q.matched[k] === 0 && q.passedAt[k]! < 0) {
            q.passedAt[k] = pulsarCount;
            q.before[k] = at;
          }
        }
      }
      if (n + 1 > passScan) passScan = n + 1;
      if (o < maxMatched) {
        findings.add(
          {
            kind: 'order',
            topic,
            partition,
            kafka: kafkaCoordinates(topic, partition, o),
            pulsar: batch.coordinates(m),
            detail: `Kafka offset ${o} comes after offset ${maxMatched} in Pulsar`,
          },
          counts,
        );
      } else {
        maxMatched = o;
      }
      if (!(quick && batch.same(p.batch, i, m))) {
        const diffs = fieldDivergences(p.batch.record(i), batch.side(m), input.pulsarTopic, fields);
        const list = Array.isArray(diffs) ? diffs : await diffs;
        for (const d of list)
          findings.add(
            {
              ...d,
              topic,
              partition,
              kafka: kafkaCoordinates(topic, partition, o),
              pulsar: batch.coordinates(m),
            },
            counts,
          );
      }
      expire(false);
    }
  }

  // Pulsar has nothing more in range: whatever Kafka still holds is missing.
  expire(true);
  while (!kafkaDone) {
    const r = await input.kafka.next();
    if (r.done) break;
    const b = r.value;
    counts.kafkaRecords += b.count;
    for (let i = 0; i < b.count; i++) missing(tail++, b.offsets[i]!, undefined);
  }
  flushRun();
}
