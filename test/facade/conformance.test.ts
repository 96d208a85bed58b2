// Conformance with Confluent's REST Proxy API reference: its documented request/response examples (v2 topics,
// brokers, partitions, produce in the binary, json, avro, jsonschema and protobuf formats, the consumer-instance
// lifecycle, errors; v3 clusters, topics, partitions, produce, streaming and records:batch), replayed against
// the facade on each route (kafka, pulsar, dual). One table of examples, run in order per route; each checks the
// status, the content type and the exact shape of the body (every key, no more, each value's type).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Route } from '../../src/facade/route-table.js';
import { dropSubjectAfter } from '../helpers/schema.js';
import { uniqueName } from '../helpers/stack.js';
import { topics } from './fixture.js';
import { schemaConfig, schemaFacade } from './schema-fixture.js';

// ---- shapes: 'string' | 'integer' | 'number' | 'boolean' | 'null' (unions with |), [elem] (non-empty array of
// elem), {key: shape} (exactly these keys), {$eq: value}, {$any: true}
type Shape = string | Shape[] | { [key: string]: Shape } | { $eq: unknown } | { $any: true };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function assertShape(actual: unknown, shape: Shape, at = '$'): void {
  if (typeof shape === 'string') {
    const t = typeOf(actual);
    const allowed = shape.split('|');
    assert.ok(allowed.includes(t) || (t === 'integer' && allowed.includes('number')), `${at}: expected ${shape}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (Array.isArray(shape)) {
    assert.ok(Array.isArray(actual), `${at}: expected an array, got ${JSON.stringify(actual)}`);
    if (shape.length === 0) return assert.deepEqual(actual, [], `${at}: expected []`);
    assert.ok(actual.length > 0, `${at}: expected a non-empty array`);
    actual.forEach((v, i) => assertShape(v, shape[0]!, `${at}[${i}]`));
    return;
  }
  if ('$eq' in shape) return assert.deepEqual(actual, shape.$eq, `${at}`);
  if ('$any' in shape) return;
  assert.equal(typeOf(actual), 'object', `${at}: expected an object, got ${JSON.stringify(actual)}`);
  assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(shape).sort(), `${at}: keys`);
  for (const [k, s] of Object.entries(shape)) assertShape((actual as Record<string, unknown>)[k], s as Shape, `${at}.${k}`);
}

// ---- the examples

interface Ctx {
  route: Route;
  /** binary/json topic (schema: bytes), and one topic per schema format (schema: registry); 2 partitions each. */
  main: string;
  avro: string;
  json: string;
  proto: string;
  cluster: string;
  group: string;
  avroGroup: string;
  /** Values kept between examples (schema ids, offsets). */
  saved: Record<string, unknown>;
}

interface Example {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: (c: Ctx) => string;
  contentType?: string;
  accept?: string;
  body?: (c: Ctx) => unknown;
  /** A raw body (v3 streaming). */
  raw?: (c: Ctx) => string;
  status: number;
  /** Expected Content-Type (essence); none for 204. */
  type?: string;
  shape?: (c: Ctx) => Shape;
  /** Further checks, and values to keep for later examples. */
  check?: (body: unknown, c: Ctx) => void;
  /** Repeat the request until check passes (records polls), at most this long. */
  retryMs?: number;
}

const V2 = 'application/vnd.kafka.v2+json';
const BINARY = 'application/vnd.kafka.binary.v2+json';
const JSONF = 'application/vnd.kafka.json.v2+json';
const AVRO = 'application/vnd.kafka.avro.v2+json';
const JSONSCHEMA = 'application/vnd.kafka.jsonschema.v2+json';
const PROTOBUF = 'application/vnd.kafka.protobuf.v2+json';
const JSON_T = 'application/json';

const offsetsShape: Shape = { offsets: [{ partition: 'integer', offset: 'integer', error_code: 'null', error: 'null' }], key_schema_id: 'integer|null', value_schema_id: 'integer|null' };
const errorShape = (code: number): Shape => ({ error_code: { $eq: code }, message: 'string' });
const partitionShape: Shape = { partition: 'integer', leader: 'integer', replicas: [{ broker: 'integer', leader: 'boolean', in_sync: 'boolean' }] };
const recordShape: Shape = { topic: 'string', key: 'string|null', value: 'string', partition: 'integer', offset: 'integer' };
const meta = (withNext: boolean): Shape => (withNext ? { self: 'string', next: 'null' } : { self: 'string', resource_name: 'string' });
const v3Part = (type: string, schema = false): Shape => (schema ? { type: { $eq: type }, size: 'integer', schema_id: 'integer', subject: 'string', schema_version: 'integer' } : { type: { $eq: type }, size: 'integer' });
const v3Report = (c: Ctx, topic: string, key: Shape, value: Shape): Shape => ({
  error_code: { $eq: 200 },
  cluster_id: { $eq: c.cluster },
  topic_name: { $eq: topic },
  partition_id: 'integer',
  offset: 'integer',
  timestamp: 'string',
  key,
  value,
});
const consumerBase = (c: Ctx, group = c.group, name = 'my_consumer') => `/consumers/${group}/instances/${name}`;

const EXAMPLES: Example[] = [
  // ---- v2: metadata
  { name: 'v2 GET /', method: 'GET', path: () => '/', accept: V2, status: 200, type: V2, shape: () => ({}) },
  { name: 'v2 GET /brokers', method: 'GET', path: () => '/brokers', accept: V2, status: 200, type: V2, shape: () => ({ brokers: ['integer'] }) },
  {
    name: 'v2 GET /topics',
    method: 'GET',
    path: () => '/topics',
    accept: V2,
    status: 200,
    type: V2,
    shape: () => ['string'],
    check: (b, c) => assert.ok((b as string[]).includes(c.main)),
  },
  { name: 'v2 GET /topics/{topic}', method: 'GET', path: (c) => `/topics/${c.main}`, accept: V2, status: 200, type: V2, shape: (c) => ({ name: { $eq: c.main }, configs: {}, partitions: [partitionShape] }) },
  { name: 'v2 GET /topics/{topic}/partitions', method: 'GET', path: (c) => `/topics/${c.main}/partitions`, accept: V2, status: 200, type: V2, shape: () => [partitionShape], check: (b) => assert.equal((b as unknown[]).length, 2) },
  { name: 'v2 GET /topics/{topic}/partitions/{p}', method: 'GET', path: (c) => `/topics/${c.main}/partitions/1`, status: 200, type: V2, shape: () => partitionShape, check: (b) => assert.equal((b as { partition: number }).partition, 1) },

  // ---- v2: produce (the reference's examples)
  {
    name: 'v2 produce binary',
    method: 'POST',
    path: (c) => `/topics/${c.main}`,
    contentType: BINARY,
    accept: V2,
    body: () => ({ records: [{ key: 'a2V5', value: 'Y29uZmx1ZW50' }, { value: 'a2Fma2E=', partition: 1 }, { value: 'bG9ncw==' }] }),
    status: 200,
    type: V2,
    shape: () => offsetsShape,
    check: (b) => {
      const r = b as { offsets: { partition: number }[]; key_schema_id: null; value_schema_id: null };
      assert.equal(r.offsets.length, 3);
      assert.equal(r.offsets[1]!.partition, 1);
      assert.deepEqual([r.key_schema_id, r.value_schema_id], [null, null]);
    },
  },
  {
    name: 'v2 produce json',
    method: 'POST',
    path: (c) => `/topics/${c.main}`,
    contentType: JSONF,
    accept: V2,
    body: () => ({ records: [{ key: 'somekey', value: { foo: 'bar' } }, { value: ['foo', 'bar'], partition: 1 }, { value: 53.5 }] }),
    status: 200,
    type: V2,
    shape: () => offsetsShape,
  },
  {
    name: 'v2 produce binary to a partition',
    method: 'POST',
    path: (c) => `/topics/${c.main}/partitions/1`,
    contentType: BINARY,
    accept: V2,
    body: () => ({ records: [{ key: 'a2V5', value: 'Y29uZmx1ZW50' }, { value: 'a2Fma2E=' }] }),
    status: 200,
    type: V2,
    shape: () => offsetsShape,
    check: (b) => assert.deepEqual((b as { offsets: { partition: number }[] }).offsets.map((o) => o.partition), [1, 1]),
  },
  {
    name: 'v2 produce avro with value_schema',
    method: 'POST',
    path: (c) => `/topics/${c.avro}`,
    contentType: AVRO,
    accept: V2,
    body: () => ({ value_schema: '{"name":"int","type": "int"}', records: [{ value: 12 }, { value: 24, partition: 1 }] }),
    status: 200,
    type: V2,
    shape: () => offsetsShape,
    check: (b, c) => {
      const r = b as { key_schema_id: null; value_schema_id: number };
      assert.equal(r.key_schema_id, null);
      assert.equal(typeof r.value_schema_id, 'number');
      c.saved.avroId = r.value_schema_id;
    },
  },
  {
    name: 'v2 produce avro with value_schema_id',
    method: 'POST',
    path: (c) => `/topics/${c.avro}`,
    contentType: AVRO,
    accept: V2,
    body: (c) => ({ value_schema_id: c.saved.avroId, records: [{ value: 36 }] }),
    status: 200,
    type: V2,
    shape: () => offsetsShape,
    check: (b, c) => assert.equal((b as { value_schema_id: number }).value_schema_id, c.saved.avroId),
  },
  {
    name: 'v2 produce jsonschema',
    method: 'POST',
    path: (c) => `/topics/${c.json}`,
    contentType: JSONSCHEMA,
    accept: V2,
    body: () => ({ value_schema: '{"type":"object","properties":{"f1":{"type":"string"}}}', records: [{ value: { f1: 'bar' } }] }),
    status: 200,
    type: V2,
    shape: () => offsetsShape,
    check: (b) => assert.equal(typeof (b as { value_schema_id: number }).value_schema_id, 'number'),
  },
  {
    name: 'v2 produce protobuf',
    method: 'POST',
    path: (c) => `/topics/${c.proto}`,
    contentType: PROTOBUF,
    accept: V2,
    body: () => ({ value_schema: 'syntax="proto3"; message MyRecord { string f1 = 1; }', records: [{ value: { f1: 'foo' } }] }),
    status: 200,
    type: V2,
    shape: () => offsetsShape,
    check: (b) => assert.equal(typeof (b as { value_schema_id: number }).value_schema_id, 'number'),
  },
  {
    name: 'v2 GET partition offsets',
    method: 'GET',
    path: (c) => `/topics/${c.main}/partitions/1/offsets`,
    status: 200,
    type: V2,
    shape: () => ({ beginning_offset: 'integer', end_offset: 'integer' }),
    check: (b) => assert.ok((b as { end_offset: number }).end_offset >= 3),
  },

  // ---- v2: errors
  { name: 'v2 unknown topic → 40401', method: 'GET', path: (c) => `/topics/${c.main}-missing`, status: 404, type: V2, shape: () => errorShape(40401) },
  { name: 'v2 unknown partition → 40402', method: 'GET', path: (c) => `/topics/${c.main}/partitions/99`, status: 404, type: V2, shape: () => errorShape(40402) },
  { name: 'v2 unsupported media type → 415', method: 'POST', path: (c) => `/topics/${c.main}`, contentType: 'text/plain', body: () => ({ records: [{ value: 'eA==' }] }), status: 415, type: V2, shape: () => errorShape(415) },
  { name: 'v2 not acceptable → 406', method: 'GET', path: () => '/topics', accept: 'text/html', status: 406, type: V2, shape: () => errorShape(406) },
  {
    name: 'v2 avro value not matching its schema → 42203',
    method: 'POST',
    path: (c) => `/topics/${c.avro}`,
    contentType: AVRO,
    body: (c) => ({ value_schema_id: c.saved.avroId, records: [{ value: 'twelve' }] }),
    status: 422,
    type: V2,
    shape: () => errorShape(42203),
  },
  { name: 'v2 avro value schema missing → 42202', method: 'POST', path: (c) => `/topics/${c.avro}`, contentType: AVRO, body: () => ({ records: [{ value: 1 }] }), status: 422, type: V2, shape: () => errorShape(42202) },
  { name: 'v2 avro unknown schema id → 42205', method: 'POST', path: (c) => `/topics/${c.avro}`, contentType: AVRO, body: () => ({ value_schema_id: 1_999_999_993, records: [{ value: 1 }] }), status: 422, type: V2, shape: () => errorShape(42205) },
  { name: 'v2 avro invalid schema → 42205', method: 'POST', path: (c) => `/topics/${c.avro}`, contentType: AVRO, body: () => ({ value_schema: '{"type": "bogus"}', records: [{ value: 1 }] }), status: 422, type: V2, shape: () => errorShape(42205) },

  // ---- v2: consumer instance lifecycle
  {
    name: 'v2 create consumer instance',
    method: 'POST',
    path: (c) => `/consumers/${c.group}`,
    contentType: V2,
    body: () => ({ name: 'my_consumer', format: 'binary', 'auto.offset.reset': 'earliest', 'auto.commit.enable': 'false' }),
    status: 200,
    type: V2,
    shape: () => ({ instance_id: { $eq: 'my_consumer' }, base_uri: 'string' }),
    check: (b, c) => assert.match((b as { base_uri: string }).base_uri, new RegExp(`/consumers/${c.group}/instances/my_consumer$`)),
  },
  { name: 'v2 create consumer instance again → 40902', method: 'POST', path: (c) => `/consumers/${c.group}`, contentType: V2, body: () => ({ name: 'my_consumer', format: 'binary' }), status: 409, type: V2, shape: () => errorShape(40902) },
  { name: 'v2 subscribe', method: 'POST', path: (c) => `${consumerBase(c)}/subscription`, contentType: V2, body: (c) => ({ topics: [c.main] }), status: 204 },
  { name: 'v2 GET subscription', method: 'GET', path: (c) => `${consumerBase(c)}/subscription`, accept: V2, status: 200, type: V2, shape: (c) => ({ topics: { $eq: [c.main] } }) },
  {
    name: 'v2 GET records (binary)',
    method: 'GET',
    path: (c) => `${consumerBase(c)}/records?timeout=1000&max_bytes=300000`,
    accept: BINARY,
    status: 200,
    type: BINARY,
    shape: () => [recordShape],
    retryMs: 60_000,
    check: (b, c) => {
      const all = [...((c.saved.records as { partition: number; offset: number }[] | undefined) ?? []), ...(b as { partition: number; offset: number }[])];
      c.saved.records = all;
      assert.equal(all.length, 8, `${all.length} of the 8 records produced so far`);
      c.saved.lastP1 = Math.max(...all.filter((r) => r.partition === 1).map((r) => r.offset));
    },
  },
  { name: 'v2 commit offsets', method: 'POST', path: (c) => `${consumerBase(c)}/offsets`, contentType: V2, body: (c) => ({ offsets: [{ topic: c.main, partition: 1, offset: c.saved.lastP1 }] }), status: 200 },
  {
    name: 'v2 GET committed offsets',
    method: 'GET',
    path: (c) => `${consumerBase(c)}/offsets`,
    contentType: V2,
    accept: V2,
    body: (c) => ({ partitions: [{ topic: c.main, partition: 1 }] }),
    status: 200,
    type: V2,
    shape: (c) => ({ offsets: [{ topic: { $eq: c.main }, partition: { $eq: 1 }, offset: { $eq: (c.saved.lastP1 as number) + 1 }, metadata: 'string' }] }),
  },
  { name: 'v2 DELETE subscription', method: 'DELETE', path: (c) => `${consumerBase(c)}/subscription`, status: 204 },
  { name: 'v2 assign partitions', method: 'POST', path: (c) => `${consumerBase(c)}/assignments`, contentType: V2, body: (c) => ({ partitions: [{ topic: c.main, partition: 0 }, { topic: c.main, partition: 1 }] }), status: 204 },
  {
    name: 'v2 GET assignments',
    method: 'GET',
    path: (c) => `${consumerBase(c)}/assignments`,
    status: 200,
    type: V2,
    shape: () => ({ partitions: [{ topic: 'string', partition: 'integer' }] }),
    check: (b) => assert.deepEqual((b as { partitions: { partition: number }[] }).partitions.map((p) => p.partition).sort(), [0, 1]),
  },
  { name: 'v2 seek', method: 'POST', path: (c) => `${consumerBase(c)}/positions`, contentType: V2, body: (c) => ({ offsets: [{ topic: c.main, partition: 1, offset: 1 }] }), status: 204 },
  { name: 'v2 seek to beginning', method: 'POST', path: (c) => `${consumerBase(c)}/positions/beginning`, contentType: V2, body: (c) => ({ partitions: [{ topic: c.main, partition: 0 }] }), status: 204 },
  { name: 'v2 seek to end', method: 'POST', path: (c) => `${consumerBase(c)}/positions/end`, contentType: V2, body: (c) => ({ partitions: [{ topic: c.main, partition: 1 }] }), status: 204 },
  {
    name: 'v2 GET records with the wrong format → 40601',
    method: 'GET',
    path: (c) => `${consumerBase(c)}/records?timeout=10`,
    accept: JSONF,
    status: 406,
    type: V2,
    shape: () => errorShape(40601),
  },
  { name: 'v2 DELETE consumer instance', method: 'DELETE', path: (c) => consumerBase(c), status: 204 },
  { name: 'v2 deleted instance → 40403', method: 'GET', path: (c) => `${consumerBase(c)}/records`, accept: BINARY, status: 404, type: V2, shape: () => errorShape(40403) },
  {
    name: 'v2 avro consumer',
    method: 'POST',
    path: (c) => `/consumers/${c.avroGroup}`,
    contentType: V2,
    body: () => ({ name: 'my_avro_consumer', format: 'avro', 'auto.offset.reset': 'earliest' }),
    status: 200,
    type: V2,
    shape: () => ({ instance_id: { $eq: 'my_avro_consumer' }, base_uri: 'string' }),
  },
  { name: 'v2 avro consumer subscribes', method: 'POST', path: (c) => `${consumerBase(c, c.avroGroup, 'my_avro_consumer')}/subscription`, contentType: V2, body: (c) => ({ topics: [c.avro] }), status: 204 },
  {
    name: 'v2 GET records (avro, decoded)',
    method: 'GET',
    path: (c) => `${consumerBase(c, c.avroGroup, 'my_avro_consumer')}/records?timeout=1000`,
    accept: AVRO,
    status: 200,
    type: AVRO,
    shape: () => [{ topic: 'string', key: 'null', value: 'integer', partition: 'integer', offset: 'integer' }],
    retryMs: 60_000,
    check: (b, c) => {
      const all = [...((c.saved.avroRecords as { value: number }[] | undefined) ?? []), ...(b as { value: number }[])];
      c.saved.avroRecords = all;
      assert.deepEqual(all.map((r) => r.value).sort((x, y) => x - y), [12, 24, 36]);
    },
  },
  { name: 'v2 DELETE avro consumer', method: 'DELETE', path: (c) => consumerBase(c, c.avroGroup, 'my_avro_consumer'), status: 204 },

  // ---- v3: reads
  {
    name: 'v3 GET /v3/clusters',
    method: 'GET',
    path: () => '/v3/clusters',
    status: 200,
    type: JSON_T,
    shape: () => ({ kind: { $eq: 'KafkaClusterList' }, metadata: meta(true), data: [{ kind: { $eq: 'KafkaCluster' }, metadata: meta(false), cluster_id: 'string', topics: { related: 'string' } }] }),
    check: (b, c) => (c.cluster = (b as { data: { cluster_id: string }[] }).data[0]!.cluster_id),
  },
  { name: 'v3 GET cluster', method: 'GET', path: (c) => `/v3/clusters/${c.cluster}`, status: 200, type: JSON_T, shape: (c) => ({ kind: { $eq: 'KafkaCluster' }, metadata: meta(false), cluster_id: { $eq: c.cluster }, topics: { related: 'string' } }) },
  {
    name: 'v3 GET topic',
    method: 'GET',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}`,
    status: 200,
    type: JSON_T,
    shape: (c) => ({
      kind: { $eq: 'KafkaTopic' },
      metadata: meta(false),
      cluster_id: { $eq: c.cluster },
      topic_name: { $eq: c.main },
      is_internal: { $eq: false },
      replication_factor: 'integer',
      partitions_count: { $eq: 2 },
      partitions: { related: 'string' },
    }),
  },
  {
    name: 'v3 GET partitions',
    method: 'GET',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}/partitions`,
    status: 200,
    type: JSON_T,
    shape: (c) => ({ kind: { $eq: 'KafkaPartitionList' }, metadata: meta(true), data: [{ kind: { $eq: 'KafkaPartition' }, metadata: meta(false), cluster_id: { $eq: c.cluster }, topic_name: { $eq: c.main }, partition_id: 'integer' }] }),
  },
  {
    name: 'v3 GET partition',
    method: 'GET',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}/partitions/1`,
    status: 200,
    type: JSON_T,
    shape: (c) => ({ kind: { $eq: 'KafkaPartition' }, metadata: meta(false), cluster_id: { $eq: c.cluster }, topic_name: { $eq: c.main }, partition_id: { $eq: 1 } }),
  },

  // ---- v3: produce (the reference's examples)
  {
    name: 'v3 produce binary key, JSON value, headers, timestamp, partition',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}/records`,
    contentType: JSON_T,
    body: () => ({
      partition_id: 1,
      headers: [{ name: 'Header-1', value: 'SGVhZGVyLTE=' }],
      key: { type: 'BINARY', data: 'Zm9vYmFy' },
      value: { type: 'JSON', data: { foo: 'bar' } },
      timestamp: '2021-02-05T19:14:42Z',
    }),
    status: 200,
    type: JSON_T,
    shape: (c) => v3Report(c, c.main, v3Part('BINARY'), v3Part('JSON')),
    check: (b) => {
      const r = b as { partition_id: number; timestamp: string; key: { size: number }; value: { size: number } };
      assert.deepEqual([r.partition_id, r.timestamp, r.key.size, r.value.size], [1, '2021-02-05T19:14:42.000Z', 6, 13]);
    },
  },
  { name: 'v3 produce STRING value', method: 'POST', path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}/records`, contentType: JSON_T, body: () => ({ value: { type: 'STRING', data: 'My message' } }), status: 200, type: JSON_T, shape: (c) => v3Report(c, c.main, 'null', v3Part('STRING')) },
  {
    name: 'v3 produce with schema_id',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.avro}/records`,
    contentType: JSON_T,
    body: (c) => ({ value: { schema_id: c.saved.avroId, data: 1000 } }),
    status: 200,
    type: JSON_T,
    shape: (c) => v3Report(c, c.avro, 'null', { type: { $eq: 'AVRO' }, size: 'integer', schema_id: { $eq: c.saved.avroId }, subject: { $eq: `${c.avro}-value` }, schema_version: { $eq: 1 } }),
  },
  {
    name: 'v3 produce with schema_version',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.avro}/records`,
    contentType: JSON_T,
    body: () => ({ value: { schema_version: 1, data: 1001 } }),
    status: 200,
    type: JSON_T,
    shape: (c) => v3Report(c, c.avro, 'null', v3Part('AVRO', true)),
    check: (b, c) => assert.deepEqual([(b as { value: { schema_version: number; subject: string } }).value.schema_version, (b as { value: { subject: string } }).value.subject], [1, `${c.avro}-value`]),
  },
  {
    name: 'v3 produce JSONSCHEMA, latest schema of the subject',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.json}/records`,
    contentType: JSON_T,
    body: () => ({ value: { type: 'JSONSCHEMA', data: { f1: 'baz' } } }),
    status: 200,
    type: JSON_T,
    shape: (c) => v3Report(c, c.json, 'null', v3Part('JSONSCHEMA', true)),
  },
  {
    name: 'v3 produce PROTOBUF with schema text',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.proto}/records`,
    contentType: JSON_T,
    body: () => ({ value: { type: 'PROTOBUF', schema: 'syntax="proto3"; message MyRecord { string f1 = 1; }', data: { f1: 'qux' } } }),
    status: 200,
    type: JSON_T,
    shape: (c) => v3Report(c, c.proto, 'null', v3Part('PROTOBUF', true)),
  },
  {
    name: 'v3 produce AVRO value not matching → 400',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.avro}/records`,
    contentType: JSON_T,
    body: (c) => ({ value: { type: 'AVRO', schema_id: c.saved.avroId, data: 'x' } }),
    status: 400,
    type: JSON_T,
    shape: () => errorShape(400),
  },
  {
    name: 'v3 streaming produce: one report per record, in order',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}/records`,
    contentType: JSON_T,
    raw: () => ['{"value":{"type":"JSON","data":"s1"}}', '{"value":{"type":"JSON","data":"s2"}}', '{"value":{"type":"BINARY","data":"%%"}}', '{"value":{"type":"JSON","data":"s3"}}'].join('\n'),
    status: 200,
    type: JSON_T,
    check: (b, c) => {
      const lines = b as Record<string, unknown>[];
      assert.deepEqual(lines.map((l) => l.error_code), [200, 200, 400, 200]);
      assertShape(lines[0], v3Report(c, c.main, 'null', v3Part('JSON')));
      assertShape(lines[2], errorShape(400));
    },
  },
  {
    name: 'v3 records:batch',
    method: 'POST',
    path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}/records:batch`,
    contentType: JSON_T,
    body: () => ({ entries: [{ id: '1', value: { type: 'JSON', data: 'foo' } }, { id: '2', value: { type: 'STRING', data: 'bar' } }] }),
    status: 207,
    type: JSON_T,
    shape: (c) => ({ successes: [{ id: 'string', ...(v3Report(c, c.main, 'null', { type: 'string', size: 'integer' }) as Record<string, Shape>) }], failures: [] }),
  },
  { name: 'v3 unknown topic → 404', method: 'POST', path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}-missing/records`, contentType: JSON_T, body: () => ({ value: { data: 1 } }), status: 404, type: JSON_T, shape: () => errorShape(404) },
  { name: 'v3 unknown cluster → 404', method: 'GET', path: () => '/v3/clusters/no-such-cluster', status: 404, type: JSON_T, shape: () => errorShape(404) },
  { name: 'v3 empty body → 422', method: 'POST', path: (c) => `/v3/clusters/${c.cluster}/topics/${c.main}/records`, contentType: JSON_T, raw: () => '', status: 422, type: JSON_T, shape: () => errorShape(422) },
];

