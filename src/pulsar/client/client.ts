// The entry point: `const client = new PulsarClient({ serviceUrl: 'pulsar://localhost:6650' })`.
import { initCompression } from '../protocol/index.js';
import type { Authentication } from './auth.js';
import { ConnectionPool } from './connection-pool.js';
import type { TlsOptions } from './connection.js';
import { Consumer, type ConsumerOptions } from './consumer.js';
import { silentLogger, type ClientContext, type ClientLogger } from './context.js';
import { Lookup } from './lookup.js';
import { Producer, type ProducerOptions, type ProducerRoutingOptions } from './producer.js';
import { Reader, type ReaderOptions } from './reader.js';
import { parseServiceUrl } from './service-url.js';
import { SchemaClient } from './schema-client.js';
import { createSubscriptionAt, type SubscriptionStart } from './subscription-placer.js';

export interface PulsarClientOptions {
  /** pulsar://host:port[,host:port] or pulsar+ssl://host:port */
  serviceUrl: string;
  auth?: Authentication;
  tls?: TlsOptions;
  /** Per-request timeout (lookup, subscribe, producer creation...). Default 30 s. */
  operationTimeoutMs?: number;
  connectTimeoutMs?: number;
  keepAliveIntervalMs?: number;
  logger?: ClientLogger;
}

const CLIENT_VERSION = 'k2p-ts-0.1';

export class PulsarClient {
  private readonly ctx: ClientContext;
  private readonly pool: ConnectionPool;
  private readonly resources = new Set<{ close(): Promise<void> }>();
  private readonly ready: Promise<void>;
  readonly schemas: SchemaClient;

  constructor(options: PulsarClientOptions) {
    const addresses = parseServiceUrl(options.serviceUrl);
    const operationTimeoutMs = options.operationTimeoutMs ?? 30_000;
    this.pool = new ConnectionPool({
      auth: options.auth,
      tls: options.tls,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      operationTimeoutMs,
      keepAliveIntervalMs: options.keepAliveIntervalMs ?? 30_000,
      clientVersion: CLIENT_VERSION,
    });
    const lookup = new Lookup(this.pool, addresses);
    let producerIds = 0n;
    let consumerIds = 0n;
    const pool = this.pool;
    this.ctx = {
      lookup,
      pool,
      log: options.logger ?? silentLogger,
      operationTimeoutMs,
      nextProducerId: () => producerIds++,
      nextConsumerId: () => consumerIds++,
      async connectionFor(topic) {
        const owner = await lookup.topicOwner(topic);
        return pool.get(owner.physical, owner.logical);
      },
      track: (resource) => {
        this.resources.add(resource);
        return () => this.resources.delete(resource);
      },
    };
    this.schemas = new SchemaClient(this.ctx);
    // ZSTD's WebAssembly module loads once per process, in the background.
    this.ready = initCompression();
  }

  async createProducer(options: ProducerOptions & ProducerRoutingOptions): Promise<Producer> {
    await this.ready;
    return Producer.create(this.ctx, options);
  }

  async subscribe(options: ConsumerOptions): Promise<Consumer> {
    await this.ready;
    return Consumer.create(this.ctx, options);
  }

  async createReader(options: ReaderOptions): Promise<Reader> {
    await this.ready;
    return Reader.create(this.ctx, options);
  }

  /**
   * Creates (or moves) the durable subscription `subscription` on one topic or partition so that its next
   * message is `start`, without consuming anything. Refused by the broker while a consumer is attached.
   * Needs acknowledgmentAtBatchIndexLevelEnabled on the broker for a start inside a batch.
   */
  async createSubscriptionAt(topic: string, subscription: string, start: SubscriptionStart): Promise<void> {
    await this.ready;
    return createSubscriptionAt(this.ctx, topic, subscription, start);
  }

  /** Number of partitions of a topic (0 = not partitioned). */
  partitions(topic: string): Promise<number> {
    return this.ctx.lookup.partitions(topic);
  }

  /** Closes every producer, consumer and reader of this client, then its connections. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.resources].map((r) => r.close()));
    await this.pool.close();
  }
}
