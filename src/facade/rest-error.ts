// Confluent REST Proxy errors: `{"error_code": <int>, "message": <string>}` with the HTTP status given by
// the code's first three digits (40401 → 404). Thrown by routes and formats; the server's error handler
// writes them. Any other error becomes a 500 (50001) only for our own failures, never for client input.
export const CODES = {
  BAD_REQUEST: 400,
  CONSUMER_CONFIG: 40001,
  KAFKA_BAD_REQUEST: 40002,
  UNAUTHORIZED: 40101,
  FORBIDDEN: 40301,
  TOPIC_NOT_FOUND: 40401,
  PARTITION_NOT_FOUND: 40402,
  INSTANCE_NOT_FOUND: 40403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  FORMAT_MISMATCH: 40601,
  NOT_ACCEPTABLE: 406,
  SCHEMA_REGISTRY: 40801,
  ALREADY_SUBSCRIBED: 40901,
  INSTANCE_EXISTS: 40902,
  ILLEGAL_STATE: 40903,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  KEY_SCHEMA_MISSING: 42201,
  VALUE_SCHEMA_MISSING: 42202,
  JSON_CONVERSION: 42203,
  INVALID_CONSUMER_CONFIG: 42204,
  INVALID_SCHEMA: 42205,
  INVALID_PAYLOAD: 42206,
  SERIALIZATION: 42207,
  BATCH_VALIDATION: 42208,
  UNPROCESSABLE: 422,
  INTERNAL: 50001,
  KAFKA_ERROR: 50002,
  KAFKA_RETRIABLE: 50003,
  BROKER_NOT_AVAILABLE: 50302,
} as const;

export class RestError extends Error {
  readonly status: number;

  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RestError';
    this.status = errorCode >= 1000 ? Math.floor(errorCode / 100) : errorCode;
  }

  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const topicNotFound = (topic: string): RestError => new RestError(CODES.TOPIC_NOT_FOUND, `Topic ${topic} not found.`);
export const partitionNotFound = (topic: string, partition: number): RestError =>
  new RestError(CODES.PARTITION_NOT_FOUND, `Partition ${partition} of topic ${topic} not found.`);
export const instanceNotFound = (): RestError => new RestError(CODES.INSTANCE_NOT_FOUND, 'Consumer instance not found.');
