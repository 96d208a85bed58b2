// One test per class of config mistake: each gives K2P_CFG_INVALID (or _ENV_MISSING) with the file, the line,
// the path inside the file, what was found and what was expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONNECTORS, assertProblem, loadError, problemsOf, writeFiles } from './helpers.js';

const MAPPING_HEAD = 'source: kafka-local\ntarget: pulsar-local\n';

test('YAML syntax error: the line of the error, no quoting of the source', (t) => {
  const dir = writeFiles(t, {
    'bad.yaml': 'connectors:\n  k:\n    kind: kafka\n    brokers: [a:1, b:2\n  p: x\n',
  });
  const err = loadError(dir, ['bad.yaml']);
  const p = assertProblem(err, {
    file: 'bad.yaml',
    path: '(YAML syntax)',
    found: /^a YAML error: /,
    expected: /valid YAML/,
  });
  assert.ok(p.line! >= 4, err.message);
});

test('duplicate key in YAML is a syntax error with its line', (t) => {
  const dir = writeFiles(t, {
    'dup.yaml':
      'connectors:\n  k: { kind: redis, url: "redis://a:1" }\n  k: { kind: redis, url: "redis://b:1" }\n',
  });
  assertProblem(loadError(dir, ['dup.yaml']), {
    file: 'dup.yaml',
    path: '(YAML syntax)',
    found: /unique/,
    expected: /valid YAML/,
    line: 3,
  });
});

test('unknown top-level key (and an unknown key inside a connector), both reported', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': 'connectors:\n  k:\n    kind: kafka\n    brokers: ["a:1"]\n    clientID: x\ncnnectors: {}\n',
  });
  const err = loadError(dir, ['c.yaml']);
  assertProblem(err, {
    file: 'c.yaml',
    path: 'cnnectors',
    found: /^unknown key "cnnectors"$/,
    expected: /^one of connectors$/,
    line: 6,
  });
  assertProblem(err, {
    file: 'c.yaml',
    path: 'connectors.k.clientID',
    found: /unknown key "clientID"/,
    expected: /one of kind \| brokers \| clientId \| ssl \| sasl/,
    line: 5,
  });
  assert.equal(problemsOf(err).length, 2);
});

test('wrong type', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': `${MAPPING_HEAD}topics:\n  - match: a\n    to: "persistent://t/n/{topic}"\n    provenance: "yes"\ngroups: { match: g }\n`,
  });
  const err = loadError(dir, ['c.yaml', 'm.yaml']);
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[0].provenance',
    found: /^"yes"$/,
    expected: /^true or false$/,
    line: 6,
  });
  assertProblem(err, { file: 'm.yaml', path: 'groups', found: /^a map$/, expected: /^a list$/, line: 7 });
});

test('bad enum value', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'shop.yaml': `${MAPPING_HEAD}topics:\n  - { match: a, to: "persistent://t/n/{topic}" }\n  - match: b\n    to: "persistent://t/n/{topic}"\n    route: kafak\n`,
  });
  const err = loadError(dir, ['c.yaml', 'shop.yaml']);
  assertProblem(err, {
    file: 'shop.yaml',
    path: 'topics[1].route',
    found: /^"kafak"$/,
    expected: /^one of kafka \| pulsar \| dual$/,
    line: 7,
  });
  assert.match(
    err.message,
    /shop\.yaml:7: topics\[1\]\.route: found "kafak", expected one of kafka \| pulsar \| dual$/,
  );
});

test('bad connector kind, and a missing required field of a known kind', (t) => {
  const dir = writeFiles(t, {
    'c.yaml':
      'connectors:\n  a: { kind: kafkaa, brokers: ["x:1"] }\n  b:\n    kind: pulsar\n    serviceUrl: "pulsar://h:6650"\n',
  });
  const err = loadError(dir, ['c.yaml']);
  assertProblem(err, {
    file: 'c.yaml',
    path: 'connectors.a.kind',
    found: /"kafkaa"/,
    expected: /one of kafka \| pulsar \| schema-registry \| redis/,
    line: 2,
  });
  assertProblem(err, {
    file: 'c.yaml',
    path: 'connectors.b.adminUrl',
    found: /^nothing$/,
    expected: /^a URL starting with http:\/\/ or https:\/\/$/,
    line: 3,
  });
});

