// Typed mirroring: a RecordConverter that gives each message a Pulsar schema version.
//   registry — values framed by a Confluent-compatible Schema Registry (magic 0 + schema id [+ Protobuf message
//              indexes]): the header is stripped, the body is left as it is (never decoded unless
//              validateBodies), the registry schema is translated and registered on the Pulsar topic
//              (GetOrCreateSchema) once per schema id, and each message carries that schema version.
//   string   — UTF-8 text required; a Pulsar STRING schema.
//   json     — the value must parse as JSON; with an Avro schema (avroSchema) each value is encoded as typed
//              Avro and the topic gets that AVRO schema, else the bytes go as they are.
// Per batch: one pass over the headers, one lookup per distinct schema id (cached), one pass to build messages.
// A record that cannot be carried is rejected with its reason (dead-letter topic or pause, see Mirror); only a
// registry that cannot be reached at all throws, so the whole batch is retried.
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import type { GatewayConfig, TopicMapping } from '../config/index.js';
import { K2pError, isK2pError } from '../errors.js';
import type { PulsarClient } from '../pulsar/client/index.js';
import { partitionTopic } from '../pulsar/client/index.js';
import {
  HEADER_BYTES,
  MAGIC_BYTE,
  RegistryClient,
  SchemaTranslator,
  avroBodyValid,
  avroType,
  protobufType,
  pulsarStrategy,
  readProtobufFrame,
  subjectName,
  topicSubjects,
  type PulsarSchemaInfo,
  type PulsarStrategy,
  type SubjectStrategy,
  type Translation,
} from '../schema/index.js';
import { rejection, type Converted, type RecordConverter } from './convert.js';
import { toPulsarMessage, type KafkaRecord, type RecordMappingOptions } from './record-mapping.js';

type SchemaArg = Parameters<PulsarClient['schemas']['getOrCreate']>[1];

/** What the converter needs of Pulsar: schema registration and (optionally) the topic's compatibility policy. */
export interface SchemaTarget {
  getOrCreate(topic: string, schema: PulsarSchemaInfo): Promise<Buffer>;
  setCompatibility?(topic: string, strategy: PulsarStrategy): Promise<void>;
}

/** A SchemaTarget over our Pulsar client and admin client. */
export function pulsarSchemaTarget(client: PulsarClient, admin?: { schemas: { setCompatibility(topic: string, strategy: string): Promise<void> } }): SchemaTarget {
  const target: SchemaTarget = {
    getOrCreate: (topic, info) => {
      const schema: SchemaArg = {
        name: info.name,
        schemaData: info.data,
        type: info.type,
        properties: Object.entries(info.properties).map(([key, value]) => ({ key, value })),
      };
      return client.schemas.getOrCreate(topic, schema);
    },
  };
  if (admin) target.setCompatibility = (topic, strategy) => admin.schemas.setCompatibility(topic, strategy);
  return target;
}

export type SchemaCompatibilitySetting = 'registry' | 'keep' | PulsarStrategy;

export interface SchemaConverterOptions {
  schema: 'registry' | 'string' | 'json';
  mapping: RecordMappingOptions;
  /** The Kafka topic (subject names) and the Pulsar target (partitioned when persistent). */
  source: string;
  target: string;
  persistent: boolean;
  pulsar: SchemaTarget;
  /** Needed for schema: registry. */
  translator?: SchemaTranslator;
  subjectStrategy?: SubjectStrategy;
  /** registry (default): the subject's level mapped to a Pulsar strategy; keep: leave the topic's; or a strategy. */
  compatibility?: SchemaCompatibilitySetting;
  /** Decode each body against its schema (catches corrupt bodies; costs a decode per record). Default false. */
  validateBodies?: boolean;
  /** schema: json only: an Avro schema (JSON text) to encode the JSON values with. */
  avroSchema?: string;
  /** How long a schema that failed (unknown id, incompatible) is remembered before it is asked again. Default 30 s. */
  failureTtlMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

interface Resolved {
  version: Buffer;
  translation?: Translation;
  /** For validateBodies. */
  validate?: (body: Buffer) => boolean;
}

type Outcome = { ok: true; value: Resolved } | { ok: false; error: K2pError; until: number };

const INCOMPATIBLE_ERRORS = new Set(['IncompatibleSchema', 'InvalidSchema']);

export class SchemaConverter implements RecordConverter {
  private readonly outcomes = new Map<string, Outcome>();
  private readonly pending = new Map<string, Promise<Outcome>>();
  private compatibilitySet: Promise<void> | undefined;
  private readonly ttl: number;
  private readonly jsonAvro: ReturnType<typeof avro.Type.forSchema> | undefined;

