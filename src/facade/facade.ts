// The facade's domain: topics behind their routes. Produce, metadata and offsets for the HTTP routes of
// both API versions; route changes with the switch-over described in docs/facade.md.
import type { RecordMappingOptions } from '../mirror/record-mapping.js';
import { isK2pError } from '../errors.js';
import type { KafkaSide } from './kafka/kafka-side.js';
import { partitionForKey } from './murmur2.js';
import type { PulsarSide } from './pulsar/pulsar-side.js';
import { lastSequenceId } from './pulsar/positions.js';
import { PulsarWriter } from './pulsar/pulsar-writer.js';
import { DualWriter } from './dual-writer.js';
import type { IncomingRecord, PartitionInfo, PartitionOffsets, PlacedRecord, RecordResult } from './records.js';
import { CODES, RestError, partitionNotFound, topicNotFound } from './rest-error.js';
import type { Route, RouteTable, TopicRoute } from './route-table.js';
import { TopicGates } from './gates.js';
import { isInternalTopic } from '../config/index.js';
import type { ConsumerInstances } from './consumers/instances.js';
import type { EmbeddedSchemas } from './schema/embedded-schemas.js';

export interface FacadeCoreOptions {
  /** How long a flip to pulsar waits for Pulsar to hold everything Kafka holds (the mirror catching up). */
  flipTimeoutMs?: number;
}

function mappingOptions(r: TopicRoute): RecordMappingOptions {
  const m = r.mapping!;
  return { provenance: m.provenance, headerEncoding: m.headers.encoding, binaryKeys: m.keys.binary };
}

/** The highest partition a request names (a partition added since the count was read is looked up). */
function highestPartition(records: readonly IncomingRecord[]): number | undefined {
  let max: number | undefined;
  for (const r of records) if (r.partition !== undefined && (max === undefined || r.partition > max)) max = r.partition;
  return max;
}

export class FacadeCore {
  readonly gates = new TopicGates();
  private readonly roundRobin = new Map<string, number>();
  /** Route dual: Kafka, then Pulsar in Kafka's order, concurrent requests coalesced. */
  readonly dual: DualWriter;
  private readonly flipTimeoutMs: number;
  /** v2 consumer instances (set by facadeCore; absent in a core built by hand without them). */
  consumers?: ConsumerInstances;
  /** Embedded schema formats and schema topics on Pulsar (set by facadeCore). */
  schemas?: EmbeddedSchemas;

  constructor(
    readonly routes: RouteTable,
    readonly kafka: KafkaSide,
    readonly pulsar: PulsarSide,
    options: FacadeCoreOptions = {},
  ) {
    this.flipTimeoutMs = options.flipTimeoutMs ?? 60_000;
    this.dual = new DualWriter(kafka, pulsar);
  }

  /** Topic names clients see: Kafka's topics (internal ones hidden) and mapped topics on route pulsar. */
  async listTopics(): Promise<string[]> {
    const names = [...(await this.kafka.topicNames())].filter((t) => !isInternalTopic(t));
    return names.sort();
  }

  /** Partition count on the side that holds the topic's truth (Kafka for kafka and dual). */
  async partitionCount(r: TopicRoute, partition?: number): Promise<number | undefined> {
    return r.route === 'pulsar' ? this.pulsar.partitions(r.pulsarTopic!) : this.kafka.partitions(r.topic, partition);
  }

  async partitions(topic: string): Promise<PartitionInfo[]> {
    const r = this.routes.lookup(topic);
    const parts = r.route === 'pulsar' ? await this.pulsar.metadata(r.pulsarTopic!) : await this.kafka.metadata(topic);
    if (!parts) throw topicNotFound(topic);
    return parts;
  }

  async partition(topic: string, partition: number): Promise<PartitionInfo> {
    const p = (await this.partitions(topic)).find((x) => x.partition === partition);
    if (!p) throw partitionNotFound(topic, partition);
    return p;
  }

  async offsets(topic: string, partition: number): Promise<PartitionOffsets> {
    await this.partition(topic, partition);
    const r = this.routes.lookup(topic);
    return r.route === 'pulsar' ? this.pulsar.offsets(r.pulsarTopic!, partition) : this.kafka.offsets(topic, partition);
  }