async function run(app: FastifyInstance, ex: Example, c: Ctx): Promise<void> {
  const deadline = Date.now() + (ex.retryMs ?? 0);
  for (;;) {
    const headers: Record<string, string> = {};
    if (ex.contentType) headers['content-type'] = ex.contentType;
    if (ex.accept) headers.accept = ex.accept;
    const payload = ex.raw ? ex.raw(c) : ex.body ? JSON.stringify(ex.body(c)) : undefined;
    const res = await app.inject({ method: ex.method, url: ex.path(c), headers, ...(payload === undefined ? {} : { payload }) });
    try {
      assert.equal(res.statusCode, ex.status, `status (${res.body})`);
      if (ex.status === 204) assert.equal(res.body, '');
      if (ex.type) assert.equal(String(res.headers['content-type']).split(';')[0], ex.type, 'content type');
      const text = res.body;
      const body: unknown = text === '' ? undefined : ex.raw && ex.status === 200 ? text.trim().split('\n').map((l) => JSON.parse(l) as unknown) : (JSON.parse(text) as unknown);
      if (ex.shape) assertShape(body, ex.shape(c));
      ex.check?.(body, c);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

for (const route of ['kafka', 'pulsar', 'dual'] as Route[]) {
  test(`route ${route}: Confluent REST Proxy reference examples, v2 and v3`, { timeout: 300_000 }, async (t) => {
    const names = { main: await topics(`fconf-main-${route}`, 2), avro: await topics(`fconf-avro-${route}`, 2), json: await topics(`fconf-json-${route}`, 2), proto: await topics(`fconf-proto-${route}`, 2) };
    for (const n of [names.avro, names.json, names.proto]) for (const part of ['key', 'value']) dropSubjectAfter(`${n.topic}-${part}`);
    const app = schemaFacade(schemaConfig([names.avro.topic, names.json.topic, names.proto.topic], route, [names.main.topic]));
    const c: Ctx = { route, main: names.main.topic, avro: names.avro.topic, json: names.json.topic, proto: names.proto.topic, cluster: '', group: uniqueName('fconf-g'), avroGroup: uniqueName('fconf-ga'), saved: {} };
    for (const ex of EXAMPLES) {
      // A records poll that keeps the buffer (retries append) must start empty.
      await t.test(ex.name, () => run(app, ex, c));
    }
  });
}