test('missing required field of a mapping (match, to; target with source)', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': 'source: kafka-local\ntopics:\n  - match: a\n  - to: "persistent://t/n/{topic}"\n',
  });
  const err = loadError(dir, ['c.yaml', 'm.yaml']);
  assertProblem(err, { file: 'm.yaml', path: 'target', found: /^nothing$/, expected: /target/ });
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[0].to',
    found: /^nothing$/,
    expected: /\{topic\}/,
    line: 3,
  });
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[1].match',
    found: /^nothing$/,
    expected: /Kafka topic name .* or \/regex\//,
    line: 4,
  });
});

test('bad URL scheme and empty file', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': 'connectors:\n  p: { kind: pulsar, serviceUrl: "http://h:6650", adminUrl: "http://h:8080" }\n',
    'empty.yaml': '# nothing yet\n',
  });
  const err = loadError(dir, ['c.yaml', 'empty.yaml']);
  assertProblem(err, {
    file: 'c.yaml',
    path: 'connectors.p.serviceUrl',
    found: /"http:\/\/h:6650"/,
    expected: /^a URL starting with pulsar:\/\/ or pulsar\+ssl:\/\/$/,
    line: 2,
  });
  assertProblem(err, {
    file: 'empty.yaml',
    path: '(top level)',
    found: /empty file/,
    expected: /connectors: and\/or a mapping/,
  });
});

test('unknown connector reference, and a reference to a connector of the wrong kind', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': 'source: kafka-lokal\ntarget: kafka-local\nregistry: redis-local\n',
  });
  const err = loadError(dir, ['c.yaml', 'm.yaml']);
  assertProblem(err, {
    file: 'm.yaml',
    path: 'source',
    found: /^"kafka-lokal"$/,
    expected: /^the name of a kafka connector: kafka-local \| kafka-two$/,
    line: 1,
  });
  assertProblem(err, {
    file: 'm.yaml',
    path: 'target',
    found: /^"kafka-local" \(a kafka connector\)$/,
    expected: /pulsar connector: pulsar-local$/,
    line: 2,
  });
  assertProblem(err, {
    file: 'm.yaml',
    path: 'registry',
    found: /redis connector/,
    expected: /schema-registry connector: registry-local$/,
    line: 3,
  });
});

test('a mapping loaded without any connectors file says none are loaded', (t) => {
  const dir = writeFiles(t, { 'm.yaml': MAPPING_HEAD });
  assertProblem(loadError(dir, ['m.yaml']), {
    file: 'm.yaml',
    path: 'source',
    found: /kafka-local/,
    expected: /none loaded/,
  });
});

test('invalid regex: the regex engine says why', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': `${MAPPING_HEAD}topics:\n  - match: "/^events(.*/"\n    exclude: ["/[z-a]/"]\n    to: "persistent://t/n/{topic}"\n`,
  });
  const err = loadError(dir, ['c.yaml', 'm.yaml']);
  const p = assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[0].match',
    found: /^"\/\^events\(\.\*\/"$/,
    expected: /valid regular expression/,
    line: 4,
  });
  assert.match(p.hint!, /Invalid regular expression/);
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[0].exclude[0]',
    found: /z-a/,
    expected: /valid regular expression/,
    line: 5,
  });
});

test('`to` without {topic}', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': `${MAPPING_HEAD}topics:\n  - { match: a, to: "persistent://t/n/orders" }\n`,
  });
  assertProblem(loadError(dir, ['c.yaml', 'm.yaml']), {
    file: 'm.yaml',
    path: 'topics[0].to',
    found: /"persistent:\/\/t\/n\/orders"/,
    expected: /containing \{topic\}/,
    line: 4,
  });
});