  private place(topic: string, records: readonly IncomingRecord[], count: number, now: number): PlacedRecord[] {
    return records.map((r) => {
      let partition = r.partition;
      if (partition === undefined) {
        if (r.key !== null) partition = partitionForKey(r.key, count);
        else {
          const n = ((this.roundRobin.get(topic) ?? -1) + 1) % count;
          this.roundRobin.set(topic, n);
          partition = n;
        }
      } else if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
        throw partitionNotFound(topic, partition);
      }
      // Fields named, not spread: a spread copies slowly, and this runs per record.
      return { key: r.key, value: r.value, headers: r.headers, partition, timestamp: r.timestamp ?? now };
    });
  }

  /**
   * Writes a request's records to the topic's route. Everything is checked first (topic, partitions, the
   * record mapping): a refused request writes nothing. Per-record failures come back in the results.
   */
  async produce(topic: string, records: readonly IncomingRecord[]): Promise<RecordResult[]> {
    return (await this.enqueue(topic, records)).done;
  }

  /**
   * `produce` in two steps: resolves once the request's records are checked and queued on the route's writer
   * (a refused request throws and writes nothing), with `done` for their results. Requests of a topic queued
   * one after the other keep that order per partition, so a caller can queue its next request while the
   * previous one waits for the broker (v3 streams).
   */
  async enqueue(topic: string, records: readonly IncomingRecord[]): Promise<{ done: Promise<RecordResult[]> }> {
    await this.gates.pass(topic).catch((err: unknown) => {
      throw err instanceof RestError ? err : new RestError(CODES.KAFKA_RETRIABLE, `topic ${topic} is switching routes: ${(err as Error).message}`);
    });
    const r = this.routes.lookup(topic);
    const leave = this.gates.enter(topic);
    try {
      const count = await this.partitionCount(r, highestPartition(records));
      if (count === undefined) throw topicNotFound(topic);
      const placed = this.place(topic, records, count, Date.now());
      if (r.route !== 'kafka') {
        this.checkMapping(r, placed);
        await this.schemas?.forPulsar(r, placed);
      }
      let done: Promise<RecordResult[]>;
      switch (r.route) {
        case 'kafka':
          done = this.kafka.produce(topic, placed);
          break;
        case 'pulsar':
          done = (await this.pulsar.enqueue(topic, r.pulsarTopic!, 'pulsar', placed, mappingOptions(r))).done;
          break;
        case 'dual':
          done = this.dual.produce(topic, r.pulsarTopic!, placed, mappingOptions(r));
          break;
      }
      done.then(leave, leave);
      return { done };
    } catch (err) {
      leave();
      throw err;
    }
  }

  private checkMapping(r: TopicRoute, placed: readonly PlacedRecord[]): void {
    const options = mappingOptions(r);
    for (const rec of placed) {
      try {
        rec.checked = PulsarWriter.message(r.topic, rec, 0n, options, false);
      } catch (err) {
        if (isK2pError(err)) throw new RestError(CODES.INVALID_PAYLOAD, `a record cannot be written to Pulsar: ${err.message}`);
        throw err;
      }
    }
  }

  /**
   * Changes a topic's route. New requests wait while in-flight ones finish; a flip to pulsar then waits
   * until Pulsar holds every offset Kafka has (the mirror caught up), and continues numbering after it.
   */
  async setRoute(topic: string, route: Route): Promise<{ topic: string; route: Route; previous: Route }> {
    const previous = this.routes.lookup(topic).route;
    const next = this.routes.setRoute(topic, route);
    const r = this.routes.lookup(topic);
    await this.gates.close(topic, async () => {
      await this.gates.idle(topic);
      await this.dual.idle(topic);
      if (route === 'kafka') {
        if (r.pulsarTopic) await this.pulsar.drop(r.pulsarTopic);
        return;
      }
      if (route === 'dual') {
        await this.pulsar.prepare(r.pulsarTopic!, 'dual');
        return;
      }
      // → pulsar
      if (previous === 'pulsar') return;
      const ends = await this.kafka.endOffsets(topic);
      await this.waitCaughtUp(r.pulsarTopic!, ends);
      await this.pulsar.prepare(r.pulsarTopic!, 'pulsar', ends);
    });
    return { topic, route, previous: next };
  }

  private async waitCaughtUp(pulsarTopic: string, ends: Map<number, bigint>): Promise<void> {
    const deadline = Date.now() + this.flipTimeoutMs;
    for (const [partition, end] of ends) {
      if (end === 0n) continue;
      const physical = await this.pulsar.physical(pulsarTopic, partition);
      for (;;) {
        const last = await lastSequenceId(this.pulsar.client, this.pulsar.admin, physical);
        if (last >= end - 1n) break;
        if (Date.now() > deadline) {
          throw new RestError(CODES.BROKER_NOT_AVAILABLE, `Pulsar ${physical} holds offsets up to ${last}, Kafka up to ${end - 1n}: is the mirror running?`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  async close(): Promise<void> {
    await this.consumers?.close().catch(() => undefined);
    await Promise.allSettled([this.kafka.close(), this.pulsar.close()]);
  }
}
