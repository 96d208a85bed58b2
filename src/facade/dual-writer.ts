// Route dual: Kafka first, then Pulsar with sequence id = the Kafka offset, same partition. Partitions are
// written through producer lanes (src/facade/lanes.ts); concurrent requests of a topic's lane are coalesced
// (src/facade/batcher.ts): one Kafka send carries every request that arrived while the lane's previous one was in
// flight; its records are then handed to the Pulsar producer in Kafka's offset order before the lane's next
// Kafka send starts, so each Pulsar partition (written by one lane only) receives Kafka's order. The Pulsar
// acknowledgements are awaited per request, not per send: Kafka sends go on meanwhile.
import type { RecordMappingOptions } from '../mirror/record-mapping.js';
import { SendBatcher } from './batcher.js';
import { LaneBatchers, submitByLane } from './lanes.js';
import { MAX_SEND_RECORDS, recordWeight, splitResults, type KafkaSide } from './kafka/kafka-side.js';
import { pulsarFailure } from './pulsar/pulsar-writer.js';
import type { PulsarSide } from './pulsar/pulsar-side.js';
import type { PlacedRecord, RecordResult } from './records.js';

const SEND_LIMITS = { maxWeight: 512 * 1024, maxRequests: 4096, maxRecords: MAX_SEND_RECORDS };

interface DualRequest {
  records: readonly PlacedRecord[];
  pulsarTopic: string;
  options: RecordMappingOptions;
}

export class DualWriter {
  /** Per topic, one batcher per lane (the Kafka side's lanes). */
  private readonly batchers = new LaneBatchers<DualRequest, RecordResult[]>((topic) => new SendBatcher((requests) => this.send(topic, requests), SEND_LIMITS));

  constructor(
    private readonly kafka: KafkaSide,
    private readonly pulsar: PulsarSide,
  ) {}

  /**
   * Writes a request's records to both sides. Each result is Kafka's (the truth); a record Pulsar did not
   * take is reported failed (retriable) with Kafka's offset left out, so the client knows the sides differ.
   */
  produce(topic: string, pulsarTopic: string, records: readonly PlacedRecord[], options: RecordMappingOptions): Promise<RecordResult[]> {
    return submitByLane(records, this.kafka.lanes, (lane, part) => this.batchers.get(topic, lane).submit({ records: part, pulsarTopic, options }, recordWeight(part), part.length));
  }

  /** Sends and requests carried by a topic's batchers so far (all lanes). */
  batchStats(topic: string): { sends: number; requests: number } | undefined {
    return this.batchers.stats(topic);
  }

  /** Resolves once no request of the topic is queued or on its way to Pulsar's producer. */
  async idle(topic: string): Promise<void> {
    await this.batchers.idle(topic);
  }

  private async send(topic: string, requests: readonly DualRequest[]): Promise<{ results: Promise<RecordResult[][]> | RecordResult[][] }> {
    const records = requests.length === 1 ? requests[0]!.records : requests.flatMap((r) => r.records);
    const lists = requests.map((r) => r.records);
    const kafkaResults = await this.kafka.write(topic, records);
    const offsets = kafkaResults.map((k) => k.offset);
    if (!offsets.some((o) => o !== null)) return { results: splitResults(lists, kafkaResults) };
    // Every request of a topic has the same mapping (and Pulsar topic): the first one's stand for all.
    const { pulsarTopic, options } = requests[0]!;
    let pulsarDone: Promise<RecordResult[]>;
    try {
      pulsarDone = (await this.pulsar.enqueue(topic, pulsarTopic, 'dual', records, options, offsets)).done;
    } catch (err) {
      const error = pulsarFailure(err);
      pulsarDone = Promise.resolve(records.map((r) => ({ partition: r.partition, offset: null, timestamp: r.timestamp, error })));
    }
    return {
      results: pulsarDone.then((pulsarResults) =>
        splitResults(
          lists,
          kafkaResults.map((k, i) => (k.error || !pulsarResults[i]!.error ? k : { ...k, error: pulsarResults[i]!.error })),
        ),
      ),
    };
  }
}