  constructor(private readonly options: SchemaConverterOptions) {
    this.ttl = options.failureTtlMs ?? 30_000;
    if (options.schema === 'registry' && !options.translator) throw new K2pError('K2P_CFG_INVALID', `topic ${options.source}: schema: registry needs a registry connector`, { topic: options.source });
    if (options.avroSchema !== undefined) {
      try {
        this.jsonAvro = avro.Type.forSchema(JSON.parse(options.avroSchema) as avro.Schema);
      } catch (err) {
        throw new K2pError('K2P_SCH_TRANSLATE', `topic ${options.source}: the Avro schema given for JSON values is not valid: ${(err as Error).message}`, { topic: options.source });
      }
    }
  }

  /** What this converter will register (reads the registry, changes nothing). */
  plan(): Promise<SchemaPlan> {
    return planFor(this.options);
  }

  private pulsarTopic(partition: number): string {
    return this.options.persistent ? partitionTopic(this.options.target, partition) : this.options.target;
  }

  async convert(records: readonly KafkaRecord[]): Promise<Converted[]> {
    if (records.length === 0) return [];
    return this.options.schema === 'registry' ? this.convertRegistry(records) : this.convertPlain(records);
  }

  // ---- registry

  private async convertRegistry(records: readonly KafkaRecord[]): Promise<Converted[]> {
    // Pass 1: headers and the distinct schema ids of the batch.
    const ids: (number | K2pError | null)[] = new Array(records.length);
    const distinct = new Set<number>();
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const value = record.value;
      if (value === null) {
        ids[i] = null; // tombstone: no schema, no payload
      } else if (value.length < HEADER_BYTES || value[0] !== MAGIC_BYTE) {
        ids[i] = new K2pError(
          'K2P_SCH_FRAME',
          value.length < HEADER_BYTES
            ? `value of ${value.length} bytes is shorter than the 5-byte schema registry header`
            : `value starts with byte 0x${value[0]!.toString(16).padStart(2, '0')}, not the schema registry magic byte 0x00`,
          { topic: record.topic, partition: record.partition, offset: record.offset, expected: 'magic byte 0 + 4-byte schema id' },
        );
      } else {
        const id = value.readUInt32BE(1);
        ids[i] = id;
        distinct.add(id);
      }
    }
    // The format of each id (Protobuf frames carry message indexes after the id).
    await Promise.all([...distinct].map((id) => this.formatOf(id)));

    // Pass 2: the schema key of each record (id, or id + message indexes).
    const keys: (string | K2pError | null)[] = new Array(records.length);
    const bodyAt = new Int32Array(records.length);
    const wanted = new Map<string, { id: number; indexes: number[] }>();
    for (let i = 0; i < records.length; i++) {
      const id = ids[i]!;
      if (id === null || id instanceof K2pError) {
        keys[i] = id;
        continue;
      }
      let key = String(id);
      let indexes = [0];
      bodyAt[i] = HEADER_BYTES;
      if (this.formats.get(id) === 'PROTOBUF') {
        try {
          const frame = readProtobufFrame(records[i]!.value!);
          indexes = frame.messageIndexes;
          bodyAt[i] = frame.bodyOffset;
          key = `${id}/${indexes.join('.')}`;
        } catch (err) {
          keys[i] = err as K2pError;
          continue;
        }
      }
      keys[i] = key;
      if (!wanted.has(key)) wanted.set(key, { id, indexes });
    }
    await this.resolveAll(records[0]!.partition, wanted);

