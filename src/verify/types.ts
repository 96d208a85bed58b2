// What a verification reports: per topic and partition summaries, the first divergences with coordinates on
// both sides, group positions, and (when sampling) the confidence the sample gives. Plain data, JSON-ready
// (offsets and ids as strings).

/** Where a record is in Kafka. */
export interface KafkaCoordinates {
  topic: string;
  partition: number;
  offset: string;
}

/** Where a message is in Pulsar: the partition topic and the message id (`ledger:entry:partition:batchIndex`). */
export interface PulsarCoordinates {
  topic: string;
  messageId: string;
}

export type DivergenceKind =
  /** In Kafka, not in Pulsar. */
  | 'missing'
  /** In Pulsar, not in Kafka (an offset Kafka does not hold, or an identity no Kafka record has). */
  | 'extra'
  /** A second copy of a record already seen. */
  | 'duplicate'
  /** Pulsar holds the record after one that follows it in Kafka. */
  | 'order'
  /** The message says (provenance) it comes from another Kafka topic or partition than the one mapped here. */
  | 'misplaced'
  /** The message cannot be turned back into a Kafka record (docs/record-mapping.md). */
  | 'unreadable'
  | 'key'
  | 'value'
  | 'headers'
  | 'timestamp'
  /** A mapped consumer group's committed Kafka offset and its Pulsar subscription disagree. */
  | 'position';

export interface Divergence {
  kind: DivergenceKind;
  /** The Kafka topic (and partition, in mirror mode) being compared. */
  topic: string;
  partition?: number;
  kafka?: KafkaCoordinates;
  pulsar?: PulsarCoordinates;
  /** For 'missing': the Pulsar message it should have come before (absent at the tail). */
  pulsarBefore?: PulsarCoordinates;
  /** One sentence: what differs. */
  detail: string;
}

export interface Counts {
  /** Kafka records read in range. */
  kafkaRecords: number;
  /** Pulsar messages read in range. */
  pulsarMessages: number;
  /** Pairs found on both sides (content compared). */
  matched: number;
  missing: number;
  extra: number;
  duplicate: number;
  order: number;
  misplaced: number;
  unreadable: number;
  key: number;
  value: number;
  headers: number;
  timestamp: number;
  /** Dual-write mode: unpaired records younger than the tolerance window (not divergences). */
  inFlight: number;
  /**
   * Pairs whose header order was not compared (not divergences): Kafka read with kafkajs alone, whose header
   * object cannot give these records' order; their headers were compared grouped by name (docs/verify.md).
   */
  headerOrderUnchecked: number;
}

export interface PartitionSummary extends Counts {
  topic: string;
  /** Kafka partition (mirror mode); -1 for a whole topic (dual-write mode). */
  partition: number;
  pulsarTopic: string;
  /** Kafka offset ranges compared, [from, to) each. */
  ranges: { from: string; to: string }[];
  identical: boolean;
}

export interface TopicSummary extends Counts {
  topic: string;
  pulsarTopic: string;
  partitions: PartitionSummary[];
  identical: boolean;
}

export interface PositionCheck {
  group: string;
  subscription: string;
  topic: string;
  partition: number;
  pulsarTopic: string;
  /** The group's committed offset (the next record it reads); "-1" when it has none. */
  kafkaCommitted: string;
  /** The Kafka offset of the next message the subscription delivers; Kafka's end offset when it is at the end; null when unknown. */
  pulsarNext: string | null;
  /** That message's id (absent at the end of the topic). */
  pulsarMessageId?: string;
  /** Mark-delete position as the broker reports it. */
  markDelete?: string;
  ok: boolean;
  detail: string;
}

export interface SampleReport {
  topic: string;
  /** Windows checked / windows in the population (every window of every partition sampled from). */
  windows: number;
  population: number;
  windowSize: number;
  partitionsSampled: number;
  partitionsTotal: number;
  recordsChecked: number;
  recordsTotal: number;
  confidence: number;
  /** Windows with at least one divergence among those checked. */
  divergentWindows: number;
  /**
   * With `confidence`, at most this many windows of the population hold a divergence (exact hypergeometric
   * bound from the windows checked).
   */
  maxDivergentWindows: number;
  statement: string;
}

export interface VerifyReport {
  mode: 'mirror' | 'dual-write';
  identical: boolean;
  startedAt: string;
  durationMs: number;
  topics: TopicSummary[];
  positions: PositionCheck[];
  /** The first `maxDivergences` divergences found, in the order found. */
  divergences: Divergence[];
  /** Every divergence found (also those not listed), position mismatches included. */
  divergenceCount: number;
  /** Pairs whose header order was not compared, all topics (Counts.headerOrderUnchecked); 0 with a Kafka connector. */
  headerOrderUnchecked: number;
  /** Set when the run was a sample: one per topic. */
  samples?: SampleReport[];
}

export function emptyCounts(): Counts {
  return {
    kafkaRecords: 0,
    pulsarMessages: 0,
    matched: 0,
    missing: 0,
    extra: 0,
    duplicate: 0,
    order: 0,
    misplaced: 0,
    unreadable: 0,
    key: 0,
    value: 0,
    headers: 0,
    timestamp: 0,
    inFlight: 0,
    headerOrderUnchecked: 0,
  };
}

export const DIVERGENCE_COUNTERS = [
  'missing',
  'extra',
  'duplicate',
  'order',
  'misplaced',
  'unreadable',
  'key',
  'value',
  'headers',
  'timestamp',
] as const;

export function divergencesIn(c: Counts): number {
  return DIVERGENCE_COUNTERS.reduce((n, k) => n + c[k], 0);
}

export function addCounts(into: Counts, from: Counts): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) into[k] += from[k];
}
