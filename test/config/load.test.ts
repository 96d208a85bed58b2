// Loading: every example file in the repo loads; directories, several files, defaults, interpolation, freezing.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, targetTopic } from '../../src/config/index.js';
import { CONNECTORS, loadError, writeFiles } from './helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const SECURED_ENV = {
  KAFKA_CA_PEM: '-----BEGIN CERTIFICATE-----\nMII...\n-----END CERTIFICATE-----',
  KAFKA_USERNAME: 'mirror',
  KAFKA_PASSWORD: 'kafka-secret-1',
  REGISTRY_USERNAME: 'reg',
  REGISTRY_PASSWORD: 'registry-secret-2',
  PULSAR_CA_PEM: 'pem',
  PULSAR_TOKEN: 'eyJ.token-secret-3',
  REDIS_PASSWORD: 'redis-secret-4',
};

function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

test('every connectors file in connectors/ loads on its own', () => {
  const files = yamlFiles('connectors');
  assert.ok(files.length >= 3, files.join());
  for (const file of files) {
    const config = loadConfig([join(ROOT, file)], SECURED_ENV);
    assert.ok(Object.keys(config.connectors).length > 0, file);
  }
});

test('every mapping file in mappings/ loads with connectors/local.yaml', () => {
  const files = yamlFiles('mappings');
  assert.ok(
    files.some((f) => f.endsWith('shop.yaml')),
    files.join(),
  );
  for (const file of files) {
    const config = loadConfig([join(ROOT, 'connectors/local.yaml'), join(ROOT, file)], {});
    assert.equal(config.mappings.length, 1, file);
  }
});

test('shop.yaml: references, defaults and compiled patterns', () => {
  const config = loadConfig(
    [join(ROOT, 'connectors/local.yaml'), join(ROOT, 'mappings/examples/shop.yaml')],
    {},
  );
  const [shop] = config.mappings;
  assert.equal(shop!.source, 'kafka-local');
  assert.equal(shop!.registry, 'registry-local');
  const [orders, events] = shop!.topics;
  assert.deepEqual(orders!.match, { text: 'orders', name: 'orders' });
  assert.equal(orders!.schema, 'registry');
  assert.equal(events!.schema, 'bytes'); // default
  assert.equal(events!.route, 'kafka'); // default
  assert.equal(events!.provenance, true); // default
  assert.deepEqual(events!.keys, { binary: 'base64', schema: 'plain' });
  assert.ok(events!.match.regex instanceof RegExp);
  assert.equal(targetTopic(events!, 'events.clicks'), 'persistent://shop/events/events.clicks');
  const [billing, analytics] = shop!.groups;
  assert.equal(billing!.subscription, 'billing');
  assert.equal(analytics!.whenNoOffset, 'earliest'); // default
  assert.equal(analytics!.subscription, '{group}');
});

test('a directory loads all its *.yaml / *.yml in name order, not recursively; several -c files combine', (t) => {
  const dir = writeFiles(t, {
    'conf/b.yml':
      'source: kafka-local\ntarget: pulsar-local\ntopics: [{ match: a, to: "persistent://t/n/{topic}" }]\n',
    'conf/a.yaml': CONNECTORS,
    'conf/notes.txt': 'not yaml',
    'conf/sub/c.yaml': 'this: is not read',
    'more.yaml': 'source: kafka-two\ntarget: pulsar-local\ngroups: [{ match: g1 }]\n',
  });
  const config = loadConfig([join(dir, 'conf'), join(dir, 'more.yaml')], {});
  assert.deepEqual(config.files, [join(dir, 'conf/a.yaml'), join(dir, 'conf/b.yml'), join(dir, 'more.yaml')]);
  assert.equal(config.mappings.length, 2);
  assert.equal(config.mappings[1]!.groups[0]!.subscription, '{group}');
  assert.equal(config.mappings[1]!.groups[0]!.type, 'Failover');
});