    // Pass 3: messages.
    const out: Converted[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const key = keys[i]!;
      try {
        if (key instanceof K2pError) {
          out[i] = { ok: false, error: this.forRecord(key, record) };
          continue;
        }
        const message = toPulsarMessage(record, this.options.mapping);
        if (key !== null) {
          const outcome = this.outcomes.get(key)!;
          if (!outcome.ok) {
            out[i] = { ok: false, error: this.forRecord(outcome.error, record) };
            continue;
          }
          const body = record.value!.subarray(bodyAt[i]!);
          if (outcome.value.validate && !outcome.value.validate(body)) {
            out[i] = { ok: false, error: this.bodyError(record, `the body (${body.length} bytes) does not decode with its schema (registry id ${key})`) };
            continue;
          }
          message.payload = body;
          message.schemaVersion = outcome.value.version;
        }
        out[i] = { ok: true, message };
      } catch (err) {
        out[i] = rejection(err, record);
      }
    }
    return out;
  }

  /** Registry schema type per id (a lookup the registry client caches); unknown ids are left to resolve(). */
  private readonly formats = new Map<number, string>();

  private async formatOf(id: number): Promise<void> {
    if (this.formats.has(id)) return;
    const failed = this.outcomes.get(String(id));
    if (failed && !failed.ok && failed.until > Date.now()) return;
    try {
      this.formats.set(id, (await this.options.translator!.registry.schemaById(id)).schemaType);
    } catch (err) {
      if (isK2pError(err) && !err.canRetry) return; // unknown id: resolve() rejects its records with the reason
      throw err; // the registry cannot be reached: the batch is retried
    }
  }

  /** Resolves every wanted schema to a Pulsar version (or a remembered failure); throws if the registry cannot be reached. */
  private async resolveAll(partition: number, wanted: Map<string, { id: number; indexes: number[] }>): Promise<void> {
    // One at a time, in the order the batch first uses them (Kafka order): Pulsar numbers schema versions in
    // the order they are registered, and judges each new one against those before it.
    for (const [key, w] of wanted) {
      const known = this.outcomes.get(key);
      if (known && (known.ok || known.until > Date.now())) continue;
      let p = this.pending.get(key);
      if (!p) {
        p = this.resolve(w.id, w.indexes, partition).then((outcome) => {
          this.outcomes.set(key, outcome);
          return outcome;
        });
        p.finally(() => this.pending.delete(key)).catch(() => undefined);
        this.pending.set(key, p);
      }
      await p; // a registry or broker that cannot be reached rejects here: the batch is retried
    }
  }

  private async resolve(id: number, indexes: number[], partition: number): Promise<Outcome> {
    const failed = (error: K2pError): Outcome => {
      this.options.log?.('schema-rejected', { topic: this.options.source, schemaId: id, code: error.code, reason: error.message });
      return { ok: false, error, until: Date.now() + this.ttl };
    };
    let translation: Translation;
    try {
      translation = await this.options.translator!.translate(id, indexes);
    } catch (err) {
      if (isK2pError(err) && !err.canRetry) return failed(err);
      throw err;
    }
    await this.ensureCompatibility(translation);
    const topic = this.pulsarTopic(partition);
    let version: Buffer;
    try {
      version = await this.options.pulsar.getOrCreate(topic, translation.pulsar);
    } catch (err) {
      const serverError = isK2pError(err) ? (err.details.serverError as string | undefined) : undefined;
      if (serverError !== undefined && INCOMPATIBLE_ERRORS.has(serverError)) {
        return failed(
          new K2pError('K2P_SCH_INCOMPATIBLE', `Pulsar refused schema id ${id} (${translation.pulsar.type} ${translation.pulsar.name}) for ${this.options.target}: ${(err as Error).message}`, {
            topic: this.options.target,
            schemaId: id,
            serverError,
          }),
        );
      }
      throw err;
    }
    this.options.log?.('schema-registered', { topic: this.options.target, schemaId: id, type: translation.pulsar.type, name: translation.pulsar.name, version: version.toString('hex') });
    const resolved: Resolved = { version, translation };
    if (this.options.validateBodies) {
      try {
        resolved.validate = this.validator(translation, indexes);
      } catch (err) {
        if (isK2pError(err)) return failed(err);
        throw err;
      }
    }
    return { ok: true, value: resolved };
  }

