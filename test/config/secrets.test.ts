// Secrets: redacted for logs (redactSecrets, pino paths), and never in error messages.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { isK2pError } from '../../src/errors.js';
import {
  CONFIG_REDACT_PATHS,
  REDACTED,
  loadConfig,
  redactSecrets,
  redactUrl,
} from '../../src/config/index.js';
import { writeFiles } from './helpers.js';

const SECRETS = {
  KP: 'kafka-pw-1',
  KK: 'kafka-key-2',
  PT: 'pulsar-token-3',
  RP: 'registry-pw-4',
  DP: 'redis-pw-5',
};
const FILE = `connectors:
  k:
    kind: kafka
    brokers: ["a:1"]
    ssl: { key: "\${KK}", cert: "public cert" }
    sasl: { mechanism: scram-sha-256, username: user, password: "\${KP}" }
  p: { kind: pulsar, serviceUrl: "pulsar+ssl://h:6651", adminUrl: "https://h:8443", token: "\${PT}" }
  s: { kind: schema-registry, url: "https://r", basicAuth: { username: u, password: "\${RP}" } }
  r: { kind: redis, url: "redis://:\${DP}@h:6379", password: "\${DP}" }
`;
const leaks = (text: string) => Object.values(SECRETS).filter((s) => text.includes(s));

test('redactSecrets replaces passwords, tokens, key material and URL passwords; keeps the rest', (t) => {
  const dir = writeFiles(t, { 'c.yaml': FILE });
  const config = loadConfig([join(dir, 'c.yaml')], SECRETS);
  assert.equal((config.connectors.k as { sasl: { password: string } }).sasl.password, 'kafka-pw-1'); // loaded for real
  const red = redactSecrets(config);
  const text = JSON.stringify(red);
  assert.deepEqual(leaks(text), []);
  assert.match(text, /"password":"\[redacted\]"/);
  const k = red.connectors.k as { ssl: { key: string; cert: string }; sasl: { username: string } };
  assert.equal(k.ssl.key, REDACTED);
  assert.equal(k.ssl.cert, 'public cert');
  assert.equal(k.sasl.username, 'user');
  assert.equal((red.connectors.r as { url: string }).url, `redis://:${REDACTED}@h:6379`);
  assert.equal(redactUrl('redis://user:pw@h:1/0'), `redis://user:${REDACTED}@h:1/0`);
  assert.equal(redactUrl('http://h:1/a:b@c'), 'http://h:1/a:b@c'); // no user info, nothing to hide
});

test('pino with CONFIG_REDACT_PATHS hides secrets of a config, a connector, or a connector under a key', (t) => {
  const dir = writeFiles(t, { 'c.yaml': FILE });
  const config = loadConfig([join(dir, 'c.yaml')], SECRETS);
  let out = '';
  const sink = new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) });
  const log = pino({ redact: [...CONFIG_REDACT_PATHS] }, sink);
  log.info({ config: { connectors: config.connectors } }, 'whole config');
  log.info(config.connectors.k, 'connector at top level');
  log.info(
    { connector: config.connectors.p, registry: config.connectors.s, redis: config.connectors.r },
    'under keys',
  );
  log.info(config, 'the GatewayConfig itself');
  assert.equal(out.trim().split('\n').length, 4);
  assert.match(out, /\[Redacted\]/);
  // the redis URL carries its password inline: paths cannot reach into a string, redactUrl does
  const outWithoutUrls = out.replace(/redis:\/\/:[^@]*@/g, '');
  assert.deepEqual(leaks(outWithoutUrls), []);
  assert.ok(Object.isFrozen(config.connectors.k)); // pino redaction did not need to mutate the frozen config
});

test('error messages and details never carry a value that came from the environment', (t) => {
  const dir = writeFiles(t, {
    // fields around the secrets are wrong, with environment values in them
    'c.yaml': `connectors:
  k:
    kind: kafka
    brokers: "\${KP}"
    sasl: "\${KK}"
  p: { kind: pulsar, serviceUrl: "x\${PT}", adminUrl: "http://h", token: "\${PT}" }
`,
  });
  try {
    loadConfig([join(dir, 'c.yaml')], SECRETS);
    assert.fail('should throw');
  } catch (err) {
    assert.ok(isK2pError(err, 'K2P_CFG_INVALID'), String(err));
    assert.equal((err.details.problems as unknown[]).length, 3, err.message);
    assert.match(
      err.message,
      /connectors\.k\.brokers: found "\$\{KP\}" \(from the environment\), expected host:port/,
    );
    assert.match(
      err.message,
      /connectors\.k\.sasl: found "\$\{KK\}" \(from the environment\), expected a map/,
    );
    assert.deepEqual(leaks(err.message + JSON.stringify(err.details)), []);
  }
});

test('a secret field of the wrong type is reported without its value', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': 'connectors:\n  r: { kind: redis, url: "redis://h:1", password: ["${DP}"] }\n',
  });
  try {
    loadConfig([join(dir, 'c.yaml')], SECRETS);
    assert.fail('should throw');
  } catch (err) {
    assert.ok(isK2pError(err, 'K2P_CFG_INVALID'));
    assert.match(
      err.message,
      /connectors\.r\.password: found a literal list, expected a \$\{VAR\} reference/,
    );
    assert.deepEqual(leaks(err.message + JSON.stringify(err.details)), []);
  }
});
