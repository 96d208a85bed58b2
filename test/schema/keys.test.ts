// Schema-encoded keys without a broker: the canonical string of decoded keys (Avro, JSON Schema, Protobuf) and
// the KEY_VALUE schema layout of Pulsar's Java client (KeyValueSchemaInfo / KeyValue.encode).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import protobuf from 'protobufjs';
import { canonicalText, keyDecoder, keyValueSchemaInfo, splitKeyValueSchemaData, type PulsarSchemaInfo, type ResolvedSchema } from '../../src/schema/index.js';

const schema = (schemaType: ResolvedSchema['schemaType'], text: string): ResolvedSchema => ({ id: 7, schemaType, schema: text, references: [], resolved: [] });

test('Avro keys: a record is JSON text with fields in schema order, maps sorted, bytes base64, unions unwrapped', () => {
  const avsc = {
    type: 'record',
    name: 'Key',
    fields: [
      { name: 'region', type: 'string' },
      { name: 'id', type: 'long' },
      { name: 'tags', type: { type: 'map', values: 'int' } },
      { name: 'raw', type: 'bytes' },
      { name: 'note', type: ['null', 'string'], default: null },
    ],
  };
  const type = avro.Type.forSchema(avsc as avro.Schema);
  const decode = keyDecoder(schema('AVRO', JSON.stringify(avsc)));
  // Object literal order differs from schema order, and map entries are written in two different orders.
  const a = type.toBuffer({ id: 42, region: 'eu', tags: { b: 2, a: 1 }, raw: Buffer.from([1, 2, 255]), note: 'x' });
  const b = type.toBuffer({ raw: Buffer.from([1, 2, 255]), note: 'x', tags: { a: 1, b: 2 }, region: 'eu', id: 42 });
  assert.equal(decode(a), '{"region":"eu","id":42,"tags":{"a":1,"b":2},"raw":"AQL/","note":"x"}');
  assert.equal(decode(b), decode(a), 'the same key gives the same string');
  assert.equal(decode(type.toBuffer({ region: 'us', id: 1, tags: {}, raw: Buffer.alloc(0), note: null })), '{"region":"us","id":1,"tags":{},"raw":"","note":null}');
});

test('Avro keys: string, long, int, boolean and enum keys are their plain text', () => {
  assert.equal(keyDecoder(schema('AVRO', '"string"'))(avro.Type.forSchema('string').toBuffer('order-17')), 'order-17');
  assert.equal(keyDecoder(schema('AVRO', '"long"'))(avro.Type.forSchema('long').toBuffer(1234567890123)), '1234567890123');
  assert.equal(keyDecoder(schema('AVRO', '"int"'))(avro.Type.forSchema('int').toBuffer(-5)), '-5');
  assert.equal(keyDecoder(schema('AVRO', '"boolean"'))(avro.Type.forSchema('boolean').toBuffer(true)), 'true');
  const e = { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] };
  assert.equal(keyDecoder(schema('AVRO', JSON.stringify(e)))(avro.Type.forSchema(e as avro.Schema).toBuffer('GREEN')), 'GREEN');
});

test('Avro keys that do not decode are K2P_SCH_BODY naming the key and the schema id', () => {
  const decode = keyDecoder(schema('AVRO', JSON.stringify({ type: 'record', name: 'K', fields: [{ name: 's', type: 'string' }] })));
  assert.throws(() => decode(Buffer.from([0x20, 0x61])), (err: Error & { code?: string }) => err.code === 'K2P_SCH_BODY' && /key does not decode .*registry id 7, AVRO/.test(err.message));
  const long = keyDecoder(schema('AVRO', '"long"'));
  assert.throws(() => long(Buffer.from([0x02, 0x00])), /1 bytes left over/);
});