  private validator(translation: Translation, indexes: number[]): (body: Buffer) => boolean {
    const registered = translation.registered;
    if (registered.schemaType === 'AVRO') {
      const type = avroType(registered);
      return (body) => avroBodyValid(type, body);
    }
    if (registered.schemaType === 'PROTOBUF') {
      const type = protobufType(registered, indexes);
      return (body) => {
        try {
          type.decode(body);
          return true;
        } catch {
          return false;
        }
      };
    }
    return (body) => {
      try {
        JSON.parse(body.toString('utf8'));
        return true;
      } catch {
        return false;
      }
    };
  }

  /** Sets the topic's compatibility strategy once, before the first schema is registered. */
  private ensureCompatibility(translation: Translation): Promise<void> {
    const setting = this.options.compatibility ?? 'registry';
    if (setting === 'keep' || !this.options.pulsar.setCompatibility) return Promise.resolve();
    this.compatibilitySet ??= (async () => {
      let strategy: PulsarStrategy | undefined;
      if (setting === 'registry') {
        const subject = subjectName(this.options.subjectStrategy ?? 'TopicName', this.options.source, false, translation.pulsar.name);
        const level = await this.options.translator!.registry.compatibility(subject);
        strategy = pulsarStrategy(level);
        if (!strategy) {
          this.options.log?.('schema-compatibility-unmapped', { topic: this.options.target, subject, level });
          return;
        }
      } else {
        strategy = setting;
      }
      try {
        await this.options.pulsar.setCompatibility!(this.options.target, strategy);
        this.options.log?.('schema-compatibility-set', { topic: this.options.target, strategy });
      } catch (err) {
        // A broker that refuses the policy (topic policies off, no permission) does not stop the records:
        // the namespace's or broker's strategy applies. A failure that can pass is retried with the batch.
        if (isK2pError(err) && err.canRetry) throw err;
        this.options.log?.('schema-compatibility-failed', { topic: this.options.target, strategy, error: (err as Error).message });
      }
    })();
    this.compatibilitySet.catch(() => (this.compatibilitySet = undefined));
    return this.compatibilitySet;
  }

  private forRecord(error: K2pError, record: KafkaRecord): K2pError {
    return new K2pError(error.code, error.message.replace(/^K2P_[A-Z_]+: /, ''), { ...error.details, topic: record.topic, partition: record.partition, offset: record.offset });
  }

  private bodyError(record: KafkaRecord, reason: string): K2pError {
    return new K2pError('K2P_SCH_BODY', `${record.topic}[${record.partition}]@${record.offset}: ${reason}`, { topic: record.topic, partition: record.partition, offset: record.offset });
  }

  // ---- string / json

  private plainSchema(): PulsarSchemaInfo | undefined {
    if (this.options.schema === 'string') return { type: 'String', name: 'String', data: Buffer.alloc(0), properties: {} };
    if (this.jsonAvro) {
      // The .avsc as written (like registry schemas: the writer schema as its author wrote it).
      const text = this.options.avroSchema!;
      const schema = JSON.parse(text) as { name?: string; namespace?: string };
      const name = schema.name && schema.namespace && !schema.name.includes('.') ? `${schema.namespace}.${schema.name}` : (schema.name ?? this.options.source);
      return { type: 'Avro', name, data: Buffer.from(text, 'utf8'), properties: {} };
    }
    return undefined;
  }

