// Route kafka's writes through our own Kafka producer (src/kafka/wire/producer.ts) instead of kafkajs: one
// idempotent producer per lane, each with its own connections. A send's records are grouped per partition in
// their order (one record batch each); every record's offset is its batch's base offset plus its place in it.
import { K2pError } from '../../errors.js';
import { KafkaCluster } from '../../kafka/wire/cluster.js';
import type { ConnectionSettings } from '../../kafka/wire/connection.js';
import { KafkaWireProducer, type PartitionBatch } from '../../kafka/wire/producer.js';
import type { PlacedRecord, RecordResult } from '../records.js';
import { CODES, RestError } from '../rest-error.js';

export interface WireSettings {
  brokers: readonly string[];
  settings: ConnectionSettings;
}

/** A failure of our producer as the REST Proxy reports it (the same codes kafkaFailure gives kafkajs's). */
export function wireFailure(err: unknown): RestError {
  if (!(err instanceof K2pError)) return new RestError(CODES.KAFKA_ERROR, err instanceof Error ? err.message : String(err));
  if (err.details.kafkaError === 'UNKNOWN_TOPIC_OR_PARTITION') return new RestError(CODES.TOPIC_NOT_FOUND, err.message);
  return new RestError(err.canRetry ? CODES.KAFKA_RETRIABLE : CODES.KAFKA_ERROR, err.message);
}

export class WireWriter {
  private readonly lanes: { cluster: KafkaCluster; producer: KafkaWireProducer }[] = [];

  constructor(private readonly wire: WireSettings) {}

  private lane(lane: number): KafkaWireProducer {
    let made = this.lanes[lane];
    if (!made) {
      const cluster = new KafkaCluster(this.wire.brokers, this.wire.settings);
      made = this.lanes[lane] = { cluster, producer: new KafkaWireProducer(cluster) };
    }
    return made.producer;
  }

  /** One send of a lane's records (see KafkaSide.write). Never throws. */
  async write(topic: string, lane: number, records: readonly PlacedRecord[]): Promise<RecordResult[]> {
    const byPartition = new Map<number, PlacedRecord[]>();
    for (const r of records) {
      const list = byPartition.get(r.partition);
      if (list) list.push(r);
      else byPartition.set(r.partition, [r]);
    }
    const batches: PartitionBatch[] = [];
    for (const [partition, list] of byPartition) batches.push({ partition, records: list });
    const outcomes = await this.lane(lane).send(topic, batches);
    const base = new Map<number, number | RestError>();
    for (const o of outcomes) base.set(o.partition, o.error ? wireFailure(o.error) : o.baseOffset);
    const next = new Map<number, number>();
    const out = new Array<RecordResult>(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const b = base.get(r.partition)!;
      if (b instanceof RestError) {
        out[i] = { partition: r.partition, offset: null, timestamp: r.timestamp, error: b };
        continue;
      }
      const offset = next.get(r.partition) ?? b;
      next.set(r.partition, offset + 1);
      out[i] = { partition: r.partition, offset: BigInt(offset), timestamp: r.timestamp };
    }
    return out;
  }

  close(): void {
    for (const l of this.lanes.splice(0)) l.cluster.close();
  }
}