test('`to` with an unknown placeholder, or that is not a full Pulsar topic name', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': `${MAPPING_HEAD}topics:
  - { match: a, to: "persistent://t/n/{topic}-{topic}" }
  - { match: b, to: "persistent://t/n/{topic}-{partition}" }
  - { match: c, to: "persistent://t/{topic}" }
  - { match: d, to: "t/n/{topic}" }
  - { match: e, to: "persistent://t/n/{topic}", deadLetter: "persistent://t/dlq" }
`,
  });
  const err = loadError(dir, ['c.yaml', 'm.yaml']);
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[0].to',
    found: /^\{topic\} 2 times$/,
    expected: /exactly one \{topic\}/,
    line: 4,
  });
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[1].to',
    found: /\{partition\}/,
    expected: /only \{topic\}/,
    line: 5,
  });
  const c = assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[2].to',
    found: /"persistent:\/\/t\/\{topic\}"/,
    expected: /^persistent:\/\/tenant\/namespace\/topic or non-persistent/,
    line: 6,
  });
  assert.match(c.hint!, /3 path segments/);
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[3].to',
    found: /"t\/n\/\{topic\}"/,
    expected: /^persistent:\/\//,
    line: 7,
  });
  assertProblem(err, {
    file: 'm.yaml',
    path: 'topics[4].deadLetter',
    found: /"persistent:\/\/t\/dlq"/,
    expected: /^persistent:\/\//,
    line: 8,
  });
});

test('the same Kafka topic or group mapped twice by name, across files', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'a.yaml': `${MAPPING_HEAD}topics: [{ match: orders, to: "persistent://a/n/{topic}" }]\ngroups: [{ match: billing }]\n`,
    'b.yaml': `${MAPPING_HEAD}topics:\n  - { match: orders, to: "persistent://b/n/{topic}" }\ngroups:\n  - { match: billing, subscription: bill }\n`,
    'other-cluster.yaml':
      'source: kafka-two\ntarget: pulsar-local\ntopics: [{ match: orders, to: "persistent://two/n/{topic}" }]\n',
  });
  const err = loadError(dir, ['c.yaml', 'a.yaml', 'b.yaml', 'other-cluster.yaml']);
  assertProblem(err, {
    file: 'b.yaml',
    path: 'topics[0].match',
    found: /^"orders", already mapped by .*a\.yaml: topics\[0\]$/,
    expected: /mapped once/,
    line: 4,
  });
  assertProblem(err, {
    file: 'b.yaml',
    path: 'groups[0].match',
    found: /"billing", already mapped by .*a\.yaml: groups\[0\]/,
    expected: /mapped once/,
    line: 6,
  });
  assert.equal(problemsOf(err).length, 2, err.message); // the same name from another cluster is another topic
});

test('two mappings that can write the same Pulsar topic', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'a.yaml': `${MAPPING_HEAD}topics:
  - { match: "/^x-.*/", to: "persistent://t/n/{topic}" }
  - { match: orders, to: "persistent://t/n/x-{topic}" }
  - { match: "/^y.*/", to: "persistent://t/y/{topic}" }
`,
    'b.yaml':
      'source: kafka-two\ntarget: pulsar-local\ntopics:\n  - { match: "/^y.*/", to: "persistent://t/y/{topic}" }\n',
  });
  const err = loadError(dir, ['c.yaml', 'a.yaml', 'b.yaml']);
  assertProblem(err, {
    file: 'a.yaml',
    path: 'topics[1].to',
    found: /kafka-local topic "x-orders" would also become persistent:\/\/t\/n\/x-orders/,
    expected: /distinct Pulsar topics/,
    line: 5,
  });
  assertProblem(err, {
    file: 'b.yaml',
    path: 'topics[0].to',
    found: /present in both kafka-local and kafka-two/,
    expected: /distinct Pulsar topics/,
    line: 4,
  });
});

test('a pattern group mapping whose subscription lacks {group}', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': `${MAPPING_HEAD}groups:\n  - match: /^billing-/\n    subscription: billing\n`,
  });
  assertProblem(loadError(dir, ['c.yaml', 'm.yaml']), {
    file: 'm.yaml',
    path: 'groups[0].subscription',
    found: /"billing"/,
    expected: /\{group\}/,
    line: 5,
  });
});

test('registry schema without a registry connector in the mapping', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': `${MAPPING_HEAD}topics:\n  - match: a\n    to: "persistent://t/n/{topic}"\n    schema: registry\n`,
  });
  assertProblem(loadError(dir, ['c.yaml', 'm.yaml']), {
    file: 'm.yaml',
    path: 'topics[0].schema',
    found: /"registry" in a mapping without registry/,
    expected: /bytes \| string \| json, or registry:/,
    line: 6,
  });
});

test('duplicate connector names across files', (t) => {
  const dir = writeFiles(t, {
    'a.yaml': CONNECTORS,
    'b.yaml': 'connectors:\n  redis-local: { kind: redis, url: "redis://other:6379" }\n',
  });
  assertProblem(loadError(dir, ['a.yaml', 'b.yaml']), {
    file: 'b.yaml',
    path: 'connectors.redis-local',
    found: /already defined in .*a\.yaml/,
    expected: /unique/,
    line: 2,
  });
});

test('literal secret: an error that never echoes the value', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': `connectors:
  k:
    kind: kafka
    brokers: ["a:1"]
    ssl: { key: "-----BEGIN PRIVATE KEY-----hunter1" }
    sasl: { mechanism: plain, username: u, password: hunter2 }
  p: { kind: pulsar, serviceUrl: "pulsar://h:6650", adminUrl: "http://h:8080", token: "\${TOKEN:-hunter3}" }
  r: { kind: redis, url: "redis://:hunter4@h:6379", password: 12345 }
`,
  });
  const err = loadError(dir, ['c.yaml'], { TOKEN: 'x' });
  for (const [path, line] of [
    ['connectors.k.ssl.key', 5],
    ['connectors.k.sasl.password', 6],
    ['connectors.p.token', 7],
    ['connectors.r.url', 8],
    ['connectors.r.password', 8],
  ] as const) {
    const p = assertProblem(err, {
      file: 'c.yaml',
      path,
      found: /literal/,
      expected: /\$\{VAR\} reference/,
      line,
    });
    assert.equal(p.hint, 'secrets must come from the environment');
  }
  assert.equal(problemsOf(err).length, 5, err.message); // no extra schema error repeating the value (12345)
  assert.doesNotMatch(JSON.stringify([err.message, err.details]), /hunter|12345/);
});

test('missing environment variable: K2P_CFG_ENV_MISSING naming file, path and variable', (t) => {
  const dir = writeFiles(t, {
    'c.yaml':
      'connectors:\n  k:\n    kind: kafka\n    brokers: ["${KAFKA_HOST}:9092"]\n    sasl: { mechanism: plain, username: u, password: "${KAFKA_PASSWORD}" }\n',
  });
  const err = loadError(dir, ['c.yaml'], {}, 'K2P_CFG_ENV_MISSING');
  assertProblem(err, {
    file: 'c.yaml',
    path: 'connectors.k.brokers[0]',
    found: /^\$\{KAFKA_HOST\} \(KAFKA_HOST is not set\)$/,
    expected: /KAFKA_HOST set/,
    line: 4,
  });
  const pw = assertProblem(err, {
    file: 'c.yaml',
    path: 'connectors.k.sasl.password',
    found: /KAFKA_PASSWORD is not set/,
    expected: /KAFKA_PASSWORD set/,
    line: 5,
  });
  assert.equal(pw.hint, undefined); // no default suggested for a secret
  assert.equal(problemsOf(err).length, 2, err.message); // no schema noise about the unresolved "${KAFKA_HOST}:9092"
});

test('missing variable and a file mistake together: K2P_CFG_INVALID listing both', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': 'connectors:\n  r: { kind: redis, url: "${REDIS_URL}", pasword: x }\n',
  });
  const err = loadError(dir, ['c.yaml'], {}, 'K2P_CFG_INVALID');
  assert.deepEqual(
    problemsOf(err)
      .map((p) => p.code)
      .sort(),
    ['K2P_CFG_ENV_MISSING', 'K2P_CFG_INVALID'],
  );
});

test('malformed ${...} reference', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': 'connectors:\n  r: { kind: redis, url: "redis://${REDIS HOST}:6379" }\n',
  });
  assertProblem(loadError(dir, ['c.yaml']), {
    file: 'c.yaml',
    path: 'connectors.r.url',
    found: /\$\{REDIS HOST\}/,
    expected: /\$\{VAR\} or \$\{VAR:-default\}/,
    line: 2,
  });
});

test('pulsar tls settings with plain URLs', (t) => {
  const dir = writeFiles(t, {
    'c.yaml':
      'connectors:\n  p:\n    kind: pulsar\n    serviceUrl: "pulsar://h:6650"\n    adminUrl: "http://h:8080"\n    tls: { ca: pem }\n',
  });
  assertProblem(loadError(dir, ['c.yaml']), {
    file: 'c.yaml',
    path: 'connectors.p.tls',
    found: /TLS settings with plain URLs/,
    expected: /pulsar\+ssl:\/\/ serviceUrl or an https:\/\/ adminUrl/,
    line: 6,
  });
});
