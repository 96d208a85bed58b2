// The OpenAPI 3.0 document of the facade's REST Proxy API (v2 and v3), served at `GET /openapi.json`. Every
// error answers Confluent's `{error_code, message}` (the `default` response of each operation); the fuzz test
// (test/facade/fuzz.test.ts) holds the facade to this document.

const V2 = 'application/vnd.kafka.v2+json';
const V2_EMBEDDED = ['binary', 'json', 'avro', 'jsonschema', 'protobuf'].map((f) => `application/vnd.kafka.${f}.v2+json`);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const int = { type: 'integer' };
const str = { type: 'string' };
const nullable = (schema: object) => ({ ...schema, nullable: true });
const obj = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) });

const pathParam = (name: string, schema: object, description: string) => ({ name, in: 'path', required: true, description, schema });
const topic = pathParam('topic', str, 'Kafka topic name (its route decides the side: kafka, pulsar or dual)');
const partition = pathParam('partition', { type: 'integer', minimum: 0 }, 'partition index');
const group = pathParam('group', str, 'consumer group');
const instance = pathParam('instance', str, 'consumer instance id');
const cluster = pathParam('cluster_id', str, "the Kafka cluster's id");
const v3Topic = pathParam('topic_name', str, 'Kafka topic name');
const v3Partition = pathParam('partition_id', { type: 'integer', minimum: 0 }, 'partition index');

const errorResponse = { description: "Confluent's error format: error_code (the HTTP status, or a 5-digit code whose first three digits are the status) and message", content: { [V2]: { schema: ref('Error') }, 'application/json': { schema: ref('Error') } } };

function op(summary: string, status: number, schema: object | undefined, extra: Record<string, unknown> = {}, produces: readonly string[] = [V2, 'application/json']): object {
  const ok = schema ? { description: summary, content: Object.fromEntries(produces.map((t) => [t, { schema }])) } : { description: summary };
  return { summary, ...extra, responses: { [String(status)]: ok, default: errorResponse } };
}

const body = (schema: object, types: readonly string[] = [V2, 'application/json']) => ({ requestBody: { required: true, content: Object.fromEntries(types.map((t) => [t, { schema }])) } });
const v2Json = (schema: object) => body(schema, [V2, 'application/json']);

const topicPartitions = obj({ partitions: { type: 'array', items: ref('TopicPartition') } }, ['partitions']);
const topicPartitionOffsets = obj({ offsets: { type: 'array', items: ref('TopicPartitionOffset') } }, ['offsets']);