  private async convertPlain(records: readonly KafkaRecord[]): Promise<Converted[]> {
    const info = this.plainSchema();
    let version: Buffer | undefined;
    if (info) {
      const key = 'plain';
      const known = this.outcomes.get(key);
      if (!known || (!known.ok && known.until <= Date.now())) {
        let p = this.pending.get(key);
        if (!p) {
          p = this.registerPlain(info, records[0]!.partition).then((o) => {
            this.outcomes.set(key, o);
            return o;
          });
          p.finally(() => this.pending.delete(key)).catch(() => undefined);
          this.pending.set(key, p);
        }
        await p;
      }
      const outcome = this.outcomes.get(key)!;
      if (!outcome.ok) return records.map((r) => ({ ok: false, error: this.forRecord(outcome.error, r) }));
      version = outcome.value.version;
    }
    return records.map((record): Converted => {
      try {
        const message = toPulsarMessage(record, this.options.mapping);
        const value = record.value;
        if (value !== null) {
          if (this.options.schema === 'string') {
            if (!isUtf8(value)) return { ok: false, error: this.bodyError(record, 'the value is not valid UTF-8 and the mapping says schema: string') };
          } else {
            let parsed: unknown;
            try {
              parsed = JSON.parse(value.toString('utf8'));
            } catch (err) {
              return { ok: false, error: this.bodyError(record, `the value is not JSON (${(err as Error).message}) and the mapping says schema: json`) };
            }
            if (this.jsonAvro) {
              const problems: string[] = [];
              if (!this.jsonAvro.isValid(parsed, { errorHook: (path) => problems.push(path.join('.') || '(root)') })) {
                return { ok: false, error: this.bodyError(record, `the JSON value does not fit the Avro schema at ${problems.slice(0, 5).join(', ')}`) };
              }
              message.payload = this.jsonAvro.toBuffer(parsed);
            }
          }
          if (version) message.schemaVersion = version;
        }
        return { ok: true, message };
      } catch (err) {
        return rejection(err, record);
      }
    });
  }

  private async registerPlain(info: PulsarSchemaInfo, partition: number): Promise<Outcome> {
    if (this.options.compatibility !== undefined && this.options.compatibility !== 'keep' && this.options.compatibility !== 'registry' && this.options.pulsar.setCompatibility) {
      await this.options.pulsar.setCompatibility(this.options.target, this.options.compatibility);
    }
    try {
      return { ok: true, value: { version: await this.options.pulsar.getOrCreate(this.pulsarTopic(partition), info) } };
    } catch (err) {
      const serverError = isK2pError(err) ? (err.details.serverError as string | undefined) : undefined;
      if (serverError !== undefined && INCOMPATIBLE_ERRORS.has(serverError)) {
        return { ok: false, error: new K2pError('K2P_SCH_INCOMPATIBLE', `Pulsar refused the ${info.type} schema for ${this.options.target}: ${(err as Error).message}`, { topic: this.options.target, serverError }), until: Date.now() + this.ttl };
      }
      throw err;
    }
  }
}

// ---- from a topic mapping (setup.ts)

const registryClients = new WeakMap<object, SchemaTranslator>();
const converters = new WeakMap<object, Map<string, SchemaConverter>>();

/**
 * The converter a topic mapping asks for (schema: registry | string | json), or undefined for bytes. One per
 * Pulsar client and Kafka topic, so its caches (schema ids → versions) live as long as the client.
 */
export function mappingConverter(
  config: GatewayConfig,
  mapping: TopicMapping,
  topic: { source: string; target: string; persistent: boolean; mapping: RecordMappingOptions },
  pulsar: PulsarClient,
  admin: { schemas: { setCompatibility(topic: string, strategy: string): Promise<void> } },
  log?: (event: string, fields: Record<string, unknown>) => void,
): SchemaConverter | undefined {
  if (mapping.schema === 'bytes') return undefined;
  let byTopic = converters.get(pulsar);
  if (!byTopic) converters.set(pulsar, (byTopic = new Map()));
  const key = `${topic.source}\u0000${topic.target}\u0000${mapping.schema}`;
  let converter = byTopic.get(key);
  if (converter) return converter;
  let translator: SchemaTranslator | undefined;
  if (mapping.schema === 'registry') {
    const connector = mapping.registry !== undefined ? config.connectors[mapping.registry] : undefined;
    if (!connector || connector.kind !== 'schema-registry') {
      throw new K2pError('K2P_CFG_INVALID', `topic ${topic.source}: schema: registry needs a schema-registry connector (registry: in ${mapping.file})`, { topic: topic.source, file: mapping.file });
    }
    translator = registryClients.get(connector);
    if (!translator) {
      translator = new SchemaTranslator(new RegistryClient({ url: connector.url, basicAuth: connector.basicAuth ? { ...connector.basicAuth } : undefined }));
      registryClients.set(connector, translator);
    }
  }
  converter = new SchemaConverter({
    schema: mapping.schema,
    mapping: topic.mapping,
    source: topic.source,
    target: topic.target,
    persistent: topic.persistent,
    pulsar: pulsarSchemaTarget(pulsar, admin),
    translator,
    subjectStrategy: mapping.subjectStrategy,
    compatibility: mapping.schemaCompatibility,
    validateBodies: mapping.validateBodies,
    avroSchema: mapping.avroSchema !== undefined ? readFileSync(mapping.avroSchema, 'utf8') : undefined,
    log,
  });
  byTopic.set(key, converter);
  return converter;
}

