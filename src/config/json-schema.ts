// The JSON Schemas of connector and mapping files (draft-07, which editors support best). This module is the
// source; `npx tsx src/config/write-schemas.ts` publishes them as schemas/*.json for editors, and
// test/config/schema-files.test.ts fails when the published files are stale.
import * as D from './defaults.js';

type Schema = Record<string, unknown>;

const DRAFT = 'http://json-schema.org/draft-07/schema#';
const ENV_NOTE = 'Must be a ${VAR} reference: secrets come from the environment, never from the file.';

const secret = (description: string, example: string): Schema => ({
  type: 'string',
  description: `${description} ${ENV_NOTE}`,
  pattern: '^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$',
  patternErrorMessage: 'a ${VAR} reference (secrets must come from the environment)',
  examples: [example],
});

const url = (schemes: string[], description: string, example: string): Schema => ({
  type: 'string',
  description,
  pattern: `^(${schemes.map((s) => s.replace('+', '\\+')).join('|')})://\\S+$`,
  patternErrorMessage: `a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`,
  examples: [example],
});

const pem = (what: string): Schema => ({
  type: 'string',
  description: `${what}, PEM text (usually \${VAR} holding the PEM).`,
  examples: ['${KAFKA_CA_PEM}'],
});

const kafka: Schema = {
  type: 'object',
  description: 'A Kafka cluster.',
  additionalProperties: false,
  required: ['kind', 'brokers'],
  properties: {
    kind: { const: 'kafka' },
    brokers: {
      type: ['array', 'string'],
      description:
        'Bootstrap brokers as host:port: a list, or one comma-separated string (handy with ${VAR}).',
      items: { type: 'string', pattern: '^[^\\s:/,]+:\\d+$', patternErrorMessage: 'host:port' },
      pattern: '^[^\\s:/,]+:\\d+(\\s*,\\s*[^\\s:/,]+:\\d+)*$',
      patternErrorMessage: 'host:port[,host:port...]',
      minItems: 1,
      examples: [['localhost:9092']],
    },
    clientId: {
      type: 'string',
      minLength: 1,
      description: 'Kafka client id.',
      default: D.KAFKA_DEFAULTS.clientId,
    },
    ssl: {
      type: ['boolean', 'object'],
      description: 'TLS to the brokers: true (system CAs), or the certificates to use.',
      additionalProperties: false,
      properties: {
        ca: pem('CA certificate(s) to trust'),
        cert: pem('Client certificate for mutual TLS'),
        key: secret('Client private key for mutual TLS, PEM text.', '${KAFKA_CLIENT_KEY_PEM}'),
        rejectUnauthorized: {
          type: 'boolean',
          description: 'Verify the broker certificate.',
          default: D.KAFKA_DEFAULTS.rejectUnauthorized,
        },
      },
      examples: [true, { ca: '${KAFKA_CA_PEM}' }],
    },
    sasl: {
      type: 'object',
      description: 'SASL authentication.',
      additionalProperties: false,
      required: ['mechanism', 'username', 'password'],
      properties: {
        mechanism: { enum: [...D.SASL_MECHANISMS], description: 'SASL mechanism.' },
        username: {
          type: 'string',
          minLength: 1,
          description: 'SASL user.',
          examples: ['${KAFKA_USERNAME}'],
        },
        password: secret('SASL password.', '${KAFKA_PASSWORD}'),
      },
    },
  },
};

const pulsar: Schema = {
  type: 'object',
  description: 'A Pulsar cluster: the binary protocol URL and the admin REST URL.',
  additionalProperties: false,
  required: ['kind', 'serviceUrl', 'adminUrl'],
  properties: {
    kind: { const: 'pulsar' },
    serviceUrl: url(
      ['pulsar', 'pulsar+ssl'],
      'Broker service URL (binary protocol).',
      'pulsar://localhost:6650',
    ),
    adminUrl: url(['http', 'https'], 'Admin REST URL.', 'http://localhost:8080'),
    token: secret('JWT for token authentication (binary protocol and admin).', '${PULSAR_TOKEN}'),
    tls: {
      type: 'object',
      description: 'TLS settings for pulsar+ssl:// and https:// URLs.',
      additionalProperties: false,
      properties: { ca: pem('CA certificate(s) to trust') },
    },
  },
};

const registry: Schema = {
  type: 'object',
  description: 'A Confluent-compatible Schema Registry.',
  additionalProperties: false,
  required: ['kind', 'url'],
  properties: {
    kind: { const: 'schema-registry' },
    url: url(['http', 'https'], 'Base URL of the Confluent-compatible API.', 'http://localhost:8081'),
    basicAuth: {
      type: 'object',
      description: 'HTTP basic authentication.',
      additionalProperties: false,
      required: ['username', 'password'],
      properties: {
        username: {
          type: 'string',
          minLength: 1,
          description: 'Basic-auth user.',
          examples: ['${REGISTRY_USERNAME}'],
        },
        password: secret('Basic-auth password.', '${REGISTRY_PASSWORD}'),
      },
    },
  },
};

