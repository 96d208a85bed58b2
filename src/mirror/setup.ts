// From loaded config files to what the mirror needs: clients per connector, the Kafka topics selected by
// the mappings with their targets, and the provisioning plan. Used by `k2p plan`, `k2p apply`, `k2p mirror`.
import type { GatewayConfig, KafkaConnector, PulsarConnector, TopicMapping } from '../config/index.js';
import { resolveTopic, targetTopic } from '../config/index.js';
import { K2pError } from '../errors.js';
import { KafkajsAdmin, checkKafkaTls, kafkaClient, type TopicConfig } from '../kafka/index.js';
import type { Kafka } from 'kafkajs';
import { PulsarAdmin } from '../pulsar/admin/index.js';
import { PulsarClient, tokenAuth } from '../pulsar/client/index.js';
import { applyPlan, KnownState, planTopic, type SourceTopic, type TopicPlan } from './provision.js';
import { mappingConverter } from './schema-converter.js';
import type { MirroredTopic } from './mirror.js';

/** One Kafka cluster mirrored into one Pulsar cluster (a mapping file's source → target). */
export interface MirrorPair {
  source: KafkaConnector;
  target: PulsarConnector;
  kafka: Kafka;
  pulsar: PulsarClient;
  admin: PulsarAdmin;
  plans: TopicPlan[];
  topics: MirroredTopic[];
}

function connector<K extends 'kafka' | 'pulsar'>(config: GatewayConfig, name: string, kind: K) {
  const c = config.connectors[name];
  if (!c || c.kind !== kind) {
    throw new K2pError('K2P_CFG_INVALID', `connector "${name}" is not a ${kind} connector`, { connector: name, expected: kind });
  }
  return c as K extends 'kafka' ? KafkaConnector : PulsarConnector;
}

export function pulsarClients(target: PulsarConnector): { pulsar: PulsarClient; admin: PulsarAdmin } {
  const tls = target.tls?.ca ? { ca: target.tls.ca } : undefined;
  return {
    pulsar: new PulsarClient({ serviceUrl: target.serviceUrl, auth: target.token ? tokenAuth(target.token) : undefined, tls }),
    admin: new PulsarAdmin({ url: target.adminUrl, token: target.token }),
  };
}

/** Source → target pairs named by the mapping files, each with its clients (not yet connected). */
export function mirrorPairs(config: GatewayConfig): Omit<MirrorPair, 'plans' | 'topics'>[] {
  const seen = new Map<string, Omit<MirrorPair, 'plans' | 'topics'>>();
  for (const m of config.mappings) {
    const key = `${m.source}→${m.target}`;
    if (seen.has(key)) continue;
    const source = connector(config, m.source, 'kafka');
    const target = connector(config, m.target, 'pulsar');
    seen.set(key, { source, target, kafka: kafkaClient({ ...source, brokers: [...source.brokers], sasl: source.sasl ? { ...source.sasl } : undefined }), ...pulsarClients(target) });
  }
  return [...seen.values()];
}

const checked = new WeakSet<object>();

/**
 * Before anything else, once per pair: the Kafka broker's certificate is trusted (kafkajs would retry a TLS
 * failure for minutes) and the Pulsar broker accepts the connection, its TLS and its token. A refusal is a
 * K2pError naming the connector (K2P_KFK_TLS, K2P_PLS_AUTH, K2P_PLS_TLS); Kafka's SASL refusal comes from
 * the admin's connect as K2P_KFK_AUTH. Messages and details never hold a secret.
 */
export async function checkConnectors(pair: Pick<MirrorPair, 'source' | 'target'>): Promise<void> {
  await checkKafkaTls(pair.source);
  const name = pair.target.name;
  // A client of its own, closed here: a caller that gives up on a later error has no connection left open.
  const { pulsar } = pulsarClients(pair.target);
  try {
    // Authenticates on connect; a role without lookup permission on this topic still proves the token good.
    await pulsar.partitions('persistent://public/default/k2p-connector-check');
  } catch (err) {
    if (!(err instanceof K2pError)) throw err;
    const details = { ...err.details, connector: name, serviceUrl: pair.target.serviceUrl };
    const serverError = err.details.serverError;
    if (serverError === 'AuthorizationError') return;
    if (serverError === 'AuthenticationError') {
      const why = pair.target.token ? 'refused the token' : 'requires a token and the connector has none';
      throw new K2pError('K2P_PLS_AUTH', `${name}: the Pulsar broker ${why} (${err.message})`, details, { cause: err });
    }
    if (/certificate|self[- ]signed|altnames/i.test(err.message)) {
      throw new K2pError('K2P_PLS_TLS', `${name}: the Pulsar broker's TLS certificate is not trusted: ${err.message} (check the connector's tls.ca)`, details, { cause: err });
    }
    throw new K2pError(err.code, `${name}: ${err.message}`, details, { cause: err, canRetry: err.canRetry });
  } finally {
    await pulsar.close();
  }
}

