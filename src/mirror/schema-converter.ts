// Typed mirroring: a RecordConverter that gives each message a Pulsar schema version.
//   registry — values framed by a Confluent-compatible Schema Registry (magic 0 + schema id [+ Protobuf message
//              indexes]): the header is stripped, the body is left as it is (never decoded unless
//              validateBodies), the registry schema is translated and registered on the Pulsar topic
//              (GetOrCreateSchema) once per schema id, and each message carries that schema version.
//   string   — UTF-8 text required; a Pulsar STRING schema.
//   json     — the value must parse as JSON; with an Avro schema (avroSchema) each value is encoded as typed
//              Avro and the topic gets that AVRO schema, else the bytes go as they are.
//   keys     — (schema: registry) registry-framed keys: `plain` carries them as bytes; `string` decodes each to
//              its canonical text (src/schema/keys.ts) as the partition key; `keyvalue` gives the topic a
//              KEY_VALUE schema (SEPARATED: the key body, header stripped, in the base64-flagged message key).
// Per batch: one pass over the headers, one lookup per distinct schema id (cached), one pass to build messages.
// A record that cannot be carried is rejected with its reason (dead-letter topic or pause, see Mirror); only a
// registry that cannot be reached at all throws, so the whole batch is retried: the converter first holds the
// batch and asks again with a bounded backoff (registryHoldMs), reporting each failed attempt (onError), then
// throws K2P_SCH_REGISTRY and the Kafka consumer fetches the batch again after its own bounded backoff.
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
  keyDecoder,
  keyValueSchemaInfo,
  protobufType,
  pulsarStrategy,
  readProtobufFrame,
  subjectName,
  topicSubjects,
  type PulsarSchemaInfo,
  type PulsarStrategy,
  type ResolvedSchema,
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
  /**
   * schema: registry — registry-framed keys: plain (default: carried as bytes), string (decoded to their
   * canonical text as the partition key) or keyvalue (a KEY_VALUE schema, SEPARATED encoding).
   */
  keys?: KeySchemaMode;
  /**
   * While the registry cannot be reached, how long a batch is held and asked again (backoff 250 ms doubling to
   * 4 s) before convert() throws K2P_SCH_REGISTRY. Default 8 s: under the Kafka session timeout (10 s), since a
   * held batch sends no heartbeats.
   */
  registryHoldMs?: number;
  /** Each failed attempt to reach the registry (metrics: the Mirror observer's `error`). */
  onError?: (event: string, error: Error) => void;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export type KeySchemaMode = 'plain' | 'string' | 'keyvalue';

interface Resolved {
  version: Buffer;
  translation?: Translation;
  /** For validateBodies. */
  validate?: (body: Buffer) => boolean;
  /** keys: string — the key body's canonical text (throws K2P_SCH_BODY when it does not decode). */
  decodeKey?: (body: Buffer) => string;
}