const redis: Schema = {
  type: 'object',
  description: 'A Redis server (run state and jobs).',
  additionalProperties: false,
  required: ['kind', 'url'],
  properties: {
    kind: { const: 'redis' },
    url: url(
      ['redis', 'rediss'],
      'Redis URL (rediss:// for TLS); no password inside it.',
      'redis://localhost:6379',
    ),
    password: secret('Redis password (AUTH).', '${REDIS_PASSWORD}'),
  },
};

const connector: Schema = {
  type: 'object',
  description: 'A named connection to one cluster or service; `kind` says which.',
  required: ['kind'],
  properties: { kind: { enum: [...D.CONNECTOR_KINDS], description: 'What this connector reaches.' } },
  allOf: [
    { if: { properties: { kind: { const: 'kafka' } } }, then: { $ref: '#/definitions/kafka' } },
    { if: { properties: { kind: { const: 'pulsar' } } }, then: { $ref: '#/definitions/pulsar' } },
    {
      if: { properties: { kind: { const: 'schema-registry' } } },
      then: { $ref: '#/definitions/schemaRegistry' },
    },
    { if: { properties: { kind: { const: 'redis' } } }, then: { $ref: '#/definitions/redis' } },
  ],
};

const connectors: Schema = {
  type: 'object',
  description: 'Connectors by name. Names are referenced from mapping files (source, target, registry).',
  propertyNames: {
    pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
    patternErrorMessage: 'a connector name: letters, digits, - and _',
  },
  additionalProperties: { $ref: '#/definitions/connector' },
  examples: [{ 'kafka-local': { kind: 'kafka', brokers: ['localhost:9092'] } }],
};

const connectorDefinitions = { connector, kafka, pulsar, schemaRegistry: registry, redis };

const matcher = (what: string): Schema => ({
  type: 'string',
  description: `A ${what} name, or /regex/ (flags i, u allowed).`,
  minLength: 1,
});

const topicMatcher: Schema = {
  ...matcher('Kafka topic'),
  pattern: '^(/.+/[iu]*|[A-Za-z0-9._-]{1,249})$',
  patternErrorMessage: 'a Kafka topic name ([A-Za-z0-9._-]) or /regex/',
};

const topicMapping: Schema = {
  type: 'object',
  description: 'Which Kafka topics go to which Pulsar topics, and how records are carried.',
  additionalProperties: false,
  required: ['match', 'to'],
  properties: {
    match: { ...topicMatcher, examples: ['orders', '/^events\\..*/'] },
    exclude: {
      type: 'array',
      description: 'Topics not to take even though `match` selects them (names or /regex/).',
      items: topicMatcher,
      default: [],
      examples: [['events.internal']],
    },
    to: {
      type: 'string',
      description:
        'Pulsar topic template; {topic} is replaced by the Kafka topic name. Must be persistent:// or ' +
        'non-persistent://tenant/namespace/... Partitions map 1:1 (Kafka partition p -> Pulsar partition p).',
      pattern: '\\{topic\\}',
      patternErrorMessage: 'a Pulsar topic template containing {topic}, e.g. persistent://tenant/ns/{topic}',
      examples: ['persistent://shop/orders/{topic}'],
    },
    schema: {
      enum: [...D.TOPIC_SCHEMAS],
      description:
        'How values are typed in Pulsar: registry (translate the Schema Registry schema; needs `registry`), ' +
        'bytes, string or json.',
      default: D.TOPIC_DEFAULTS.schema,
    },
    route: {
      enum: [...D.ROUTES],
      description: 'Where the HTTP facade sends this topic: kafka, pulsar or dual (both).',
      default: D.TOPIC_DEFAULTS.route,
    },
    keys: {
      type: 'object',
      description: 'Kafka keys become Pulsar partition and ordering keys.',
      additionalProperties: false,
      properties: {
        binary: {
          enum: [...D.KEY_BINARY],
          description:
            'Keys that are not valid UTF-8: base64 (encode, flag the message as base64 key) or dead-letter.',
          default: D.TOPIC_DEFAULTS.keysBinary,
        },
        schema: {
          enum: [...D.KEY_SCHEMAS],
          description:
            'schema: registry — registry-framed keys: plain (carried as bytes), string (decoded to a canonical ' +
            'string partition key) or keyvalue (a Pulsar KeyValue schema, SEPARATED encoding).',
          default: D.TOPIC_DEFAULTS.keysSchema,
        },
      },
    },
    headers: {
      type: 'object',
      description: 'Kafka headers become Pulsar properties.',
      additionalProperties: false,
      properties: {
        encoding: {
          enum: [...D.HEADER_ENCODINGS],
          description:
            'lossless: binary and repeated headers survive (documented encoding); utf8: plain strings only.',
          default: D.TOPIC_DEFAULTS.headersEncoding,
        },
      },
    },
    deadLetter: {
      type: 'string',
      description: 'Pulsar topic for records that cannot be mapped (may contain {topic}).',
      examples: ['persistent://shop/dlq/{topic}'],
    },
    provenance: {
      type: 'boolean',
      description: 'Add source topic, partition and offset as message properties.',
      default: D.TOPIC_DEFAULTS.provenance,
    },
    subjectStrategy: {
      enum: [...D.SUBJECT_STRATEGIES],
      description:
        'schema: registry — how the producers name registry subjects: TopicName (<topic>-value), RecordName ' +
        '(<record>) or TopicRecordName (<topic>-<record>). Used for the compatibility level and by plan.',
      default: D.TOPIC_DEFAULTS.subjectStrategy,
    },
    schemaCompatibility: {
      enum: [...D.SCHEMA_COMPATIBILITIES],
      description:
        "The Pulsar topic's schema compatibility strategy: registry (the subject's level mapped; NONE becomes " +
        'ALWAYS_COMPATIBLE), keep (leave the topic as it is), or a Pulsar strategy.',
      default: D.TOPIC_DEFAULTS.schemaCompatibility,
    },
    validateBodies: {
      type: 'boolean',
      description:
        'Decode every record body against its schema so corrupt ones go to the dead-letter topic (costs a decode per record).',
      default: D.TOPIC_DEFAULTS.validateBodies,
    },
    avroSchema: {
      type: 'string',
      description: 'schema: json — an .avsc file (relative to the mapping file): JSON values are written as typed Avro.',
      examples: ['schemas/order.avsc'],
    },
  },
};