test('JSON Schema keys: objects with sorted keys, scalars as plain text', () => {
  const decode = keyDecoder(schema('JSON', JSON.stringify({ type: 'object', properties: { b: { type: 'integer' }, a: { type: 'string' } } })));
  assert.equal(decode(Buffer.from('{"b": 2, "a": "x", "c": {"z": 1, "y": [true]}}')), '{"a":"x","b":2,"c":{"y":[true],"z":1}}');
  assert.equal(decode(Buffer.from('{"a":"x","c":{"y":[true],"z":1},"b":2}')), '{"a":"x","b":2,"c":{"y":[true],"z":1}}');
  assert.equal(keyDecoder(schema('JSON', '{"type":"string"}'))(Buffer.from('"abc"')), 'abc');
  assert.equal(keyDecoder(schema('JSON', '{"type":"integer"}'))(Buffer.from('12')), '12');
  assert.throws(() => decode(Buffer.from('{"b": ')), /K2P_SCH_BODY.*not JSON/);
});

test('Protobuf keys: JSON text with fields by number, longs as strings, enums by name, defaults included', () => {
  const proto = 'syntax = "proto3";\npackage k;\nmessage Other { string x = 1; }\nmessage Key {\n  int64 id = 2;\n  string region = 1;\n  enum Kind { A = 0; B = 1; }\n  Kind kind = 3;\n}\n';
  const root = protobuf.parse(proto).root;
  const Key = root.lookupType('k.Key');
  const decode = keyDecoder(schema('PROTOBUF', proto), [1]);
  assert.equal(decode(Buffer.from(Key.encode(Key.fromObject({ id: '12345678901234567', region: 'eu', kind: 'B' })).finish())), '{"region":"eu","id":"12345678901234567","kind":"B"}');
  assert.equal(decode(Buffer.from(Key.encode(Key.fromObject({ region: 'us' })).finish())), '{"region":"us","id":"0","kind":"A"}');
  assert.throws(() => decode(Buffer.from([0x0a, 0x05, 0x61])), /K2P_SCH_BODY/);
});

test('canonicalText of plain values', () => {
  assert.deepEqual([canonicalText('a'), canonicalText(1.5), canonicalText(10n), canonicalText(false), canonicalText(null)], ['a', '1.5', '10', 'false', '']);
  assert.equal(canonicalText({ a: [Buffer.from('hi')] }), '{"a":["aGk="]}');
});

test("KEY_VALUE schema info: the Java client's layout (int32 lengths, key then value) and properties", () => {
  const key: PulsarSchemaInfo = { type: 'Avro', name: 'k.Key', data: Buffer.from('{"type":"record","name":"Key","namespace":"k","fields":[]}'), properties: {} };
  const value: PulsarSchemaInfo = { type: 'ProtobufNative', name: 'p.V', data: Buffer.from('{"x":1}'), properties: { a: 'b' } };
  const info = keyValueSchemaInfo(key, value);
  assert.equal(info.type, 'KeyValue');
  assert.equal(info.name, 'KeyValue');
  const expected = Buffer.concat([Buffer.from([0, 0, 0, key.data.length]), key.data, Buffer.from([0, 0, 0, value.data.length]), value.data]);
  assert.deepEqual(info.data, expected);
  assert.deepEqual(info.properties, {
    'key.schema.name': 'k.Key',
    'key.schema.type': 'AVRO',
    'key.schema.properties': '{}',
    'value.schema.name': 'p.V',
    'value.schema.type': 'PROTOBUF_NATIVE',
    'value.schema.properties': '{\n  "a": "b"\n}',
    'kv.encoding.type': 'SEPARATED',
  });
  const split = splitKeyValueSchemaData(info.data);
  assert.deepEqual([split.key, split.value], [key.data, value.data]);
  assert.throws(() => splitKeyValueSchemaData(info.data.subarray(0, info.data.length - 1)), /K2P_SCH_TRANSLATE.*truncated/);
  // A null side is length -1 (KeyValue.encode).
  assert.deepEqual(splitKeyValueSchemaData(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0x41])), { key: null, value: Buffer.from('A') });
});