const schemas: Record<string, object> = {
  Error: obj({ error_code: int, message: str }, ['error_code', 'message']),
  Partition: obj(
    { partition: int, leader: int, replicas: { type: 'array', items: obj({ broker: int, leader: { type: 'boolean' }, in_sync: { type: 'boolean' } }, ['broker', 'leader', 'in_sync']) } },
    ['partition', 'leader', 'replicas'],
  ),
  Topic: obj({ name: str, configs: { type: 'object' }, partitions: { type: 'array', items: ref('Partition') } }, ['name', 'configs', 'partitions']),
  Offsets: obj({ beginning_offset: int, end_offset: int }, ['beginning_offset', 'end_offset']),
  ProduceRecord: obj({ key: {}, value: {}, partition: nullable({ type: 'integer', minimum: 0 }) }),
  ProduceRequest: obj(
    {
      records: { type: 'array', minItems: 1, items: ref('ProduceRecord') },
      key_schema: nullable(str),
      key_schema_id: nullable(int),
      value_schema: nullable(str),
      value_schema_id: nullable(int),
    },
    ['records'],
  ),
  ProduceResponse: obj(
    {
      offsets: { type: 'array', items: obj({ partition: nullable(int), offset: nullable(int), error_code: nullable(int), error: nullable(str) }, ['partition', 'offset', 'error_code', 'error']) },
      key_schema_id: nullable(int),
      value_schema_id: nullable(int),
    },
    ['offsets', 'key_schema_id', 'value_schema_id'],
  ),
  CreateConsumer: obj({
    name: str,
    format: { type: 'string', enum: ['binary', 'json', 'avro', 'jsonschema', 'protobuf'] },
    'auto.offset.reset': { type: 'string', enum: ['latest', 'earliest', 'none'] },
    'auto.commit.enable': { type: 'string', enum: ['true', 'false'] },
    'fetch.min.bytes': int,
    'consumer.request.timeout.ms': int,
  }),
  ConsumerInstance: obj({ instance_id: str, base_uri: str }, ['instance_id', 'base_uri']),
  TopicPartition: obj({ topic: str, partition: { type: 'integer', minimum: 0 } }, ['topic', 'partition']),
  TopicPartitionOffset: obj({ topic: str, partition: { type: 'integer', minimum: 0 }, offset: { type: 'integer', minimum: 0 } }, ['topic', 'partition', 'offset']),
  ConsumerRecord: obj({ topic: str, key: {}, value: {}, partition: int, offset: int }, ['topic', 'key', 'value', 'partition', 'offset']),
  V3Data: obj({ type: { type: 'string', enum: ['BINARY', 'JSON', 'STRING', 'AVRO', 'JSONSCHEMA', 'PROTOBUF'] }, data: {}, subject: str, subject_name_strategy: str, schema_id: int, schema_version: int, schema: str }),
  V3ProduceRequest: obj({
    partition_id: nullable({ type: 'integer', minimum: 0 }),
    headers: { type: 'array', items: obj({ name: str, value: nullable({ type: 'string', format: 'byte' }) }, ['name']) },
    key: ref('V3Data'),
    value: ref('V3Data'),
    timestamp: nullable({ type: 'string', format: 'date-time' }),
  }),
  V3ProduceResponse: obj({ error_code: int, cluster_id: str, topic_name: str, partition_id: int, offset: int, timestamp: nullable(str), key: nullable({ type: 'object' }), value: nullable({ type: 'object' }) }, ['error_code']),
  V3BatchRequest: obj({ entries: { type: 'array', minItems: 1, items: { allOf: [obj({ id: str }, ['id']), ref('V3ProduceRequest')] } } }, ['entries']),
  V3BatchResponse: obj({ successes: { type: 'array', items: { type: 'object' } }, failures: { type: 'array', items: obj({ id: nullable(str), error_code: int, message: str }, ['error_code']) } }, ['successes', 'failures']),
  V3Resource: obj({ kind: str, metadata: { type: 'object' } }, ['kind', 'metadata']),
  V3List: obj({ kind: str, metadata: { type: 'object' }, data: { type: 'array', items: { type: 'object' } } }, ['kind', 'metadata', 'data']),
};

