// The one error catalog of the project. Every error a user can meet has a code here, a one-line meaning
// (kept in docs/errors.md — test/errors.test.ts checks both ways) and whether retrying can help.

export interface ErrorSpec {
  /** What went wrong, in a sentence a user understands. */
  readonly meaning: string;
  /** True when the same call may succeed later (network, broker restart, leader change). */
  readonly canRetry: boolean;
}

export const ERROR_CATALOG = {
  // configuration files
  K2P_CFG_INVALID: { meaning: 'A configuration file does not match its schema.', canRetry: false },
  K2P_CFG_ENV_MISSING: { meaning: 'A ${VAR} reference names an environment variable that is not set.', canRetry: false },

  // Pulsar wire protocol (bytes)
  K2P_PLS_FRAME: { meaning: 'A Pulsar frame is malformed or larger than allowed.', canRetry: false },
  K2P_PLS_CHECKSUM: { meaning: 'A Pulsar message failed its CRC32C checksum.', canRetry: false },
  K2P_PLS_DECODE: { meaning: 'A Pulsar protobuf message could not be decoded.', canRetry: false },
  K2P_PLS_ENCODE: { meaning: 'A Pulsar command or message could not be encoded (missing or out-of-range field).', canRetry: false },
  K2P_PLS_COMPRESSION: { meaning: 'A Pulsar payload could not be compressed or decompressed.', canRetry: false },

  // Pulsar client
  K2P_PLS_CONNECT: { meaning: 'Could not connect to a Pulsar broker.', canRetry: true },
  K2P_PLS_DISCONNECTED: { meaning: 'The connection to the Pulsar broker was lost.', canRetry: true },
  K2P_PLS_TIMEOUT: { meaning: 'A Pulsar request got no answer in time.', canRetry: true },
  K2P_PLS_SERVER: { meaning: 'The Pulsar broker answered with an error.', canRetry: false },
  K2P_PLS_LOOKUP: { meaning: 'A Pulsar topic lookup failed.', canRetry: true },
  K2P_PLS_TOPIC_NAME: { meaning: 'A Pulsar topic name is not valid.', canRetry: false },
  K2P_PLS_CLOSED: { meaning: 'The Pulsar producer, consumer or client is closed.', canRetry: false },
  K2P_PLS_MESSAGE_TOO_LARGE: { meaning: 'A message is larger than the broker accepts and chunking is off.', canRetry: false },
  K2P_PLS_SEND_TIMEOUT: { meaning: 'A message was not acknowledged by the broker within the send timeout.', canRetry: true },
  K2P_PLS_ADMIN: { meaning: 'A Pulsar admin REST call failed.', canRetry: false },
  K2P_PLS_AUTH: { meaning: 'The Pulsar broker refused the connector\'s credentials (token missing, wrong, expired, or not allowed).', canRetry: false },
  K2P_PLS_TLS: { meaning: 'TLS to the Pulsar broker failed: its certificate is not trusted by the connector\'s CA or does not match the host.', canRetry: false },

  // Kafka
  K2P_KFK_CONNECT: { meaning: 'Could not reach the Kafka cluster.', canRetry: true },
  K2P_KFK_AUTH: { meaning: 'The Kafka cluster refused the connector\'s SASL credentials (user, password or mechanism).', canRetry: false },
  K2P_KFK_TLS: { meaning: 'TLS to a Kafka broker failed: its certificate is not trusted by the connector\'s CA or does not match the host.', canRetry: false },
  K2P_KFK_ADMIN: { meaning: 'A Kafka admin request (topics, configs, offsets, groups) failed.', canRetry: false },
  K2P_KFK_PROTOCOL: { meaning: 'A Kafka broker\'s answer could not be read: malformed, a record format other than v2, or no API version both sides speak.', canRetry: false },
  K2P_KFK_PRODUCE: { meaning: 'Kafka refused a produce request or did not acknowledge it (the error names the partition and Kafka\'s error).', canRetry: false },
  K2P_KFK_CODEC: { meaning: 'A Kafka record batch could not be compressed or decompressed.', canRetry: false },
  K2P_KFK_FETCH: { meaning: 'Chosen Kafka records could not be read again with the gateway\'s own fetch client (a broker error, or a record no longer there).', canRetry: true },

  // the mirror
  K2P_MIRROR_CONFIG: { meaning: 'A mapping cannot be carried out on these clusters (partition counts, names, policies).', canRetry: false },
  K2P_MIRROR_RECORD: { meaning: 'A Kafka record cannot be turned into a Pulsar message; it goes to the dead-letter topic (or its partition pauses) with this reason.', canRetry: false },
  K2P_MIRROR_PAUSED: { meaning: 'A partition stopped at a record it cannot map and no dead-letter topic is configured; nothing after it is written until it is resumed.', canRetry: false },
  K2P_MIRROR_TOPIC_DELETED: { meaning: 'A mirrored Kafka topic was deleted: its mirror stopped (what Pulsar holds stays); the other topics keep flowing.', canRetry: false },
  K2P_MIRROR_MAPPING: { meaning: 'A Pulsar message does not follow the record mapping (docs/record-mapping.md), so it cannot be turned back into a Kafka record.', canRetry: false },

  // verification
  K2P_VERIFY_INPUT: { meaning: 'A verification was asked for something it cannot do (an unknown or unmapped topic, a bound that is neither an offset nor a time, sampling in dual-write mode).', canRetry: false },
  K2P_VERIFY_DIVERGENT: { meaning: 'Verification found Kafka and Pulsar (or a group and its subscription) not identical; the report lists where.', canRetry: false },
  K2P_VERIFY_INCOMPLETE: { meaning: 'A verification could not read a side to the end it knew before starting (Kafka end offset, Pulsar last message id) within its read timeout: nothing is proven, the run is not identical.', canRetry: true },

  // schema translation
  K2P_SCH_FRAME: { meaning: 'A record is not in the Schema Registry wire format (magic byte 0, 4-byte schema id, Protobuf message indexes).', canRetry: false },
  K2P_SCH_UNKNOWN_ID: { meaning: 'The Schema Registry does not know the schema id (or subject version) a record refers to.', canRetry: false },
  K2P_SCH_REGISTRY: { meaning: 'The Schema Registry could not be reached or answered with an error.', canRetry: true },
  K2P_SCH_TRANSLATE: { meaning: 'A registry schema cannot be turned into a Pulsar schema (invalid, unsupported construct, or a reference missing).', canRetry: false },
  K2P_SCH_INCOMPATIBLE: { meaning: 'Pulsar refused a schema as incompatible with the schemas of the topic under its compatibility strategy.', canRetry: false },
  K2P_SCH_BODY: { meaning: 'A record body does not match its schema (corrupt Avro or Protobuf, JSON that does not parse, text that is not UTF-8).', canRetry: false },
  // consumer-group offsets (translation, sync, cutover, rollback)
  K2P_OFF_UNKNOWN_GROUP: { meaning: 'No group mapping takes this Kafka consumer group, so it has no Pulsar subscription to translate to.', canRetry: false },
  K2P_OFF_GROUP_ACTIVE: { meaning: 'The Kafka consumer group still has active members; cutover and rollback need it stopped. Nothing was changed.', canRetry: true },
  K2P_OFF_MIRROR_BEHIND: { meaning: 'The mirror has not yet stored in Pulsar everything the group could have consumed. Nothing was changed.', canRetry: true },
  K2P_OFF_UNKNOWN_SUBSCRIPTION: { meaning: 'The Pulsar subscription (or its topic partition) that a translation needs does not exist. Nothing was changed.', canRetry: false },
  K2P_OFF_SUBSCRIPTION_ACTIVE: { meaning: 'A Pulsar consumer is attached to the subscription, so its position cannot be moved or read as final. Nothing was changed.', canRetry: true },
  K2P_OFF_UNTRANSLATABLE: { meaning: 'A position cannot be translated exactly (messages without Kafka offsets, out of Kafka order, or acknowledged with holes). Nothing was changed.', canRetry: false },
  K2P_OFF_STATE: { meaning: 'The group is not in a state that allows this operation (e.g. rollback of a group that was never cut over). Nothing was changed.', canRetry: false },
  K2P_OFF_BROKER_SETTING: { meaning: 'The Pulsar broker lacks a setting exact translation needs (acknowledgmentAtBatchIndexLevelEnabled=true).', canRetry: false },

  // runs (plan → provision → mirror → sync → verify → cutover as jobs)
  K2P_RUN_NOT_FOUND: { meaning: 'No run has this id (in this Redis and key prefix).', canRetry: false },
  K2P_RUN_STATE: { meaning: 'The run is not in a state that allows this operation (e.g. resume of a run that is not paused or failed, cutover before verification). Nothing was changed.', canRetry: false },
  K2P_RUN_INPUT: { meaning: 'A run was asked for something it cannot do (no config files, a group operation on a run without group mappings).', canRetry: false },
  K2P_RUN_STEP_FAILED: { meaning: 'A run step failed with an error that is not the gateway\'s own (a library or network error); it is retried with backoff, and fails the run once its attempts are used up.', canRetry: true },

  // admin HTTP API
  K2P_ADMIN_AUTH: { meaning: 'The admin API request has no bearer token, or not the right one.', canRetry: false },
  K2P_ADMIN_NO_TOKEN: { meaning: 'The admin API refuses to listen on a non-loopback address without a token (set K2P_ADMIN_TOKEN).', canRetry: false },
  K2P_ADMIN_VALIDATION: { meaning: 'An admin API request does not match the endpoint\'s schema (body, path or query); the answer names the field.', canRetry: false },
  K2P_ADMIN_NOT_FOUND: { meaning: 'No admin API endpoint (or resource under it) at this path.', canRetry: false },
  K2P_ADMIN_UNAVAILABLE: { meaning: 'What the admin API endpoint needs is not running in this process (e.g. routes without the HTTP facade).', canRetry: true },
  K2P_ADMIN_INTERNAL: { meaning: 'The admin API met an unexpected error (not one of the gateway\'s own codes); the gateway log has the details.', canRetry: true },

  // REST Proxy facade (client mistakes are answered in Confluent's format, not with these)
  K2P_HTTP_INTERNAL: { meaning: 'The REST Proxy facade met an unexpected error (not one of the gateway\'s own codes); the client gets HTTP 500 with error_code 50001, the gateway log has the details under this code.', canRetry: true },
  K2P_HTTP_CONSUMER_STORE: { meaning: 'The facade could not read or write consumer-instance state in Redis (the redis connector); the client gets 50003 (retriable).', canRetry: true },

} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** The error every module of the project throws. `details` says where and what was expected. */
export class K2pError extends Error {
  readonly code: ErrorCode;
  readonly canRetry: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options: { cause?: unknown; canRetry?: boolean } = {},
  ) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.name = 'K2pError';
    this.code = code;
    // A code's default can be overridden where the cause knows better (e.g. a broker's ServiceNotReady).
    this.canRetry = options.canRetry ?? ERROR_CATALOG[code].canRetry;
    this.details = Object.freeze({ ...details });
  }
}

export function isK2pError(err: unknown, code?: ErrorCode): err is K2pError {
  return err instanceof K2pError && (code === undefined || err.code === code);
}
