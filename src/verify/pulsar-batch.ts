// A batch of one Pulsar partition's messages as the comparison takes them. Two forms: PulsarSide objects
// (read in this thread, SideBatch) or one packed buffer read in a worker thread (PackedPulsarBatch,
// pulsar-pack.ts). The comparison asks per message only for its offset, whether it is misplaced and whether
// it is the same as a Kafka record; a PulsarSide is built only for a pair looked at closely.
import type { KafkaBatch, PulsarSide } from './records.js';
import { samePair } from './same-pair.js';
import type { PulsarCoordinates } from './types.js';

export interface PulsarBatch {
  readonly count: number;
  /** The Kafka offset message `i` stands for. */
  offset(i: number): number;
  /** True when its provenance names another Kafka topic or partition than the one compared. */
  misplaced(i: number): boolean;
  /** The Kafka topic and partition its provenance names (for a misplaced message). */
  source(i: number): { topic: string; partition: number };
  coordinates(i: number): PulsarCoordinates;
  /** True when it is Kafka record `k` of `kafka` field for field (false: cannot tell cheaply, or differs). */
  same(kafka: KafkaBatch, k: number, i: number): boolean;
  /** The message as a PulsarSide (built on demand by the packed form). */
  side(i: number): PulsarSide;
}

/** PulsarSide objects, as read in this thread. */
export class SideBatch implements PulsarBatch {
  constructor(
    private readonly sides: readonly PulsarSide[],
    private readonly topic: string,
    private readonly partition: number,
  ) {}

  get count(): number {
    return this.sides.length;
  }

  offset(i: number): number {
    return this.sides[i]!.offset;
  }

  misplaced(i: number): boolean {
    const p = this.sides[i]!;
    return p.sourceTopic !== undefined && (p.sourceTopic !== this.topic || p.sourcePartition !== this.partition);
  }

  source(i: number): { topic: string; partition: number } {
    const p = this.sides[i]!;
    return { topic: p.sourceTopic ?? '', partition: p.sourcePartition };
  }

  coordinates(i: number): PulsarCoordinates {
    const p = this.sides[i]!;
    return { topic: p.topic, messageId: p.message.id.toString() };
  }

  same(kafka: KafkaBatch, k: number, i: number): boolean {
    return samePair(kafka, k, this.sides[i]!);
  }

  side(i: number): PulsarSide {
    return this.sides[i]!;
  }
}

/** PulsarSide batches (one Kafka partition's comparison) as PulsarBatches. */
export function sideBatches(
  it: AsyncIterator<PulsarSide[]>,
  topic: string,
  partition: number,
): AsyncIterator<PulsarBatch> & { return(): Promise<IteratorResult<PulsarBatch>> } {
  return {
    next: async () => {
      const r = await it.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: new SideBatch(r.value, topic, partition) };
    },
    return: async () => {
      await it.return?.();
      return { done: true, value: undefined };
    },
  };
}
