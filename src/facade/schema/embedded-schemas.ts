// The Schema Registry side of the facade's embedded formats (avro, jsonschema, protobuf):
// - produce: the writer schema of a key or value — by id, by subject version, by schema text (registered under
//   `<topic>-key` / `<topic>-value`, TopicNameStrategy, as Confluent's proxy does) — and the Confluent-framed
//   bytes of a JSON value (magic 0, 4-byte id, [Protobuf message indexes,] body);
// - consume: framed bytes (Kafka, or Pulsar topics holding them as they are) and Pulsar messages carrying a
//   schema version (what the mirror writes for `schema: registry`) back to JSON values;
// - routes pulsar and dual: the Pulsar message fields the mirror's converter gives each record
//   (src/mirror/schema-converter.ts: header stripped, translated schema registered, its version on the message),
//   so the facade writes what the mirror would write and `k2p verify` pairs the two sides.
import protobuf from 'protobufjs';
import descriptorModule from 'protobufjs/ext/descriptor.js';
import avro from 'avsc';
import type { GatewayConfig, RegistryConnector } from '../../config/index.js';
import { isK2pError } from '../../errors.js';
import { mappingConverter } from '../../mirror/schema-converter.js';
import type { PulsarAdmin } from '../../pulsar/admin/index.js';
import type { PulsarClient } from '../../pulsar/client/index.js';
import { encodeMessageIndexes, frameHeader, isFramed, readFrame, readProtobufFrame, RegistryClient, type ResolvedSchema } from '../../schema/index.js';
import type { PlacedRecord } from '../records.js';
import type { TopicRoute } from '../route-table.js';
import { CODES, RestError } from '../rest-error.js';
import { bodyCodec, conversionFailed, FORMAT_OF, protobufJson, REGISTRY_TYPE, type BodyCodec, type SchemaFormat } from './codecs.js';

/** How a request names the writer schema of a key or a value. */
export interface SchemaSpec {
  /** Schema text (registered under the subject when new). */
  schema?: string;
  id?: number;
  /** A version of the subject (v3 `schema_version`); 'latest' when nothing else names the schema (v3). */
  version?: number | 'latest';
  /** Default `<topic>-key` / `<topic>-value`. */
  subject?: string;
}

export interface WriterSchema {
  id: number;
  format: SchemaFormat;
  subject?: string;
  version?: number;
  codec: BodyCodec;
  /** Magic byte, schema id and (Protobuf) message indexes [0]. */
  header: Buffer;
}

/** A failure of the schema path as the REST Proxy answers it. */
export function schemaFailure(err: unknown, what: string): RestError {
  if (err instanceof RestError) return err;
  if (isK2pError(err)) {
    const why = err.message.replace(/^K2P_[A-Z_]+: /, '');
    switch (err.code) {
      case 'K2P_SCH_UNKNOWN_ID':
      case 'K2P_SCH_TRANSLATE':
      case 'K2P_SCH_INCOMPATIBLE':
        return new RestError(CODES.INVALID_SCHEMA, `Invalid schema: ${what}: ${why}`);
      case 'K2P_SCH_REGISTRY':
        return new RestError(CODES.SCHEMA_REGISTRY, `${what}: schema registry error: ${why}`);
      case 'K2P_SCH_FRAME':
      case 'K2P_SCH_BODY':
        return new RestError(CODES.INVALID_PAYLOAD, `${what}: ${why}`);
      default:
        break;
    }
  }
  throw err;
}

const descriptor = descriptorModule as unknown as { FileDescriptorSet: { decode(b: Uint8Array): unknown; toObject(m: unknown, o: object): unknown } };

/** The promise cached under `key`, made once; a failed one is forgotten so the next call asks again. */
function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = make();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