const groupMapping: Schema = {
  type: 'object',
  description: 'A Kafka consumer group (or a pattern of them) and the Pulsar subscription it becomes.',
  additionalProperties: false,
  required: ['match'],
  properties: {
    match: { ...matcher('Kafka consumer group'), examples: ['billing', '/^billing-.*/'] },
    subscription: {
      type: 'string',
      minLength: 1,
      description: 'Pulsar subscription name; {group} is replaced by the group name (needed with a /regex/).',
      default: D.GROUP_DEFAULTS.subscription,
      examples: ['billing'],
    },
    type: {
      enum: [...D.SUBSCRIPTION_TYPES],
      description: 'Pulsar subscription type.',
      default: D.GROUP_DEFAULTS.type,
    },
    whenNoOffset: {
      enum: [...D.WHEN_NO_OFFSET],
      description: 'Where the subscription starts for a partition the group never committed.',
      default: D.GROUP_DEFAULTS.whenNoOffset,
    },
  },
};

const connectorName = (kind: string): Schema => ({
  type: 'string',
  minLength: 1,
  description: `Name of a ${kind} connector.`,
});

export const connectorsFileSchema: Schema = {
  $schema: DRAFT,
  title: 'k2p connectors file',
  description: 'How to reach Kafka, Pulsar, the Schema Registry and Redis. Secrets only as ${VAR}.',
  type: 'object',
  additionalProperties: false,
  required: ['connectors'],
  properties: { connectors },
  definitions: connectorDefinitions,
};

export const mappingsFileSchema: Schema = {
  $schema: DRAFT,
  title: 'k2p mapping file',
  description: 'What moves from one Kafka cluster to one Pulsar cluster, and how. May also hold connectors.',
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { ...connectorName('kafka'), examples: ['kafka-local'] },
    target: { ...connectorName('pulsar'), examples: ['pulsar-local'] },
    registry: { ...connectorName('schema-registry'), examples: ['registry-local'] },
    topics: {
      type: 'array',
      description: 'Topic mappings.',
      items: { $ref: '#/definitions/topicMapping' },
      default: [],
    },
    groups: {
      type: 'array',
      description: 'Group mappings.',
      items: { $ref: '#/definitions/groupMapping' },
      default: [],
    },
    connectors,
  },
  dependencies: {
    source: ['target'],
    target: ['source'],
    registry: ['source', 'target'],
    topics: ['source', 'target'],
    groups: ['source', 'target'],
  },
  definitions: { topicMapping, groupMapping, ...connectorDefinitions },
};

/** Keys that make a file a mapping file (the rest is connectors). */
export const MAPPING_KEYS = ['source', 'target', 'registry', 'topics', 'groups'] as const;