test('connectors and a mapping may share one file; kafka ssl: true and comma-separated brokers are normalized', (t) => {
  const dir = writeFiles(t, {
    'all.yaml': `
connectors:
  k: { kind: kafka, brokers: "\${BROKERS}", ssl: true }
  p: { kind: pulsar, serviceUrl: "pulsar+ssl://p:6651", adminUrl: "https://p:8443", tls: { ca: "\${CA}" } }
source: k
target: p
topics: [{ match: x, to: "non-persistent://t/n/{topic}" }]
`,
  });
  const config = loadConfig([join(dir, 'all.yaml')], { BROKERS: 'b1:9093, b2:9093', CA: 'pem' });
  const k = config.connectors.k!;
  assert.equal(k.kind, 'kafka');
  if (k.kind !== 'kafka') return;
  assert.deepEqual(k.brokers, ['b1:9093', 'b2:9093']);
  assert.deepEqual(k.ssl, { rejectUnauthorized: true });
  assert.equal(k.clientId, 'k2p');
  assert.equal(targetTopic(config.mappings[0]!.topics[0]!, 'x'), 'non-persistent://t/n/x');
});

test('${VAR} interpolation: any string, several per value, defaults, empty values, $${ escapes', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': `
connectors:
  k:
    kind: kafka
    brokers: ["\${HOST}:\${PORT:-9092}", "\${OTHER:-backup}:9093"]
    clientId: "\${EMPTY:-fallback}-\${SET_EMPTY}"
    sasl: { mechanism: plain, username: "\${USER}", password: "\${PASS}" }
  r: { kind: redis, url: "redis://\${REDIS_HOST:-localhost}:6379" }
  p: { kind: pulsar, serviceUrl: "pulsar://h:6650", adminUrl: "http://h:8080/$\${not-a-ref}" }
`,
  });
  const config = loadConfig([join(dir, 'c.yaml')], { HOST: 'kafka', USER: 'u', PASS: 'pw', SET_EMPTY: '' });
  const k = config.connectors.k!;
  if (k.kind !== 'kafka') assert.fail('kind');
  assert.deepEqual(k.brokers, ['kafka:9092', 'backup:9093']);
  assert.equal(k.clientId, 'fallback-'); // `:-` also replaces an empty value; a set-but-empty plain ref stays empty
  assert.deepEqual(k.sasl, { mechanism: 'plain', username: 'u', password: 'pw' });
  assert.equal((config.connectors.r as { url: string }).url, 'redis://localhost:6379');
  assert.equal((config.connectors.p as { adminUrl: string }).adminUrl, 'http://h:8080/${not-a-ref}');
});

test('the result is frozen deeply, regexes included, and patterns still match', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml':
      'source: kafka-local\ntarget: pulsar-local\ntopics: [{ match: "/^e\\\\./", exclude: [e.x], to: "persistent://t/n/{topic}" }]\n',
  });
  const config = loadConfig([join(dir, 'c.yaml'), join(dir, 'm.yaml')], {});
  const mapping = config.mappings[0]!.topics[0]!;
  for (const obj of [
    config,
    config.connectors,
    config.connectors['kafka-local']!,
    config.mappings,
    mapping,
    mapping.match,
    mapping.match.regex!,
    mapping.exclude,
    mapping.keys,
  ]) {
    assert.ok(Object.isFrozen(obj), JSON.stringify(obj));
  }
  assert.throws(() => {
    (config.connectors as Record<string, unknown>).extra = 1;
  }, TypeError);
  assert.throws(() => {
    (mapping as { to: string }).to = 'x';
  }, TypeError);
  assert.throws(() => {
    (config.connectors['kafka-local'] as unknown as { brokers: string[] }).brokers.push('x');
  }, TypeError);
  assert.ok(mapping.match.regex!.test('e.a') && mapping.match.regex!.test('e.b')); // frozen regex still works
});

test('no files, or a path that does not exist, is a clear error', (t) => {
  const dir = writeFiles(t, { 'empty/readme.md': '' });
  const err = loadError(dir, ['missing.yaml', 'empty']);
  assert.match(err.message, /missing\.yaml: \(file\): found no such file or directory, expected a YAML file/);
  assert.throws(() => loadConfig([]), /K2P_CFG_INVALID: .*no files/);
});