/** The facade's OpenAPI document (the server's own URL is the base). */
export function facadeOpenApi(): object {
  const inst = '/consumers/{group}/instances/{instance}';
  const instParams = { parameters: [group, instance] };
  const produce = (params: object[]) => op('Produce records (embedded format from Content-Type)', 200, ref('ProduceResponse'), { parameters: params, ...body(ref('ProduceRequest'), [...V2_EMBEDDED, V2, 'application/json']) });
  const paths: Record<string, Record<string, object>> = {
    '/': { get: op('Root', 200, { type: 'object' }), post: op('Root', 200, { type: 'object' }) },
    '/brokers': { get: op('Broker ids', 200, obj({ brokers: { type: 'array', items: int } }, ['brokers'])) },
    '/topics': { get: op('Topic names', 200, { type: 'array', items: str }) },
    '/topics/{topic}': { get: op('Topic metadata', 200, ref('Topic'), { parameters: [topic] }), post: produce([topic]) },
    '/topics/{topic}/partitions': { get: op('Partitions', 200, { type: 'array', items: ref('Partition') }, { parameters: [topic] }) },
    '/topics/{topic}/partitions/{partition}': { get: op('One partition', 200, ref('Partition'), { parameters: [topic, partition] }), post: produce([topic, partition]) },
    '/topics/{topic}/partitions/{partition}/offsets': { get: op('First and next offset', 200, ref('Offsets'), { parameters: [topic, partition] }) },
    '/consumers/{group}': { post: op('Create a consumer instance', 200, ref('ConsumerInstance'), { parameters: [group], ...v2Json(ref('CreateConsumer')) }) },
    [inst]: { delete: op('Delete the instance', 204, undefined, instParams) },
    [`${inst}/subscription`]: {
      post: op('Subscribe (topics or topic_pattern)', 204, undefined, { ...instParams, ...v2Json({ oneOf: [obj({ topics: { type: 'array', minItems: 1, items: str } }, ['topics']), obj({ topic_pattern: str }, ['topic_pattern'])] }) }),
      get: op('Subscribed topics', 200, obj({ topics: { type: 'array', items: str } }, ['topics']), instParams),
      delete: op('Unsubscribe', 204, undefined, instParams),
    },
    [`${inst}/assignments`]: {
      post: op('Assign partitions', 204, undefined, { ...instParams, ...v2Json(topicPartitions) }),
      get: op('Assigned partitions', 200, topicPartitions, instParams),
    },
    [`${inst}/positions`]: { post: op('Seek', 204, undefined, { ...instParams, ...v2Json(topicPartitionOffsets) }) },
    [`${inst}/positions/beginning`]: { post: op('Seek to the beginning', 204, undefined, { ...instParams, ...v2Json(topicPartitions) }) },
    [`${inst}/positions/end`]: { post: op('Seek to the end', 204, undefined, { ...instParams, ...v2Json(topicPartitions) }) },
    [`${inst}/records`]: {
      get: op('Fetch records', 200, { type: 'array', items: ref('ConsumerRecord') }, {
        parameters: [group, instance, { name: 'timeout', in: 'query', schema: { type: 'integer', minimum: 0 } }, { name: 'max_bytes', in: 'query', schema: { type: 'integer', minimum: 0 } }],
      }, V2_EMBEDDED),
    },
    [`${inst}/offsets`]: {
      post: op('Commit offsets (all fetched when empty)', 200, undefined, { ...instParams, requestBody: { required: false, content: { [V2]: { schema: topicPartitionOffsets }, 'application/json': { schema: topicPartitionOffsets } } } }),
      get: op('Committed offsets (partitions in a GET body)', 200, obj({ offsets: { type: 'array', items: { type: 'object' } } }, ['offsets']), instParams),
    },
    '/v3/clusters': { get: op('The cluster', 200, ref('V3List'), {}, ['application/json']) },
    '/v3/clusters/{cluster_id}': { get: op('One cluster', 200, ref('V3Resource'), { parameters: [cluster] }, ['application/json']) },
    '/v3/clusters/{cluster_id}/topics': { get: op('Topics', 200, ref('V3List'), { parameters: [cluster] }, ['application/json']) },
    '/v3/clusters/{cluster_id}/topics/{topic_name}': { get: op('One topic', 200, ref('V3Resource'), { parameters: [cluster, v3Topic] }, ['application/json']) },
    '/v3/clusters/{cluster_id}/topics/{topic_name}/partitions': { get: op('Partitions', 200, ref('V3List'), { parameters: [cluster, v3Topic] }, ['application/json']) },
    '/v3/clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}': { get: op('One partition', 200, ref('V3Resource'), { parameters: [cluster, v3Topic, v3Partition] }, ['application/json']) },
    '/v3/clusters/{cluster_id}/topics/{topic_name}/records': {
      post: op('Produce one record (or a stream of concatenated records: one report per line)', 200, ref('V3ProduceResponse'), { parameters: [cluster, v3Topic], ...body(ref('V3ProduceRequest'), ['application/json']) }, ['application/json']),
    },
    '/v3/clusters/{cluster_id}/topics/{topic_name}/records:batch': {
      post: op('Produce a batch (all-or-nothing when an entry is invalid)', 207, ref('V3BatchResponse'), { parameters: [cluster, v3Topic], ...body(ref('V3BatchRequest'), ['application/json']) }, ['application/json']),
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: 'kafka-pulsar-gateway REST Proxy facade',
      version: '1',
      description: 'Confluent REST Proxy API v2 and v3 in front of Kafka, Pulsar or both (route per topic, docs/facade.md). Errors: {"error_code", "message"}.',
    },
    paths,
    components: { schemas },
  };
}
