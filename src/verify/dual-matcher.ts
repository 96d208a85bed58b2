// Dual-write mode: applications wrote each record to Kafka and to Pulsar themselves, so partitions and
// offsets do not correspond. Both sides are read in time order (Kafka timestamp, Pulsar publish time) and
// paired by identity. A record with no partner once the other side has read `toleranceMs` past it is
// missing (Kafka only) or extra (Pulsar only); one younger than the tolerance at the start of the run may
// still be in flight and is only counted. Memory: the records of one tolerance window.
import type { FieldOptions } from './fields.js';
import type { Findings } from './findings.js';
import { identityFunction } from './identity.js';
import type { DualWriteOptions } from './options.js';
import { coordinates } from './ordered-matcher.js';
import { fieldDivergences } from './pair.js';
import type { KafkaSide, PulsarSide } from './records.js';
import type { Timed } from './time-merge.js';
import type { Counts } from './types.js';

type Item = KafkaSide | PulsarSide;
const KAFKA = 0;

interface Entry {
  id: string;
  time: number;
  side: number;
  item: Item;
  done: boolean;
}

export interface DualMatchInput {
  topic: string;
  pulsarTopic: string;
  items: AsyncIterable<Timed<Item>>;
  dualWrite: DualWriteOptions;
  fields: FieldOptions;
  findings: Findings;
  counts: Counts;
  /** When the run started (ms): unpaired records younger than `startedAt - toleranceMs` are in flight. */
  startedAt: number;
}

function rawIdentityInput(p: PulsarSide) {
  return {
    key: p.message.keyBytes ?? null,
    value: p.message.nullValue ? null : p.message.payload,
    headers: [],
  };
}

export async function matchDual(input: DualMatchInput): Promise<void> {
  const { topic, findings, counts } = input;
  const tolerance = input.dualWrite.toleranceMs ?? 10_000;
  const identity = identityFunction(input.dualWrite);
  const waiting = [new Map<string, Entry[]>(), new Map<string, Entry[]>()];
  const queues: Entry[][] = [[], []];
  const heads = [0, 0];
  const recent = new Map<string, number>();
  const recentQueue: { id: string; time: number }[] = [];
  let recentHead = 0;

  const kafkaAt = (k: KafkaSide) => ({ topic: k.topic, partition: k.partition, offset: k.offset.toString() });
  const duplicate = (side: number, item: Item, id: string) =>
    findings.add(
      side === KAFKA
        ? { kind: 'duplicate', topic, kafka: kafkaAt(item as KafkaSide), detail: `identity ${id} is in Kafka a second time` }
        : { kind: 'duplicate', topic, pulsar: coordinates(item as PulsarSide), detail: `identity ${id} is in Pulsar a second time` },
      counts,
    );
  const unpaired = (e: Entry, inFlight: boolean) => {
    // A second copy read before its identity was paired (both copies ahead of the partner in time) waited
    // like any record; once the first copy is paired, it is that copy's duplicate, not a record of its own.
    if (recent.has(e.id)) {
      duplicate(e.side, e.item, e.id);
      return;
    }
    if (inFlight) {
      counts.inFlight++;
      return;
    }
    if (e.side === KAFKA) {
      const k = e.item as KafkaSide;
      findings.add(
        {
          kind: 'missing',
          topic,
          kafka: kafkaAt(k),
          detail: `Kafka ${k.topic}[${k.partition}]@${k.offset} (identity ${e.id}) is not in Pulsar`,
        },
        counts,
      );
    } else {
      const p = e.item as PulsarSide;
      findings.add(
        {
          kind: 'extra',
          topic,
          pulsar: coordinates(p),
          detail: `Pulsar message ${p.message.id} (identity ${e.id}) is not in Kafka`,
        },
        counts,
      );
    }
  };
  const expire = (now: number, all: boolean) => {
    for (const side of [0, 1]) {
      const q = queues[side]!;
      while (heads[side]! < q.length) {
        const e = q[heads[side]!]!;
        if (!e.done) {
          if (!all && e.time >= now - tolerance) break;
          e.done = true;
          const list = waiting[side]!.get(e.id)!;
          list.shift();
          if (list.length === 0) waiting[side]!.delete(e.id);
          unpaired(e, all && e.time >= input.startedAt - tolerance);
        }
        heads[side]!++;
      }
      if (heads[side]! > 4096 && heads[side]! * 2 > q.length) {
        q.splice(0, heads[side]);
        heads[side] = 0;
      }
    }
    while (recentHead < recentQueue.length && recentQueue[recentHead]!.time < now - tolerance) {
      const r = recentQueue[recentHead++]!;
      if (recent.get(r.id) === r.time) recent.delete(r.id);
    }
    if (recentHead > 4096 && recentHead * 2 > recentQueue.length) {
      recentQueue.splice(0, recentHead);
      recentHead = 0;
    }
  };

  for await (const { time, side, item } of input.items) {
    if (side === KAFKA) counts.kafkaRecords++;
    else counts.pulsarMessages++;
    const p = side === KAFKA ? undefined : (item as PulsarSide);
    const id = p
      ? identity(p.mapped instanceof Error ? rawIdentityInput(p) : p.mapped)
      : identity(item as KafkaSide);
    const other = waiting[1 - side]!.get(id);
    const partner = other?.find((e) => !e.done);
    if (partner) {
      partner.done = true;
      other!.splice(other!.indexOf(partner), 1);
      if (other!.length === 0) waiting[1 - side]!.delete(id);
      counts.matched++;
      recent.set(id, time);
      recentQueue.push({ id, time });
      const k = (side === KAFKA ? item : partner.item) as KafkaSide;
      const m = (side === KAFKA ? partner.item : item) as PulsarSide;
      if (k.headerOrderUnknown && input.fields.headers !== false) counts.headerOrderUnchecked++;
      const noEventTime = !(m.mapped instanceof Error) && m.mapped.timestamp === '-1';
      const fields = noEventTime ? { ...input.fields, timestamp: false } : input.fields;
      const diffs = fieldDivergences(k, m, m.topic, fields);
      for (const d of Array.isArray(diffs) ? diffs : await diffs)
        findings.add({ ...d, topic, kafka: kafkaAt(k), pulsar: coordinates(m) }, counts);
    } else if (recent.has(id)) {
      duplicate(side, item, id);
    } else {
      const e: Entry = { id, time, side, item, done: false };
      const list = waiting[side]!.get(id);
      if (list) list.push(e);
      else waiting[side]!.set(id, [e]);
      queues[side]!.push(e);
    }
    expire(time, false);
  }
  expire(Number.MAX_SAFE_INTEGER, true);
}
