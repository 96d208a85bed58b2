// verify(): prove that Pulsar holds what Kafka holds. Mirror mode pairs records by Kafka offset, partition
// for partition; dual-write mode pairs them by identity. Then mapped groups' positions. Streams both sides:
// memory stays bounded per partition whatever the topics' sizes.
import { randomInt } from 'node:crypto';
import { K2pError } from '../errors.js';
import { partitionExtents } from './bounds.js';
import { verifyDualTopic } from './dual-topic.js';
import type { FieldOptions } from './fields.js';
import { Findings } from './findings.js';
import { verifyMirrorTopic } from './mirror-topic.js';
import type { TopicPair, VerifyOptions } from './options.js';
import { checkPositions } from './positions.js';
import { rangeOf, rangeRecords, type OffsetRange } from './ranges.js';
import { planSample, sampleReport } from './sampling.js';
import { clusterPairs, type ClusterPair } from './targets.js';
import type { Counts, Divergence, PositionCheck, SampleReport, TopicSummary, VerifyReport } from './types.js';
import { schemaAwareValues } from './schema-values.js';
import { bytesComparator, type ValueComparator } from './values.js';

function fieldOptions(options: VerifyOptions, pair: TopicPair, schemaValues?: (pair: TopicPair) => ValueComparator | undefined): FieldOptions {
  const value = options.valueComparatorFor?.(pair) ?? options.valueComparator ?? schemaValues?.(pair) ?? bytesComparator;
  const out: FieldOptions = { value, ...options.compare };
  if (options.mode === 'dual-write')
    out.ignoreHeaders = new Set([options.dualWrite?.identityHeader ?? 'k2p-id']);
  return out;
}

function validate(options: VerifyOptions): void {
  const bad = (message: string, details: Record<string, unknown>) =>
    new K2pError('K2P_VERIFY_INPUT', message, details);
  if (options.mode === 'dual-write' && options.sample)
    throw bad('sampling works in mirror mode only (dual-write pairs records by identity, not offset)', {
      mode: options.mode,
    });
  if (options.maxDivergences !== undefined && !(options.maxDivergences >= 0))
    throw bad('maxDivergences must be >= 0', { maxDivergences: options.maxDivergences });
  if (options.sample && !(options.sample.windows >= 1))
    throw bad('a sample needs at least one window', { windows: options.sample.windows });
  if (options.sample?.windowSize !== undefined && !(options.sample.windowSize >= 1))
    throw bad('windowSize must be >= 1', { windowSize: options.sample.windowSize });
  const c = options.sample?.confidence;
  if (c !== undefined && !(c > 0 && c < 1))
    throw bad('confidence must be between 0 and 1', { confidence: c });
}

/** Which sampled windows hold a divergence: `partition:window` keys (other divergences count one each). */
function windowCounter(
  plans: Map<number, OffsetRange[]>,
  bases: Map<number, bigint>,
  topic: string,
  size: number,
): { observe(d: Divergence): void; count(): number } {
  const hit = new Set<string>();
  let other = 0;
  return {
    observe(d) {
      if (d.topic !== topic) return;
      const k = d.kafka;
      const ranges = k && k.topic === topic ? plans.get(k.partition) : undefined;
      if (k && ranges && rangeOf(ranges, BigInt(k.offset)) >= 0)
        hit.add(`${k.partition}:${(BigInt(k.offset) - (bases.get(k.partition) ?? 0n)) / BigInt(size)}`);
      else other++;
    },
    count: () => hit.size + other,
  };
}

