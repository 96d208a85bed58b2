// startFacade(config, options): clients from the connector files, the route table from the mappings, the
// HTTP server listening. Used by `k2p facade` (and later `k2p serve`).
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { GatewayConfig, KafkaConnector, PulsarConnector, RedisConnector } from '../config/index.js';
import { RedisOffsetIndex } from '../offsets/offset-index.js';
import { ConsumerInstances } from './consumers/instances.js';
import { MemoryInstanceStore, type InstanceStore } from './consumers/instance-store.js';
import { PulsarFeeds } from './consumers/pulsar-feeds.js';
import { RedisInstanceStore } from './consumers/redis-instance-store.js';
import { K2pError } from '../errors.js';
import { kafkaClient } from '../kafka/index.js';
import { PulsarAdmin } from '../pulsar/admin/index.js';
import { PulsarClient, tokenAuth } from '../pulsar/client/index.js';
import { FacadeCore, type FacadeCoreOptions } from './facade.js';
import { connectionSettings } from '../kafka/wire/from-connector.js';
import { KAFKA_PRODUCER, KafkaSide, type KafkaProducerKind } from './kafka/kafka-side.js';
import { PulsarSide } from './pulsar/pulsar-side.js';
import { RouteTable } from './route-table.js';
import { EmbeddedSchemas } from './schema/embedded-schemas.js';
import { buildFacadeApp, type FacadeHttpOptions } from './server.js';

export interface StartFacadeOptions extends FacadeHttpOptions, FacadeCoreOptions {
  port?: number;
  host?: string;
  /** The Kafka connector served; default: the `source` of the mapping files (they must agree). */
  source?: string;
  /**
   * The redis connector holding consumer-instance state (shared by gateway processes); default: the only
   * redis connector. Without one, instances live in this process only.
   */
  redis?: string;
  /** Idle consumer instances expire after this (ms); default 300,000 (Confluent's consumer.instance.timeout.ms). */
  consumerInstanceTimeoutMs?: number;
  /** Key prefix of consumer-instance state in Redis; default `k2p:facade:consumers:`. */
  consumerKeyPrefix?: string;
  /** Kafka producers the routes kafka and dual write through (partition p by lane p % lanes); default PRODUCER_LANES. */
  producerLanes?: number;
  /** The Kafka producer of routes kafka and dual: kafkajs's or ours (`wire`); default KAFKA_PRODUCER. */
  kafkaProducer?: KafkaProducerKind;
}

export interface RunningFacade {
  app: FastifyInstance;
  core: FacadeCore;
  url: string;
  close(): Promise<void>;
}

function pick<K extends 'kafka' | 'pulsar'>(config: GatewayConfig, name: string, kind: K): K extends 'kafka' ? KafkaConnector : PulsarConnector {
  const c = config.connectors[name];
  if (!c || c.kind !== kind) throw new K2pError('K2P_CFG_INVALID', `connector "${name}" is not a ${kind} connector`, { connector: name, expected: kind });
  return c as K extends 'kafka' ? KafkaConnector : PulsarConnector;
}

/** The facade's domain object from loaded config (no server). */
export function facadeCore(config: GatewayConfig, options: Pick<StartFacadeOptions, 'source' | 'flipTimeoutMs' | 'redis' | 'consumerInstanceTimeoutMs' | 'consumerKeyPrefix' | 'producerLanes' | 'kafkaProducer'> = {}): FacadeCore {
  const sources = [...new Set(config.mappings.map((m) => m.source))];
  const source = options.source ?? sources[0];
  if (!source) throw new K2pError('K2P_CFG_INVALID', 'the facade needs a mapping file (its source names the Kafka connector)', {});
  const targets = [...new Set(config.mappings.filter((m) => m.source === source).map((m) => m.target))];
  if (targets.length !== 1) throw new K2pError('K2P_CFG_INVALID', `the facade serves one Pulsar cluster; mappings of ${source} name ${targets.length}`, { targets });
  const k = pick(config, source, 'kafka');
  const p = pick(config, targets[0]!, 'pulsar');
  const connector = { ...k, brokers: [...k.brokers], sasl: k.sasl ? { ...k.sasl } : undefined };
  const kafka = kafkaClient(connector);
  const tls = p.tls?.ca ? { ca: p.tls.ca } : undefined;
  const client = new PulsarClient({ serviceUrl: p.serviceUrl, auth: p.token ? tokenAuth(p.token) : undefined, tls });
  const admin = new PulsarAdmin({ url: p.adminUrl, token: p.token });
  // Our own producer writes through its own connections, built from the same connector.
  const wire = (options.kafkaProducer ?? KAFKA_PRODUCER) === 'wire' ? { brokers: connector.brokers, settings: connectionSettings(connector) } : undefined;
  const core = new FacadeCore(new RouteTable(config, source), new KafkaSide(kafka, options.producerLanes, wire), new PulsarSide(client, admin), options);
  const redisConnectors = Object.values(config.connectors).filter((c): c is RedisConnector => c.kind === 'redis');
  const rc = options.redis !== undefined ? redisConnectors.find((c) => c.name === options.redis) : redisConnectors.length === 1 ? redisConnectors[0] : undefined;
  if (options.redis !== undefined && !rc) throw new K2pError('K2P_CFG_INVALID', `no redis connector named "${options.redis}"`, { connector: options.redis });
  let store: InstanceStore = new MemoryInstanceStore();
  let feeds = new PulsarFeeds(client, admin);
  if (rc) {
    const redis = new Redis(rc.url, { password: rc.password, maxRetriesPerRequest: 3 });
    redis.on('error', () => undefined); // each command's failure reaches its request (K2P_HTTP_CONSUMER_STORE)
    store = new RedisInstanceStore(redis, options.consumerKeyPrefix);
    feeds = new PulsarFeeds(client, admin, new RedisOffsetIndex(redis));
  }
  core.schemas = new EmbeddedSchemas(config, { client, admin });
  core.consumers = new ConsumerInstances(core, store, feeds, { instanceTimeoutMs: options.consumerInstanceTimeoutMs });
  const close = core.close.bind(core);
  core.close = async () => {
    await close();
    await client.close();
  };
  return core;
}

export async function startFacade(config: GatewayConfig, options: StartFacadeOptions = {}): Promise<RunningFacade> {
  const core = facadeCore(config, options);
  const app = buildFacadeApp(core, options);
  const url = await app.listen({ port: options.port ?? 8082, host: options.host ?? '127.0.0.1' });
  return {
    app,
    core,
    url,
    async close() {
      await app.close();
      await core.close();
    },
  };
}
