// Values of schema topics (`schema: registry`): Kafka holds registry-framed values (magic byte, schema id,
// Protobuf message indexes, then the body), Pulsar holds the body with a schema version on the message. The
// two are the same value when the bodies are byte-identical AND the message's Pulsar schema is the
// translation of the registry schema named in the frame — same writer schema, same bytes, same decoded value —
// without decoding a single record.
import { matchesTopic, type GatewayConfig, type PulsarConnector, type RegistryConnector } from '../config/index.js';
import { PulsarClient, tokenAuth } from '../pulsar/client/index.js';
import { RegistryClient, SchemaTranslator, isFramed, readFrame, readProtobufFrame } from '../schema/index.js';
import type { TopicPair } from './options.js';
import { describeBytes, type ValueComparator, type ValueContext } from './values.js';

/** A comparator for one registry; schema checks are cached per (topic, schema id, Pulsar version). */
export function registryComparator(registry: RegistryClient, pulsar: PulsarClient): ValueComparator {
  const translator = new SchemaTranslator(registry);
  const types = new Map<number, Promise<string>>();
  const checked = new Map<string, string | undefined>(); // undefined: the version is the id's translation
  const pending = new Map<string, Promise<string | undefined>>();

  const schemaType = (id: number) => {
    let t = types.get(id);
    if (!t) {
      t = registry.schemaById(id).then((s) => s.schemaType);
      types.set(id, t);
      t.catch(() => types.delete(id));
    }
    return t;
  };

  const checkSchema = (id: number, indexes: readonly number[], context: ValueContext): string | undefined | Promise<string | undefined> => {
    if (!context.schemaVersion) return `the Pulsar message carries no schema version (registry schema id ${id} on Kafka)`;
    const key = `${context.pulsarTopic}\u0000${id}\u0000${indexes.join('.')}\u0000${context.schemaVersion.toString('hex')}`;
    if (checked.has(key)) return checked.get(key);
    let p = pending.get(key);
    if (!p) {
      p = (async () => {
        const [{ pulsar: expected }, stored] = await Promise.all([translator.translate(id, indexes), pulsar.schemas.get(context.pulsarTopic, context.schemaVersion)]);
        if (!stored) return `the Pulsar topic has no schema version ${context.schemaVersion!.toString('hex')}`;
        return Buffer.from(stored.schema.schemaData).equals(expected.data)
          ? undefined
          : `the message's Pulsar schema (version ${context.schemaVersion!.toString('hex')}) is not the translation of registry schema id ${id}`;
      })().then((verdict) => {
        checked.set(key, verdict);
        return verdict;
      });
      pending.set(key, p);
      p.catch(() => pending.delete(key));
    }
    return p;
  };

  return async (kafka, pulsarValue, context) => {
    if (kafka === null || pulsarValue === null) return describeBytes('value', kafka, pulsarValue);
    if (!isFramed(kafka)) return 'the Kafka value is not registry-framed (no magic byte 0 and schema id)';
    let frame = readFrame(kafka);
    let indexes: readonly number[] = [0];
    if ((await schemaType(frame.schemaId)) === 'PROTOBUF') {
      const pf = readProtobufFrame(kafka);
      frame = pf;
      indexes = pf.messageIndexes;
    }
    const body = describeBytes('value body (after the registry header)', kafka.subarray(frame.bodyOffset), pulsarValue);
    if (body) return body;
    return checkSchema(frame.schemaId, indexes, context);
  };
}

/**
 * verify()'s default for a config (when the caller gives no comparator): registry topics get a
 * registryComparator (one per registry connector), the others the byte comparison. `close()` ends the Pulsar
 * clients it opened.
 */
export function schemaAwareValues(config: GatewayConfig): { comparatorFor(pair: TopicPair): ValueComparator | undefined; close(): Promise<void> } {
  const comparators = new Map<string, ValueComparator>();
  const clients: PulsarClient[] = [];
  const forPair = (pair: TopicPair): ValueComparator | undefined => {
    if (pair.schema !== 'registry') return undefined;
    // The mapping file that takes this topic as a registry topic names the registry and the Pulsar cluster.
    const file = config.mappings.find((m) => m.registry !== undefined && m.topics.some((t) => t.schema === 'registry' && matchesTopic(t, pair.kafkaTopic)));
    const registryName = file?.registry;
    if (!file || registryName === undefined) return undefined;
    const key = `${registryName}\u0000${file.target}`;
    let c = comparators.get(key);
    if (!c) {
      const r = config.connectors[registryName] as RegistryConnector;
      const t = config.connectors[file.target] as PulsarConnector;
      const client = new PulsarClient({ serviceUrl: t.serviceUrl, auth: t.token ? tokenAuth(t.token) : undefined, tls: t.tls?.ca ? { ca: t.tls.ca } : undefined });
      clients.push(client);
      c = registryComparator(new RegistryClient({ url: r.url, basicAuth: r.basicAuth ? { ...r.basicAuth } : undefined }), client);
      comparators.set(key, c);
    }
    return c;
  };
  return {
    comparatorFor: forPair,
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
