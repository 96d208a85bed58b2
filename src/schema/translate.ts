// Registry schema id (+ Protobuf message indexes) → Pulsar schema, one translator per format. Cached per key:
// a registry id never changes, so its translation is made once.
import { K2pError } from '../errors.js';
import { avroToPulsar } from './avro.js';
import { jsonSchemaToPulsar } from './json-schema.js';
import { protobufToPulsar } from './protobuf.js';
import type { PulsarSchemaInfo } from './pulsar-schema.js';
import type { RegistryClient, ResolvedSchema } from './registry-client.js';

export interface Translation {
  registered: ResolvedSchema;
  pulsar: PulsarSchemaInfo;
}

export function translateSchema(schema: ResolvedSchema, messageIndexes: readonly number[] = [0]): PulsarSchemaInfo {
  switch (schema.schemaType) {
    case 'AVRO':
      return avroToPulsar(schema);
    case 'JSON':
      return jsonSchemaToPulsar(schema);
    case 'PROTOBUF':
      return protobufToPulsar(schema, messageIndexes);
    default:
      throw new K2pError('K2P_SCH_TRANSLATE', `schema id ${schema.id} has type ${String(schema.schemaType)}, which has no Pulsar translation`, { schemaId: schema.id });
  }
}

export class SchemaTranslator {
  private readonly cache = new Map<string, Promise<Translation>>();

  constructor(readonly registry: RegistryClient) {}

  /** The Pulsar schema for a registry id; failures are not cached (the registry client caches lookups). */
  translate(schemaId: number, messageIndexes: readonly number[] = [0]): Promise<Translation> {
    const key = `${schemaId}/${messageIndexes.join('.')}`;
    let p = this.cache.get(key);
    if (!p) {
      p = (async () => {
        const registered = await this.registry.resolve(await this.registry.schemaById(schemaId));
        return { registered, pulsar: translateSchema(registered, messageIndexes) };
      })();
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }
}