/** A Pulsar admin refusal (401/403) as K2P_PLS_AUTH naming the connector; other errors unchanged. */
function pulsarAdminAuth(target: PulsarConnector, err: unknown): unknown {
  if (!(err instanceof K2pError) || err.code !== 'K2P_PLS_ADMIN' || (err.details.status !== 401 && err.details.status !== 403)) return err;
  return new K2pError('K2P_PLS_AUTH', `${target.name}: the Pulsar admin API refused the connector's token: ${err.message}`, { ...err.details, connector: target.name, adminUrl: target.adminUrl }, { cause: err });
}

/** Reads both clusters (changes nothing) and plans every selected topic of a pair. */
export async function planPair(config: GatewayConfig, pair: Omit<MirrorPair, 'plans' | 'topics'>): Promise<MirrorPair> {
  if (!checked.has(pair.kafka)) {
    await checkConnectors(pair);
    checked.add(pair.kafka);
  }
  const kafkaAdmin = new KafkajsAdmin(pair.kafka, pair.source.name);
  await kafkaAdmin.connect();
  try {
    const selected: { name: string; mapping: TopicMapping }[] = [];
    for (const name of await kafkaAdmin.listTopics()) {
      const mapping = resolveTopic(config, pair.source.name, name);
      if (mapping && mapping.target === pair.target.name) selected.push({ name, mapping });
    }
    const names = selected.map((s) => s.name);
    const partitions = names.length > 0 ? await kafkaAdmin.partitionCounts(names) : new Map<string, number>();
    const configs = names.length > 0 ? await kafkaAdmin.topicConfigs(names) : new Map<string, TopicConfig>();
    const known = new KnownState(pair.admin);
    const plans: TopicPlan[] = [];
    const topics: MirroredTopic[] = [];
    for (const { name, mapping } of selected) {
      const c: Record<string, string | undefined> = configs.get(name)?.values ?? {};
      const source: SourceTopic = {
        name,
        partitions: partitions.get(name) ?? 1,
        retentionMs: numberOf(c['retention.ms']),
        retentionBytes: numberOf(c['retention.bytes']),
        cleanupPolicy: c['cleanup.policy'],
        maxMessageBytes: numberOf(c['max.message.bytes']),
      };
      const target = targetTopic(mapping, name);
      const deadLetter = mapping.deadLetter !== undefined ? targetTopic({ to: mapping.deadLetter }, name) : undefined;
      const plan = await planTopic(pair.admin, source, target, known, deadLetter).catch((err: unknown) => {
        throw pulsarAdminAuth(pair.target, err);
      });
      plans.push(plan);
      const topic: MirroredTopic = {
        source: name,
        target,
        persistent: plan.persistent,
        partitions: source.partitions,
        // Pulsar 4.0/4.1 cannot compact compressed batches (see PartitionWriterOptions.compression).
        ...(source.cleanupPolicy?.split(',').includes('compact') ? { compression: 'NONE' as const } : {}),
        mapping: { provenance: mapping.provenance, headerEncoding: mapping.headers.encoding, binaryKeys: mapping.keys.binary },
      };
      if (deadLetter !== undefined) topic.deadLetter = deadLetter;
      const converter = mappingConverter(config, mapping, topic, pair.pulsar, pair.admin);
      if (converter) topic.converter = converter;
      topics.push(topic);
    }
    return { ...pair, plans, topics };
  } finally {
    await kafkaAdmin.close();
  }
}

function numberOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export async function closePair(pair: Pick<MirrorPair, 'pulsar'>): Promise<void> {
  await pair.pulsar.close();
}

/**
 * For Mirror.discover: re-reads the Kafka topic list and answers the current set. A topic not seen before is
 * provisioned; a known topic whose Kafka partition count grew has its plan applied again (which adds the
 * Pulsar partitions) before the answer reaches the mirror, so no record of a new partition flows before its
 * Pulsar partition exists. A count that cannot match (Pulsar has more) is thrown as planTopic's
 * K2P_MIRROR_CONFIG; the mirror logs it and keeps the previous set.
 */
export function discoverer(config: GatewayConfig, pair: MirrorPair): () => Promise<MirroredTopic[]> {
  /** Kafka topic → partition count provisioned on Pulsar. */
  const provisioned = new Map(pair.plans.map((p) => [p.source.name, p.source.partitions]));
  for (const t of pair.topics) if (!provisioned.has(t.source)) provisioned.set(t.source, t.partitions ?? 0);
  return async () => {
    const now = await planPair(config, pair);
    for (const plan of now.plans) {
      const known = provisioned.get(plan.source.name);
      if (known !== undefined && plan.source.partitions <= known) continue;
      await applyPlan(pair.admin, plan);
      provisioned.set(plan.source.name, plan.source.partitions);
    }
    // Deleted topics are forgotten: one created again under the same name is provisioned again.
    for (const name of [...provisioned.keys()]) if (!now.topics.some((t) => t.source === name)) provisioned.delete(name);
    return now.topics;
  };
}