export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  validate(options);
  const startedAt = new Date();
  const findings = new Findings(options.maxDivergences ?? 20);
  const clusters = await clusterPairs(options);
  const live: Counts[] = [];
  let current = '';
  let planned = 0;
  const progress = () =>
    options.onProgress?.({
      topic: current,
      records: live.reduce((n, c) => n + c.kafkaRecords, 0),
      plannedRecords: planned,
      divergences: findings.count,
      elapsedMs: Date.now() - startedAt.getTime(),
    });
  const ticker = options.onProgress ? setInterval(progress, options.progressIntervalMs ?? 1000) : undefined;
  const topics: TopicSummary[] = [];
  const positions: PositionCheck[] = [];
  const samples: SampleReport[] = [];
  const seed = options.sample?.seed ?? randomInt(2 ** 31);
  // Registry topics of a config compare decoded values unless the caller gives a comparator: Kafka holds the
  // registry's wire format, Pulsar the schema's own encoding (docs/verify.md, "Values of schema topics").
  const custom = options.valueComparatorFor !== undefined || options.valueComparator !== undefined;
  const schemaValues = new Map<ClusterPair, ReturnType<typeof schemaAwareValues>>();
  if (!custom) for (const c of clusters) if (c.config && c.pairs.some((p) => p.schema === 'registry')) schemaValues.set(c, schemaAwareValues(c.config));
  try {
    for (const cluster of clusters) {
      for (const pair of cluster.pairs) {
        current = pair.kafkaTopic;
        topics.push(await verifyTopic(cluster, pair));
      }
      const wanted = options.positions ?? true;
      if (wanted !== false)
        positions.push(
          ...(await checkPositions(cluster, typeof wanted === 'object' ? wanted.groups : undefined)),
        );
    }
  } finally {
    if (ticker) clearInterval(ticker);
    await Promise.allSettled([...clusters.filter((c) => c.owned).map((c) => c.pulsar.close()), ...[...schemaValues.values()].map((v) => v.close())]);
  }
  progress();
  for (const p of positions) {
    if (p.ok) continue;
    findings.add({
      kind: 'position',
      topic: p.topic,
      partition: p.partition,
      kafka: { topic: p.topic, partition: p.partition, offset: p.kafkaCommitted },
      ...(p.pulsarMessageId ? { pulsar: { topic: p.pulsarTopic, messageId: p.pulsarMessageId } } : {}),
      detail: p.detail,
    });
  }
  const report: VerifyReport = {
    mode: options.mode ?? 'mirror',
    identical: findings.count === 0,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    topics,
    positions,
    divergences: findings.listed,
    divergenceCount: findings.count,
    headerOrderUnchecked: topics.reduce((n, t) => n + t.headerOrderUnchecked, 0),
  };
  if (options.sample) report.samples = samples;
  return report;

  async function verifyTopic(cluster: ClusterPair, pair: TopicPair): Promise<TopicSummary> {
    const extents = await partitionExtents(
      cluster.kafka,
      cluster.source ?? cluster.name,
      pair.kafkaTopic,
      options.from,
      options.to,
    );
    const fields = fieldOptions(options, pair, schemaValues.get(cluster)?.comparatorFor);
    const track = (c: Counts) => live.push(c);
    if (options.mode === 'dual-write') {
      planned += Number(extents.reduce((n, e) => n + (e.range.to - e.range.from), 0n));
      return verifyDualTopic({
        cluster,
        pair,
        extents,
        fields,
        findings,
        dualWrite: options.dualWrite ?? {},
        startedAt: startedAt.getTime(),
        track,
        readTimeoutMs: options.readTimeoutMs,
        kafkaThread: options.kafkaThread,
      });
    }
    let plans = new Map(extents.map((e) => [e.partition, [e.range]]));
    const sample = options.sample ? planSample(extents, options.sample, seed) : undefined;
    const windows = sample
      ? windowCounter(
          sample.plans,
          new Map(extents.map((e) => [e.partition, e.range.from])),
          pair.kafkaTopic,
          sample.windowSize,
        )
      : undefined;
    if (sample) plans = sample.plans;
    planned += Number([...plans.values()].reduce((n, r) => n + rangeRecords(r), 0n));
    findings.observer = windows?.observe;
    try {
      const summary = await verifyMirrorTopic({
        cluster,
        pair,
        partitionCount: extents.length,
        plans,
        fields,
        findings,
        window: options.window,
        settleMs: options.settleMs,
        readTimeoutMs: options.readTimeoutMs,
        kafkaThread: options.kafkaThread,
        pulsarThread: options.pulsarThread,
        track,
      });
      if (sample && windows)
        samples.push(
          sampleReport(pair.kafkaTopic, sample, windows.count(), options.sample?.confidence ?? 0.95),
        );
      return summary;
    } finally {
      findings.observer = undefined;
    }
  }
}
