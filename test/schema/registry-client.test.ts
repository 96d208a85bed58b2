// The registry client against the local registry (Apicurio's Confluent-compatible API): lookups by id with
// their cache, references resolved and translated into Pulsar schemas the real broker accepts, compatibility
// levels, precise errors. Basic auth, retries and timeouts against an in-process HTTP server (connection logic).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import avro from 'avsc';
import { isK2pError } from '../../src/errors.js';
import { pulsarSchemaTarget } from '../../src/mirror/schema-converter.js';
import { RegistryClient, SchemaTranslator, avroToPulsar, protobufToPulsar } from '../../src/schema/index.js';
import { admin, freshTopic, testClient } from '../helpers/pulsar.js';
import { registerSchema, registryCall } from '../helpers/schema.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const registry = new RegistryClient({ url: STACK.registryUrl });
const unique = () => uniqueName('n').slice(2).replace(/-/g, '');

test('schema by id: cached after the first call; an unknown id is K2P_SCH_UNKNOWN_ID and is asked again', async () => {
  const schema = JSON.stringify({ type: 'record', name: `R${unique()}`, fields: [{ name: 'a', type: 'int' }] });
  const id = await registerSchema(`${uniqueName('rc')}-value`, schema);
  const client = new RegistryClient({ url: STACK.registryUrl });
  const first = await client.schemaById(id);
  assert.equal(first.schemaType, 'AVRO');
  assert.deepEqual(JSON.parse(first.schema), JSON.parse(schema));
  const calls = client.calls;
  await Promise.all([client.schemaById(id), client.schemaById(id)]);
  assert.equal(client.calls, calls, 'served from the cache');

  await assert.rejects(client.schemaById(1_999_999_997), (err) => isK2pError(err, 'K2P_SCH_UNKNOWN_ID') && !err.canRetry && /1999999997/.test(err.message));
  const after = client.calls;
  await assert.rejects(client.schemaById(1_999_999_997));
  assert.equal(client.calls, after + 1, 'a failure is not cached');
});

test('Avro references are resolved and inlined: the broker takes the self-contained schema', async () => {
  const ns = `k2p.ref${unique()}`;
  const customer = { type: 'record', name: 'Customer', namespace: ns, fields: [{ name: 'name', type: 'string' }, { name: 'tier', type: { type: 'enum', name: 'Tier', symbols: ['A', 'B'] } }] };
  const customerSubject = uniqueName('customer');
  await registerSchema(customerSubject, JSON.stringify(customer));
  const order = { type: 'record', name: 'Order', namespace: ns, fields: [{ name: 'id', type: 'long' }, { name: 'buyer', type: `${ns}.Customer` }, { name: 'seller', type: `${ns}.Customer` }] };
  const orderId = await registerSchema(`${uniqueName('order')}-value`, JSON.stringify(order), 'AVRO', [{ name: `${ns}.Customer`, subject: customerSubject, version: 1 }]);

  const registered = await registry.schemaById(orderId);
  assert.deepEqual(registered.references, [{ name: `${ns}.Customer`, subject: customerSubject, version: 1 }]);
  const resolved = await registry.resolve(registered);
  assert.equal(resolved.resolved.length, 1);
  const info = avroToPulsar(resolved);
  assert.equal(info.type, 'Avro');
  assert.equal(info.name, `${ns}.Order`);
  const inlined = JSON.parse(info.data.toString()) as { fields: { name: string; type: unknown }[] };
  assert.equal((inlined.fields[1]!.type as { name: string }).name, `${ns}.Customer`, 'defined where first used');
  assert.equal(inlined.fields[2]!.type, `${ns}.Customer`, 'referenced by name after that');
  // The same bytes decode with the inlined schema as with the registry's pair of schemas.
  const value = { id: 5, buyer: { name: 'b', tier: 'A' }, seller: { name: 's', tier: 'B' } };
  const type = avro.Type.forSchema(inlined as avro.Schema);
  assert.deepEqual(JSON.parse(JSON.stringify(type.fromBuffer(type.toBuffer(value)))), value);

  const topic = await freshTopic('sch-ref-avro');
  const version = await pulsarSchemaTarget(testClient()).getOrCreate(topic, info);
  assert.equal(version.length, 8);
  const stored = await admin.schemas.latest(topic);
  assert.equal(stored?.type, 'AVRO');
  assert.deepEqual(JSON.parse(stored!.schema), inlined);
});

