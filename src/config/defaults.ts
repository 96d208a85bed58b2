// Defaults of the optional mapping fields, shared by the JSON Schemas (for editors) and the loader.
export const TOPIC_DEFAULTS = Object.freeze({
  schema: 'bytes',
  route: 'kafka',
  keysBinary: 'base64',
  keysSchema: 'plain',
  headersEncoding: 'lossless',
  provenance: true,
  subjectStrategy: 'TopicName',
  schemaCompatibility: 'registry',
  validateBodies: false,
} as const);

export const GROUP_DEFAULTS = Object.freeze({
  subscription: '{group}',
  type: 'Failover',
  whenNoOffset: 'earliest',
} as const);

export const KAFKA_DEFAULTS = Object.freeze({ clientId: 'k2p', rejectUnauthorized: true } as const);

export const TOPIC_SCHEMAS = ['registry', 'bytes', 'string', 'json'] as const;
export const ROUTES = ['kafka', 'pulsar', 'dual'] as const;
export const SUBJECT_STRATEGIES = ['TopicName', 'RecordName', 'TopicRecordName'] as const;
/** Pulsar's schema compatibility strategies (a topic policy); src/schema maps registry levels onto them. */
export const PULSAR_STRATEGIES = [
  'ALWAYS_COMPATIBLE',
  'ALWAYS_INCOMPATIBLE',
  'BACKWARD',
  'FORWARD',
  'FULL',
  'BACKWARD_TRANSITIVE',
  'FORWARD_TRANSITIVE',
  'FULL_TRANSITIVE',
] as const;
export const SCHEMA_COMPATIBILITIES = ['registry', 'keep', ...PULSAR_STRATEGIES] as const;
export const KEY_BINARY = ['base64', 'dead-letter'] as const;
export const KEY_SCHEMAS = ['plain', 'string', 'keyvalue'] as const;
export const HEADER_ENCODINGS = ['lossless', 'utf8'] as const;
export const SUBSCRIPTION_TYPES = ['Exclusive', 'Shared', 'Failover', 'Key_Shared'] as const;
export const WHEN_NO_OFFSET = ['earliest', 'latest', 'skip'] as const;
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export const CONNECTOR_KINDS = ['kafka', 'pulsar', 'schema-registry', 'redis'] as const;
