// The loaded configuration: what loadConfig returns, deeply frozen, with defaults applied and regexes compiled.
import type * as D from './defaults.js';

type Of<T extends readonly string[]> = T[number];

interface ConnectorBase {
  /** The connector's name (its key under `connectors:`). */
  readonly name: string;
  /** The file it was defined in, for messages. */
  readonly file: string;
}

export interface KafkaSsl {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized: boolean;
}

export interface KafkaConnector extends ConnectorBase {
  readonly kind: 'kafka';
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Absent: plaintext. `ssl: true` in the file becomes `{ rejectUnauthorized: true }`. */
  readonly ssl?: KafkaSsl;
  readonly sasl?: {
    readonly mechanism: Of<typeof D.SASL_MECHANISMS>;
    readonly username: string;
    readonly password: string;
  };
}

export interface PulsarConnector extends ConnectorBase {
  readonly kind: 'pulsar';
  readonly serviceUrl: string;
  readonly adminUrl: string;
  readonly token?: string;
  readonly tls?: { readonly ca?: string };
}

export interface RegistryConnector extends ConnectorBase {
  readonly kind: 'schema-registry';
  readonly url: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

export interface RedisConnector extends ConnectorBase {
  readonly kind: 'redis';
  readonly url: string;
  readonly password?: string;
}

export type Connector = KafkaConnector | PulsarConnector | RegistryConnector | RedisConnector;
export type ConnectorKind = Connector['kind'];

/** An exact name or a compiled /regex/. */
export interface NameMatcher {
  /** As written in the file: `orders` or `/^events\..*\/`. */
  readonly text: string;
  /** Set for an exact name. */
  readonly name?: string;
  /** Set for a /regex/ (compiled once, at load). */
  readonly regex?: RegExp;
}

export interface TopicMapping {
  readonly match: NameMatcher;
  readonly exclude: readonly NameMatcher[];
  /** Pulsar topic template with `{topic}`. */
  readonly to: string;
  readonly schema: Of<typeof D.TOPIC_SCHEMAS>;
  readonly route: Of<typeof D.ROUTES>;
  /** binary: keys that are not UTF-8; schema: registry-framed keys (plain bytes, canonical string, KeyValue schema). */
  readonly keys: { readonly binary: Of<typeof D.KEY_BINARY>; readonly schema: Of<typeof D.KEY_SCHEMAS> };
  readonly headers: { readonly encoding: Of<typeof D.HEADER_ENCODINGS> };
  /** Pulsar topic template for records that cannot be mapped (`{topic}` allowed); absent: none configured. */
  readonly deadLetter?: string;
  readonly provenance: boolean;
  /** schema: registry — the registry subject naming strategy of the topic's producers. */
  readonly subjectStrategy: Of<typeof D.SUBJECT_STRATEGIES>;
  /** The Pulsar topic's schema compatibility strategy: from the registry level, left as it is, or this one. */
  readonly schemaCompatibility: Of<typeof D.SCHEMA_COMPATIBILITIES>;
  /** Decode every body against its schema (corrupt ones are rejected); costs a decode per record. */
  readonly validateBodies: boolean;
  /** schema: json — absolute path of an .avsc: JSON values are written as typed Avro with this schema. */
  readonly avroSchema?: string;
  /** The mapping's source Kafka connector name (copied from its file, so a topic mapping stands alone). */
  readonly source: string;
  readonly target: string;
  readonly registry?: string;
  /** Where it was written: file and path (`topics[0]`). */
  readonly file: string;
  readonly path: string;
}

export interface GroupMapping {
  readonly match: NameMatcher;
  /** Subscription name template; `{group}` is replaced by the Kafka group name. */
  readonly subscription: string;
  readonly type: Of<typeof D.SUBSCRIPTION_TYPES>;
  readonly whenNoOffset: Of<typeof D.WHEN_NO_OFFSET>;
  readonly source: string;
  readonly target: string;
  readonly file: string;
  readonly path: string;
}

export interface MappingFile {
  readonly file: string;
  readonly source: string;
  readonly target: string;
  readonly registry?: string;
  readonly topics: readonly TopicMapping[];
  readonly groups: readonly GroupMapping[];
}

export interface GatewayConfig {
  /** The files read, in order (directories expanded). */
  readonly files: readonly string[];
  /** Every connector of every file, by name. */
  readonly connectors: Readonly<Record<string, Connector>>;
  readonly mappings: readonly MappingFile[];
}