export class EmbeddedSchemas {
  private readonly registries = new Map<string, RegistryClient>();
  private readonly codecs = new Map<string, Promise<{ schema: ResolvedSchema; codec: BodyCodec }>>();
  private readonly registered = new Map<string, Promise<number>>();
  private readonly versions = new Map<string, Promise<{ version: number } | undefined>>();
  private readonly pulsarDecoders = new Map<string, Promise<(body: Buffer) => unknown>>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly pulsar?: { client: PulsarClient; admin: PulsarAdmin },
  ) {}

  /** The registry of a topic: its mapping file's `registry`, else the config's only schema-registry connector. */
  registry(route: TopicRoute): RegistryClient {
    const named = route.mapping?.registry;
    const all = Object.values(this.config.connectors).filter((c): c is RegistryConnector => c.kind === 'schema-registry');
    const connector = named !== undefined ? (this.config.connectors[named] as RegistryConnector | undefined) : all.length === 1 ? all[0] : undefined;
    if (!connector || connector.kind !== 'schema-registry') {
      throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `topic ${route.topic}: the avro, jsonschema and protobuf formats need a schema-registry connector (none ${named !== undefined ? `named ${named}` : 'or several'} in the config)`);
    }
    let client = this.registries.get(connector.name);
    if (!client) {
      client = new RegistryClient({ url: connector.url, basicAuth: connector.basicAuth ? { ...connector.basicAuth } : undefined });
      this.registries.set(connector.name, client);
    }
    return client;
  }

  /** True when the config has a registry the embedded schema formats can use. */
  get available(): boolean {
    return Object.values(this.config.connectors).some((c) => c.kind === 'schema-registry');
  }

  private codec(registry: RegistryClient, id: number, indexes: readonly number[]): Promise<{ schema: ResolvedSchema; codec: BodyCodec }> {
    return once(this.codecs, `${registry.url}\u0000${id}\u0000${indexes.join('.')}`, async () => {
      const schema = await registry.resolve(await registry.schemaById(id));
      return { schema, codec: bodyCodec(schema, indexes) };
    });
  }

  /**
   * The writer schema a request names for a key or a value of `format` (undefined: whatever the registry says,
   * v3 without a type). 42205 for an unknown id or an invalid schema, 40801 when the registry cannot be asked.
   */
  async writer(route: TopicRoute, isKey: boolean, format: SchemaFormat | undefined, spec: SchemaSpec, withVersion = false): Promise<WriterSchema> {
    const what = isKey ? 'key schema' : 'value schema';
    const subject = spec.subject ?? `${route.topic}-${isKey ? 'key' : 'value'}`;
    try {
      const registry = this.registry(route);
      let id = spec.id;
      let version: number | undefined;
      if (id === undefined && spec.schema !== undefined) {
        if (format === undefined) throw new RestError(CODES.BAD_REQUEST, `${what}: a schema given as text needs its type`);
        id = await this.register(registry, subject, format, spec.schema);
      } else if (id === undefined) {
        const sv = await registry.subjectVersion(subject, spec.version ?? 'latest');
        id = sv.id;
        version = sv.version;
      }
      const { schema, codec } = await this.codec(registry, id, [0]);
      const actual = FORMAT_OF[schema.schemaType];
      if (format !== undefined && actual !== format) throw new RestError(CODES.INVALID_SCHEMA, `Invalid schema: ${what}: schema id ${id} is a ${schema.schemaType} schema, not ${REGISTRY_TYPE[format]}`);
      const header = actual === 'protobuf' ? Buffer.concat([frameHeader(id), encodeMessageIndexes([0])]) : frameHeader(id);
      const out: WriterSchema = { id, format: actual, codec, header };
      // v3 reports name the subject and the schema's version there, when the subject holds it (as Confluent's).
      if (version === undefined && withVersion) version = (await this.versionIn(registry, subject, schema))?.version;
      if (version !== undefined) Object.assign(out, { subject, version });
      return out;
    } catch (err) {
      throw schemaFailure(err, what);
    }
  }

  private versionIn(registry: RegistryClient, subject: string, schema: ResolvedSchema): Promise<{ version: number } | undefined> {
    return once(this.versions, `${registry.url}\u0000${subject}\u0000${schema.id}`, () => registry.lookup(subject, schema));
  }

  private register(registry: RegistryClient, subject: string, format: SchemaFormat, text: string): Promise<number> {
    const type = REGISTRY_TYPE[format];
    // Parsed once per text (clients send the same schema with every request), before the registry sees it:
    // an invalid schema is refused with its parser's reason, not the registry's guess.
    return once(this.registered, `${registry.url}\u0000${subject}\u0000${type}\u0000${text}`, async () => {
      bodyCodec({ id: 0, schemaType: type, schema: text, references: [], resolved: [] });
      return registry.register(subject, text, type);
    });
  }

  /** A JSON value in the framed bytes of a writer schema (42203 when it does not fit). */
  static encode(writer: WriterSchema, value: unknown, what: string): Buffer | null {
    if (value === undefined || value === null) return null;
    return Buffer.concat([writer.header, writer.codec.encode(value, what)]);
  }

  /** Framed bytes (registry wire format) → the JSON value of `format`; 42203 when they are not. */
  async decodeFramed(route: TopicRoute, format: SchemaFormat, bytes: Buffer, what: string): Promise<unknown> {
    if (!isFramed(bytes)) throw conversionFailed(what, format, 'the bytes are not in the schema registry wire format (magic byte 0, schema id)');
    const registry = this.registry(route);
    const id = readFrame(bytes).schemaId;
    try {
      const first = await this.codec(registry, id, [0]);
      if (FORMAT_OF[first.schema.schemaType] !== format) throw conversionFailed(what, format, `schema id ${id} is a ${first.schema.schemaType} schema`);
      if (format !== 'protobuf') return first.codec.decode(bytes.subarray(5));
      const frame = readProtobufFrame(bytes);
      const { codec } = await this.codec(registry, id, frame.messageIndexes);
      return codec.decode(bytes.subarray(frame.bodyOffset));
    } catch (err) {
      if (err instanceof RestError) throw err;
      if (isK2pError(err) && err.code === 'K2P_SCH_REGISTRY') throw schemaFailure(err, what);
      throw conversionFailed(what, format, (err as Error).message.replace(/^K2P_[A-Z_]+: /, ''));
    }
  }

  /**
   * A Pulsar message body written with a schema version (as the mirror writes registry topics: header
   * stripped) → its JSON value, decoded with the topic's Pulsar schema of that version.
   */
  async decodePulsar(physicalTopic: string, schemaVersion: Buffer, format: SchemaFormat, body: Buffer, what: string): Promise<unknown> {
    const decoder = once(this.pulsarDecoders, `${physicalTopic}\u0000${schemaVersion.toString('hex')}`, () => this.pulsarDecoder(physicalTopic, schemaVersion));
    try {
      return (await decoder)(body);
    } catch (err) {
      if (err instanceof RestError || (isK2pError(err) && err.canRetry)) throw err;
      throw conversionFailed(what, format, (err as Error).message.replace(/^K2P_[A-Z_]+: /, ''));
    }
  }

  private async pulsarDecoder(physicalTopic: string, schemaVersion: Buffer): Promise<(body: Buffer) => unknown> {
    if (!this.pulsar) throw new RestError(CODES.INTERNAL, 'no Pulsar client for schema lookups');
    const found = await this.pulsar.client.schemas.get(physicalTopic, schemaVersion);
    if (!found) throw new RestError(CODES.JSON_CONVERSION, `the Pulsar topic ${physicalTopic} has no schema version ${schemaVersion.toString('hex')}`);
    const { type } = found.schema;
    const data = Buffer.from(found.schema.schemaData).toString('utf8');
    const name = String(type);
    if (/avro/i.test(name)) {
      const t = avro.Type.forSchema(JSON.parse(data) as avro.Schema);
      return (body) => JSON.parse(t.toString(t.fromBuffer(body))) as unknown;
    }
    if (/protobuf/i.test(name)) {
      const d = JSON.parse(data) as { fileDescriptorSet: string; rootMessageTypeName: string };
      const set = descriptor.FileDescriptorSet.toObject(descriptor.FileDescriptorSet.decode(Buffer.from(d.fileDescriptorSet, 'base64')), { arrays: true });
      const root = (protobuf.Root as unknown as { fromDescriptor(x: unknown): protobuf.Root }).fromDescriptor(set);
      const t = root.lookupType(d.rootMessageTypeName);
      return (body) => protobufJson(t, t.decode(body));
    }
    return (body) => JSON.parse(body.toString('utf8')) as unknown;
  }

  /**
   * Routes pulsar and dual: what the mirror's converter makes of each record of a topic whose mapping
   * translates schemas (`schema: registry | string | json`), set on the record as `pulsar`. One refused record
   * refuses the request (422, nothing written); a registry that cannot be reached answers 40801.
   */
  async forPulsar(route: TopicRoute, records: PlacedRecord[]): Promise<void> {
    const mapping = route.mapping;
    if (!mapping || mapping.schema === 'bytes' || !this.pulsar || !route.pulsarTopic) return;
    const target = route.pulsarTopic;
    const options = { provenance: mapping.provenance, headerEncoding: mapping.headers.encoding, binaryKeys: mapping.keys.binary };
    let converted;
    try {
      const converter = mappingConverter(this.config, mapping, { source: route.topic, target, persistent: target.startsWith('persistent://'), mapping: options }, this.pulsar.client, this.pulsar.admin);
      if (!converter) return;
      converted = await converter.convert(
        records.map((r) => ({ topic: route.topic, partition: r.partition, offset: '0', key: r.key, value: r.value, timestamp: String(r.timestamp), headers: r.headers })),
      );
    } catch (err) {
      throw schemaFailure(err, `topic ${route.topic}`);
    }
    converted.forEach((c, i) => {
      if (!c.ok) throw schemaFailure(c.error, `records[${i}] cannot be written to Pulsar as the mirror writes ${route.topic}`);
    });
    converted.forEach((c, i) => {
      if (!c.ok) return;
      const m = c.message;
      const fields: NonNullable<PlacedRecord['pulsar']> = { payload: m.payload };
      if (m.schemaVersion) fields.schemaVersion = m.schemaVersion;
      if (m.key !== undefined) fields.key = m.key;
      if (m.orderingKey !== undefined) fields.orderingKey = m.orderingKey;
      records[i]!.pulsar = fields;
    });
  }
}
