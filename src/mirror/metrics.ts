// Prometheus metrics of the mirror (prom-client): records, bytes, duplicates and dead letters mirrored,
// lag per partition (Kafka end offset − mirrored), Pulsar send latency, paused partitions and errors.
// A MirrorObserver, so the run loop only calls cheap synchronous methods once per batch.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { K2pError } from '../errors.js';
import type { MirrorObserver, StoredBatch } from './mirror.js';

export class MirrorMetrics implements MirrorObserver {
  readonly registry: Registry;
  private readonly records: Counter<'topic' | 'partition'>;
  private readonly bytes: Counter<'topic' | 'partition'>;
  private readonly duplicates: Counter<'topic' | 'partition'>;
  private readonly deadLetters: Counter<'topic' | 'partition'>;
  private readonly lag: Gauge<'topic' | 'partition'>;
  private readonly paused: Gauge<'topic' | 'partition'>;
  private readonly errors: Counter<'event' | 'code'>;
  private readonly sendLatency: Histogram<'topic'>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const labelNames = ['topic', 'partition'] as const;
    this.records = new Counter({ name: 'k2p_mirror_records_total', help: 'Kafka records stored in Pulsar (duplicates recognised by deduplication excluded)', labelNames, registers });
    this.bytes = new Counter({ name: 'k2p_mirror_bytes_total', help: 'Kafka record value bytes handled', labelNames, registers });
    this.duplicates = new Counter({ name: 'k2p_mirror_duplicates_total', help: 'Records Pulsar already had (re-read after a crash or rebalance) and did not store again', labelNames, registers });
    this.deadLetters = new Counter({ name: 'k2p_mirror_dead_letters_total', help: 'Records that could not be mapped, written to the dead-letter topic', labelNames, registers });
    this.lag = new Gauge({ name: 'k2p_mirror_lag_records', help: 'Kafka end offset minus the next offset to mirror, per partition', labelNames, registers });
    this.paused = new Gauge({ name: 'k2p_mirror_partition_paused', help: '1 while a partition is paused at a record it cannot map', labelNames, registers });
    this.errors = new Counter({ name: 'k2p_mirror_errors_total', help: 'Errors met by the mirror (recovered or not), by event and code', labelNames: ['event', 'code'], registers });
    this.sendLatency = new Histogram({
      name: 'k2p_mirror_pulsar_send_seconds',
      help: 'Time from handing a Kafka batch to the Pulsar producer until every record is acknowledged',
      labelNames: ['topic'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  batchStored(batch: StoredBatch, stats: { bytes: number; duplicates: number; deadLetters: number; sendMs: number; nextOffset: bigint }): void {
    const labels = { topic: batch.topic, partition: String(batch.partition) };
    this.records.inc(labels, (batch.count ?? batch.records.length) - stats.duplicates);
    this.bytes.inc(labels, stats.bytes);
    if (stats.duplicates > 0) this.duplicates.inc(labels, stats.duplicates);
    if (stats.deadLetters > 0) this.deadLetters.inc(labels, stats.deadLetters);
    this.lag.set(labels, Math.max(0, Number(batch.highWatermark - stats.nextOffset)));
    this.sendLatency.observe({ topic: batch.topic }, stats.sendMs / 1000);
  }

  partitionPaused(topic: string, partition: number, error: K2pError): void {
    this.paused.set({ topic, partition: String(partition) }, 1);
    this.errors.inc({ event: 'partition-paused', code: error.code });
  }

  partitionResumed(topic: string, partition: number): void {
    this.paused.set({ topic, partition: String(partition) }, 0);
  }

  error(event: string, error: Error): void {
    this.errors.inc({ event, code: (error as Partial<K2pError>).code ?? 'unknown' });
  }

  /** The text exposition format for GET /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