// ---- plan (k2p plan)

export interface SchemaPlan {
  topic: string;
  target: string;
  /** Human-readable lines: registry subjects and versions found, the Pulsar schemas they become. */
  lines: string[];
  subjects: { subject: string; version: number; id: number; registryType: string; pulsar?: { type: string; name: string }; error?: string }[];
}

/** What schema translation will do for each topic (reads the registry, changes nothing). */
export async function schemaPlans(topics: readonly { source: string; target: string; converter?: unknown }[]): Promise<SchemaPlan[]> {
  const plans: SchemaPlan[] = [];
  for (const t of topics) if (t.converter instanceof SchemaConverter) plans.push(await t.converter.plan());
  return plans;
}

async function planFor(o: SchemaConverterOptions): Promise<SchemaPlan> {
  const out: SchemaPlan = { topic: o.source, target: o.target, lines: [], subjects: [] };
  if (o.schema === 'string') out.lines.push('schema: string → Pulsar STRING schema (values must be UTF-8)');
  else if (o.schema === 'json') {
    if (o.avroSchema) {
      const s = JSON.parse(o.avroSchema) as { name?: string; namespace?: string };
      out.lines.push(`schema: json → JSON values written as typed Avro: Pulsar AVRO schema ${s.namespace ? `${s.namespace}.` : ''}${s.name ?? ''}`);
    } else out.lines.push('schema: json → values checked as JSON, no Pulsar schema');
  } else {
    const registry = o.translator!.registry;
    const strategy = o.subjectStrategy ?? 'TopicName';
    const subjects = topicSubjects(strategy, o.source, await registry.subjects());
    if (strategy === 'RecordName') out.lines.push('subjects: RecordName strategy — found per record (schema ids), not by topic');
    else if (subjects.length === 0) out.lines.push(`no registry subject found for ${o.source} (${strategy}); schemas are registered as records bring them`);
    for (const subject of subjects) {
      for (const version of await registry.versions(subject)) {
        const sv = await registry.subjectVersion(subject, version);
        const entry: SchemaPlan['subjects'][number] = { subject, version, id: sv.id, registryType: sv.schemaType };
        try {
          const { pulsar } = await o.translator!.translate(sv.id);
          entry.pulsar = { type: pulsar.type, name: pulsar.name };
          out.lines.push(`registry ${subject} v${version} (id ${sv.id}, ${sv.schemaType}) → Pulsar ${pulsar.type} ${pulsar.name}${sv.schemaType === 'PROTOBUF' ? ' (first message; records name theirs by message index)' : ''}`);
        } catch (err) {
          entry.error = (err as Error).message;
          out.lines.push(`registry ${subject} v${version} (id ${sv.id}, ${sv.schemaType}) → cannot be translated: ${entry.error}`);
        }
        out.subjects.push(entry);
      }
    }
    const setting = o.compatibility ?? 'registry';
    if (setting === 'registry' && subjects.some((s) => s.endsWith('-value') || strategy !== 'TopicName')) {
      const level = await registry.compatibility(subjects.find((s) => !s.endsWith('-key')));
      out.lines.push(`compatibility: registry ${level} → Pulsar ${pulsarStrategy(level) ?? '(no equivalent: left as it is)'}`);
    } else if (setting !== 'registry') out.lines.push(`compatibility: ${setting === 'keep' ? 'left as it is' : `Pulsar ${setting}`}`);
  }
  return out;
}