function prefixed<W>(prefix: string, wanted: Map<string, W>): Map<string, W> {
  return new Map([...wanted].map(([k, w]) => [`${prefix}${k}`, w]));
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
    if (this.options.schema !== 'registry') return this.convertPlain(records);
    const holdMs = this.options.registryHoldMs ?? 8000;
    const started = Date.now();
    let delay = 250;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.convertRegistry(records);
      } catch (err) {
        if (!isK2pError(err) || err.code !== 'K2P_SCH_REGISTRY') throw err;
        const giveUp = Date.now() - started + delay > holdMs;
        const first = records[0]!;
        this.options.log?.('schema-registry-unreachable', {
          topic: first.topic,
          partition: first.partition,
          offset: first.offset,
          records: records.length,
          attempt,
          error: err.message,
          ...(giveUp ? { retriedBy: 'kafka consumer (batch fetched again)' } : { retryInMs: delay }),
        });
        this.options.onError?.('schema-registry-unreachable', err);
        if (giveUp) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 4000);
      }
    }
  }

  // ---- registry

  private async convertRegistry(records: readonly KafkaRecord[]): Promise<Converted[]> {
    const keyMode = this.options.keys ?? 'plain';
    // Pass 1: headers and the distinct schema ids of the batch (values, and keys when they are decoded).
    const ids: (number | K2pError | null)[] = new Array(records.length);
    const keyIds: (number | K2pError | null)[] = new Array(records.length);
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
      keyIds[i] = null;
      if (keyMode === 'plain') continue;
      const key = record.key;
      if (key !== null && key.length >= HEADER_BYTES && key[0] === MAGIC_BYTE) {
        const id = key.readUInt32BE(1);
        keyIds[i] = id;
        distinct.add(id);
      } else if (keyMode === 'keyvalue') {
        keyIds[i] = new K2pError(
          'K2P_SCH_FRAME',
          key === null
            ? 'the record has no key and keys.schema is keyvalue (a KeyValue schema needs a registry-framed key)'
            : `the key (${key.length} bytes) is not registry-framed (${key.length < HEADER_BYTES ? 'shorter than the 5-byte header' : `first byte 0x${key[0]!.toString(16).padStart(2, '0')}, not 0x00`}) and keys.schema is keyvalue`,
          { topic: record.topic, partition: record.partition, offset: record.offset, part: 'key', expected: 'a registry-framed key: magic byte 0 + 4-byte schema id' },
        );
      }
    }
    // The format of each id (Protobuf frames carry message indexes after the id).
    await Promise.all([...distinct].map((id) => this.formatOf(id)));

    // Pass 2: the schema key of each record (id, or id + message indexes), for the value and the key.
    const keys: (string | K2pError | null)[] = new Array(records.length);
    const bodyAt = new Int32Array(records.length);
    const wanted = new Map<string, { id: number; indexes: number[] }>();
    const keyKeys: (string | K2pError | null)[] = new Array(records.length);
    const keyBodyAt = new Int32Array(records.length);
    const wantedKeys = new Map<string, { id: number; indexes: number[] }>();
    for (let i = 0; i < records.length; i++) {
      const v = this.schemaKeyOf(ids[i]!, records[i]!.value, wanted);
      keys[i] = v.key;
      bodyAt[i] = v.bodyAt;
      const k = this.schemaKeyOf(keyIds[i]!, records[i]!.key, wantedKeys);
      keyKeys[i] = k.key instanceof K2pError && !(keyIds[i] instanceof K2pError) ? this.keyError(k.key) : k.key;
      keyBodyAt[i] = k.bodyAt;
    }
    const partition = records[0]!.partition;
    // keyvalue: the Pulsar schema is the pair (key schema, value schema); the value alone is never registered.
    const pairs = new Map<string, { key: { id: number; indexes: number[] }; value: { id: number; indexes: number[] } }>();
    if (keyMode === 'keyvalue') {
      for (let i = 0; i < records.length; i++) {
        const k = keyKeys[i]!;
        const v = keys[i]!;
        if (typeof k === 'string' && typeof v === 'string') {
          const pair = `kv:${k}|${v}`;
          if (!pairs.has(pair)) pairs.set(pair, { key: wantedKeys.get(k)!, value: wanted.get(v)! });
        }
      }
      await this.resolveEach(pairs, (w) => this.resolveKeyValue(w.key, w.value, partition));
    } else {
      await this.resolveAll(partition, wanted);
      if (keyMode === 'string') await this.resolveEach(prefixed('key:', wantedKeys), (w) => this.resolveKeyDecoder(w.id, w.indexes));
    }

    // Pass 3: messages.
    const out: Converted[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const key = keys[i]!;
      const keyKey = keyKeys[i]!;
      try {
        if (key instanceof K2pError) {
          out[i] = { ok: false, error: this.forRecord(key, record) };
          continue;
        }
        if (keyKey instanceof K2pError) {
          out[i] = { ok: false, error: this.forRecord(keyKey, record) };
          continue;
        }
        // A decoded key is set below: the record mapping's binary-key rule applies to plain keys only.
        const message = toPulsarMessage(keyKey === null ? record : { ...record, key: null }, this.options.mapping);
        let version: Buffer | undefined;
        let validate: ((body: Buffer) => boolean) | undefined;
        if (keyKey !== null) {
          const keyBody = record.key!.subarray(keyBodyAt[i]!);
          if (keyMode === 'string') {
            const outcome = this.outcomes.get(`key:${keyKey}`)!;
            if (!outcome.ok) {
              out[i] = { ok: false, error: this.forRecord(outcome.error, record) };
              continue;
            }
            let text: string;
            try {
              text = outcome.value.decodeKey!(keyBody);
            } catch (err) {
              out[i] = rejection(isK2pError(err) ? this.forRecord(err, record) : err, record);
              continue;
            }
            message.key = text;
            message.orderingKey = Buffer.from(text, 'utf8');
          } else {
            // keyvalue, SEPARATED: the key's bytes (header stripped) are the message key, flagged base64.
            message.key = keyBody;
            message.orderingKey = keyBody;
            if (key !== null) {
              const outcome = this.outcomes.get(`kv:${keyKey}|${key}`)!;
              if (!outcome.ok) {
                out[i] = { ok: false, error: this.forRecord(outcome.error, record) };
                continue;
              }
              version = outcome.value.version;
              validate = outcome.value.validate;
            }
          }
        }
        if (key !== null) {
          if (keyMode !== 'keyvalue') {
            const outcome = this.outcomes.get(key)!;
            if (!outcome.ok) {
              out[i] = { ok: false, error: this.forRecord(outcome.error, record) };
              continue;
            }
            version = outcome.value.version;
            validate = outcome.value.validate;
          }
          const body = record.value!.subarray(bodyAt[i]!);
          if (validate && !validate(body)) {
            out[i] = { ok: false, error: this.bodyError(record, `the body (${body.length} bytes) does not decode with its schema (registry id ${key})`) };
            continue;
          }
          message.payload = body;
          message.schemaVersion = version;
        }
        out[i] = { ok: true, message };
      } catch (err) {
        out[i] = rejection(err, record);
      }
    }
    return out;
  }

  /** The schema key of a framed value or key ("id" or "id/indexes" for Protobuf) and where its body starts. */
  private schemaKeyOf(id: number | K2pError | null, bytes: Buffer | null, wanted: Map<string, { id: number; indexes: number[] }>): { key: string | K2pError | null; bodyAt: number } {
    if (id === null || id instanceof K2pError) return { key: id, bodyAt: 0 };
    let key = String(id);
    let indexes = [0];
    let bodyAt = HEADER_BYTES;
    if (this.formats.get(id) === 'PROTOBUF') {
      try {
        const frame = readProtobufFrame(bytes!);
        indexes = frame.messageIndexes;
        bodyAt = frame.bodyOffset;
        key = `${id}/${indexes.join('.')}`;
      } catch (err) {
        return { key: err as K2pError, bodyAt: 0 };
      }
    }
    if (!wanted.has(key)) wanted.set(key, { id, indexes });
    return { key, bodyAt };
  }

  private keyError(error: K2pError): K2pError {
    return new K2pError(error.code, `key: ${error.message.replace(/^K2P_[A-Z_]+: /, '')}`, { ...error.details, part: 'key' });
  }

  /** Resolves each wanted entry once (remembered failures are kept for their TTL); throws if the registry is unreachable. */
  private async resolveEach<W>(wanted: Map<string, W>, resolve: (w: W) => Promise<Outcome>): Promise<void> {
    for (const [key, w] of wanted) {
      const known = this.outcomes.get(key);
      if (known && (known.ok || known.until > Date.now())) continue;
      let p = this.pending.get(key);
      if (!p) {
        p = resolve(w).then((outcome) => {
          this.outcomes.set(key, outcome);
          return outcome;
        });
        p.finally(() => this.pending.delete(key)).catch(() => undefined);
        this.pending.set(key, p);
      }
      await p;
    }
  }

  /** keys: string — the canonical-text decoder of a key schema id. */
  private async resolveKeyDecoder(id: number, indexes: number[]): Promise<Outcome> {
    let registered: ResolvedSchema;
    try {
      const registry = this.options.translator!.registry;
      registered = await registry.resolve(await registry.schemaById(id));
      return { ok: true, value: { version: Buffer.alloc(0), decodeKey: keyDecoder(registered, indexes) } };
    } catch (err) {
      if (isK2pError(err) && !err.canRetry) {
        const error = this.keyError(err);
        this.options.log?.('schema-rejected', { topic: this.options.source, schemaId: id, part: 'key', code: error.code, reason: error.message });
        return { ok: false, error, until: Date.now() + this.ttl };
      }
      throw err;
    }
  }

  /** keys: keyvalue — the KEY_VALUE schema of a (key schema, value schema) pair, registered on the topic. */
  private async resolveKeyValue(key: { id: number; indexes: number[] }, value: { id: number; indexes: number[] }, partition: number): Promise<Outcome> {
    const failed = (error: K2pError): Outcome => {
      this.options.log?.('schema-rejected', { topic: this.options.source, keySchemaId: key.id, schemaId: value.id, code: error.code, reason: error.message });
      return { ok: false, error, until: Date.now() + this.ttl };
    };
    let keyTranslation: Translation;
    let valueTranslation: Translation;
    try {
      keyTranslation = await this.options.translator!.translate(key.id, key.indexes).catch((err: unknown) => {
        throw isK2pError(err) && !err.canRetry ? this.keyError(err) : err;
      });
      valueTranslation = await this.options.translator!.translate(value.id, value.indexes);
    } catch (err) {
      if (isK2pError(err) && !err.canRetry) return failed(err);
      throw err;
    }
    await this.ensureCompatibility(valueTranslation);
    const info = keyValueSchemaInfo(keyTranslation.pulsar, valueTranslation.pulsar);
    let version: Buffer;
    try {
      version = await this.options.pulsar.getOrCreate(this.pulsarTopic(partition), info);
    } catch (err) {
      const serverError = isK2pError(err) ? (err.details.serverError as string | undefined) : undefined;
      if (serverError !== undefined && INCOMPATIBLE_ERRORS.has(serverError)) {
        return failed(
          new K2pError('K2P_SCH_INCOMPATIBLE', `Pulsar refused the KeyValue schema of key schema id ${key.id} and value schema id ${value.id} for ${this.options.target}: ${(err as Error).message}`, {
            topic: this.options.target,
            keySchemaId: key.id,
            schemaId: value.id,
            serverError,
          }),
        );
      }
      throw err;
    }
    this.options.log?.('schema-registered', { topic: this.options.target, keySchemaId: key.id, schemaId: value.id, type: 'KeyValue', version: version.toString('hex') });
    const resolved: Resolved = { version, translation: valueTranslation };
    if (this.options.validateBodies) {
      try {
        resolved.validate = this.validator(valueTranslation, value.indexes);
      } catch (err) {
        if (isK2pError(err)) return failed(err);
        throw err;
      }
    }
    return { ok: true, value: resolved };
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

/** Where the converters of a Pulsar client report (a Mirror's observer and log): set by whoever runs the mirror. */
export interface SchemaErrorSink {
  error?(event: string, error: Error): void;
  log?(event: string, fields: Record<string, unknown>): void;
}
const sinks = new WeakMap<object, SchemaErrorSink>();

/**
 * Sends what the converters built for this Pulsar client by mappingConverter report — failed attempts to reach
 * the registry (`schema-registry-unreachable`), schemas registered or rejected — to a Mirror's observer and log.
 * Converters made before or after the call both see it.
 */
export function reportSchemaEvents(pulsar: PulsarClient, sink: SchemaErrorSink): void {
  sinks.set(pulsar, sink);
}

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
    keys: mapping.keys.schema,
    onError: (event, error) => sinks.get(pulsar)?.error?.(event, error),
    log: (event, fields) => {
      log?.(event, fields);
      sinks.get(pulsar)?.log?.(event, fields);
    },
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
    if (o.keys === 'string') out.lines.push('keys: registry-framed keys decoded to their canonical text (partition key); plain keys as they are');
    else if (o.keys === 'keyvalue') out.lines.push('keys: Pulsar KeyValue schema (SEPARATED): key schema + value schema; the key body is the base64-flagged message key');
    const setting = o.compatibility ?? 'registry';
    if (setting === 'registry' && subjects.some((s) => s.endsWith('-value') || strategy !== 'TopicName')) {
      const level = await registry.compatibility(subjects.find((s) => !s.endsWith('-key')));
      out.lines.push(`compatibility: registry ${level} → Pulsar ${pulsarStrategy(level) ?? '(no equivalent: left as it is)'}`);
    } else if (setting !== 'registry') out.lines.push(`compatibility: ${setting === 'keep' ? 'left as it is' : `Pulsar ${setting}`}`);
  }
  return out;
}
