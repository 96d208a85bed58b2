// Producer lanes: routes kafka and dual write partition p of every topic through lane p % lanes, each lane with
// its own Kafka producer (own connection, own producer id) and its own batcher per topic. kafkajs's idempotent
// producer keeps one produce request in flight per broker, so one producer caps a topic at one broker round trip
// at a time; with lanes, sends of different lanes are in flight together, while each partition still has exactly
// one writer with one send in flight (offsets exact, order kept). A request is split by lane, in its order.
// More lanes mean more, smaller sends: that pays when the broker's round trip is long and CPU is spare, and
// costs where CPU is the limit (the local stack on 2 cores: bench:facade with 4 lanes was slower on every route,
// docs/facade.md). Hence one lane by default.
import type { SendBatcher } from './batcher.js';
import type { PlacedRecord, RecordResult } from './records.js';

/** Kafka producers of the facade by default (partition p goes through lane p % lanes). */
export const PRODUCER_LANES = 1;

/**
 * Submits a request's records to the lane(s) they belong to (synchronously, so requests keep their arrival
 * order in each lane) and puts the results back in the request's order. A request of one lane (every
 * single-record request) is submitted as it is.
 */
export function submitByLane(records: readonly PlacedRecord[], lanes: number, submit: (lane: number, records: readonly PlacedRecord[]) => Promise<RecordResult[]>): Promise<RecordResult[]> {
  if (lanes === 1) return submit(0, records);
  const first = records.length === 0 ? 0 : records[0]!.partition % lanes;
  let mixed = false;
  for (let i = 1; i < records.length && !mixed; i++) mixed = records[i]!.partition % lanes !== first;
  if (!mixed) return submit(first, records);
  const parts = new Map<number, { records: PlacedRecord[]; at: number[] }>();
  records.forEach((r, i) => {
    const lane = r.partition % lanes;
    let part = parts.get(lane);
    if (!part) parts.set(lane, (part = { records: [], at: [] }));
    part.records.push(r);
    part.at.push(i);
  });
  const out = new Array<RecordResult>(records.length);
  const sent = [...parts].map(([lane, part]) =>
    submit(lane, part.records).then((results) => {
      results.forEach((res, j) => (out[part.at[j]!] = res));
    }),
  );
  return Promise.all(sent).then(() => out);
}

/** Per topic, one batcher per lane, made on first use. */
export class LaneBatchers<T, R> {
  private readonly byTopic = new Map<string, SendBatcher<T, R>[]>();

  constructor(private readonly make: (topic: string) => SendBatcher<T, R>) {}

  /** The batcher of a topic's lane. */
  get(topic: string, lane: number): SendBatcher<T, R> {
    let lanes = this.byTopic.get(topic);
    if (!lanes) this.byTopic.set(topic, (lanes = []));
    return (lanes[lane] ??= this.make(topic));
  }

  /** Sends made and requests carried for a topic so far, all lanes added up (undefined: none yet). */
  stats(topic: string): { sends: number; requests: number } | undefined {
    const lanes = this.byTopic.get(topic);
    if (!lanes) return undefined;
    const sum = { sends: 0, requests: 0 };
    for (const b of lanes) {
      sum.sends += b?.stats.sends ?? 0;
      sum.requests += b?.stats.requests ?? 0;
    }
    return sum;
  }

  /** Resolves once no request of the topic is queued or in flight in any lane. */
  async idle(topic: string): Promise<void> {
    await Promise.all((this.byTopic.get(topic) ?? []).map((b) => b?.idle()));
  }

  /** Resolves once every topic's lanes are idle (failures ignored: for closing). */
  async idleAll(): Promise<void> {
    await Promise.allSettled([...this.byTopic.keys()].map((t) => this.idle(t)));
  }
}