test('Protobuf references (imports) become files of the descriptor set with their dependencies; the broker builds them', async () => {
  const pkg = `k2p.pref${unique()}`;
  const common = `syntax = "proto3";\npackage ${pkg}.common;\n\nmessage Money {\n  string currency = 1;\n  int64 units = 2;\n}\n\nenum Kind {\n  KIND_UNSPECIFIED = 0;\n  RETAIL = 1;\n}\n`;
  const commonSubject = uniqueName('money');
  await registerSchema(commonSubject, common, 'PROTOBUF');
  const order = `syntax = "proto3";\npackage ${pkg};\n\nimport "money.proto";\n\nmessage Header {\n  string source = 1;\n}\n\nmessage Order {\n  int64 id = 1;\n  ${pkg}.common.Money total = 2;\n  ${pkg}.common.Kind kind = 3;\n  message Line {\n    string sku = 1;\n    ${pkg}.common.Money price = 2;\n  }\n  repeated Line lines = 4;\n  map<string, string> labels = 5;\n}\n`;
  const orderId = await registerSchema(`${uniqueName('porder')}-value`, order, 'PROTOBUF', [{ name: 'money.proto', subject: commonSubject, version: 1 }]);

  const translator = new SchemaTranslator(registry);
  const { pulsar } = await translator.translate(orderId, [1, 0]);
  assert.equal(pulsar.type, 'ProtobufNative');
  const data = JSON.parse(pulsar.data.toString()) as { fileDescriptorSet: string; rootMessageTypeName: string; rootFileDescriptorName: string };
  assert.equal(data.rootMessageTypeName, `${pkg}.Order.Line`, 'indexes [1, 0]: second message, its first nested message');
  assert.equal(data.rootFileDescriptorName, 'main.proto');

  // The broker parses the set and finds the root message (GetOrCreateSchema refuses what it cannot build).
  const topic = await freshTopic('sch-ref-proto');
  const target = pulsarSchemaTarget(testClient());
  const version = await target.getOrCreate(topic, pulsar);
  assert.equal(version.length, 8);
  const root = protobufToPulsar(await registry.resolve(await registry.schemaById(orderId)), [1]);
  assert.equal(JSON.parse(root.data.toString()).rootMessageTypeName, `${pkg}.Order`);
  const other = await freshTopic('sch-ref-proto2');
  assert.equal((await target.getOrCreate(other, root)).length, 8);
  assert.equal((await admin.schemas.latest(other))?.type, 'PROTOBUF_NATIVE');
});

test('compatibility: the subject level when set, else the global one', async () => {
  const subject = `${uniqueName('compat')}-value`;
  await registerSchema(subject, JSON.stringify({ type: 'record', name: `C${unique()}`, fields: [{ name: 'a', type: 'int' }] }));
  assert.equal(await registry.compatibility(subject), (await registryCall('GET', '/config')).body.compatibilityLevel);
  assert.equal((await registryCall('PUT', `/config/${subject}`, { compatibility: 'FULL_TRANSITIVE' })).status, 200);
  assert.equal(await registry.compatibility(subject), 'FULL_TRANSITIVE');
});

// ---- connection logic against an in-process HTTP server

async function server(handler: (req: IncomingMessage, attempt: number) => { status: number; body?: unknown } | 'hang'): Promise<string> {
  let attempt = 0;
  const s: Server = createServer((req, res) => {
    const answer = handler(req, ++attempt);
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanup(() => new Promise((r) => s.close(r)));
  cleanup(() => s.closeAllConnections());
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

test('basic auth is sent on every call; 503s are retried with backoff', async () => {
  const seen: (string | undefined)[] = [];
  const url = await server((req, attempt) => {
    seen.push(req.headers.authorization);
    return attempt < 3 ? { status: 503, body: { error_code: 50301, message: 'busy' } } : { status: 200, body: { schema: '"string"' } };
  });
  const client = new RegistryClient({ url, basicAuth: { username: 'user', password: 'p@ss' }, retryDelayMs: 10 });
  const s = await client.schemaById(1);
  assert.equal(s.schema, '"string"');
  assert.equal(seen.length, 3);
  assert.ok(seen.every((h) => h === `Basic ${Buffer.from('user:p@ss').toString('base64')}`));
});

test('a registry that does not answer or cannot be reached is K2P_SCH_REGISTRY, retriable, after the retries', async () => {
  const url = await server(() => 'hang');
  const started = Date.now();
  const client = new RegistryClient({ url, timeoutMs: 200, retries: 1, retryDelayMs: 10 });
  await assert.rejects(client.schemaById(1), (err) => isK2pError(err, 'K2P_SCH_REGISTRY') && err.canRetry && /did not reach the schema registry/.test(err.message));
  assert.ok(Date.now() - started >= 400, 'two attempts of 200 ms');
  const refused = new RegistryClient({ url: 'http://127.0.0.1:9', retries: 0 });
  await assert.rejects(refused.schemaById(1), (err) => isK2pError(err, 'K2P_SCH_REGISTRY') && err.canRetry);
  // A 401 is not retried and says so.
  const unauthorized = await server(() => ({ status: 401, body: { error_code: 40101, message: 'Unauthorized' } }));
  await assert.rejects(new RegistryClient({ url: unauthorized, retryDelayMs: 10 }).schemaById(1), (err) => isK2pError(err, 'K2P_SCH_REGISTRY') && !err.canRetry && /401 \/ 40101: Unauthorized/.test(err.message));
});
