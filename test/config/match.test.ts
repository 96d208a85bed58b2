// matchesTopic / targetTopic / groups / resolveTopic: exact names, /regex/, excludes, internal topics.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isK2pError } from '../../src/errors.js';
import {
  isInternalTopic,
  loadConfig,
  matchesGroup,
  matchesTopic,
  parseMatcher,
  resolveGroup,
  resolveTopic,
  subscriptionName,
  targetTopic,
} from '../../src/config/index.js';
import { CONNECTORS, writeFiles } from './helpers.js';

const mapping = (match: string, exclude: string[] = []) => ({
  match: parseMatcher(match),
  exclude: exclude.map(parseMatcher),
});

test('exact names match only themselves; /regex/ with flags; excludes by name and by regex', () => {
  assert.ok(matchesTopic(mapping('orders'), 'orders'));
  assert.ok(!matchesTopic(mapping('orders'), 'orders2'));
  const events = mapping('/^events\\./', ['events.internal', '/\\.tmp$/']);
  assert.ok(matchesTopic(events, 'events.clicks'));
  assert.ok(!matchesTopic(events, 'events.internal'));
  assert.ok(!matchesTopic(events, 'events.x.tmp'));
  assert.ok(!matchesTopic(events, 'other'));
  assert.ok(matchesTopic(mapping('/^ORDERS$/i'), 'orders'));
  assert.throws(() => parseMatcher('/(/'), SyntaxError);
});

test('internal topics never match a regex, but may be named exactly', () => {
  const all = mapping('/.*/');
  for (const name of [
    '__consumer_offsets',
    '__transaction_state',
    '_schemas',
    '__anything',
    '_confluent-metrics',
  ]) {
    assert.ok(isInternalTopic(name), name);
    assert.ok(!matchesTopic(all, name), name);
  }
  assert.ok(matchesTopic(all, 'orders') && matchesTopic(all, '_private'));
  assert.ok(matchesTopic(mapping('_schemas'), '_schemas'));
});

test('targetTopic substitutes {topic} and returns the full Pulsar name; a -partition-N result is refused', () => {
  assert.equal(
    targetTopic({ to: 'persistent://shop/orders/{topic}' }, 'orders'),
    'persistent://shop/orders/orders',
  );
  assert.equal(targetTopic({ to: 'non-persistent://t/n/k-{topic}' }, 'a.b'), 'non-persistent://t/n/k-a.b');
  assert.throws(
    () => targetTopic({ to: 'persistent://t/n/{topic}' }, 'x-partition-1'),
    (err) => isK2pError(err, 'K2P_PLS_TOPIC_NAME') && /partition/.test(err.message),
  );
});

test('groups: name or regex; subscription template', () => {
  assert.ok(matchesGroup({ match: parseMatcher('billing') }, 'billing'));
  assert.ok(matchesGroup({ match: parseMatcher('/^billing-/') }, 'billing-eu'));
  assert.equal(subscriptionName({ subscription: '{group}' }, 'billing'), 'billing');
  assert.equal(subscriptionName({ subscription: 'k2p-{group}' }, 'billing'), 'k2p-billing');
});

test('resolveTopic / resolveGroup: exact beats a pattern, per source cluster; two patterns on one name is an error', (t) => {
  const dir = writeFiles(t, {
    'c.yaml': CONNECTORS,
    'm.yaml': `source: kafka-local
target: pulsar-local
topics:
  - { match: "/^e\\\\./", to: "persistent://t/a/{topic}" }
  - { match: "/\\\\.x$/", to: "persistent://t/b/{topic}" }
  - { match: e.x, to: "persistent://t/c/{topic}" }
groups:
  - { match: "/^g/" }
  - { match: g1, subscription: special }
`,
  });
  const config = loadConfig([join(dir, 'c.yaml'), join(dir, 'm.yaml')], {});
  assert.equal(resolveTopic(config, 'kafka-local', 'e.y')!.to, 'persistent://t/a/{topic}');
  assert.equal(resolveTopic(config, 'kafka-local', 'e.x')!.to, 'persistent://t/c/{topic}');
  assert.equal(resolveTopic(config, 'kafka-local', 'other'), undefined);
  assert.equal(resolveTopic(config, 'kafka-two', 'e.y'), undefined);
  assert.throws(
    () => resolveTopic(config, 'kafka-local', 'e.z.x'),
    (err) =>
      isK2pError(err, 'K2P_CFG_INVALID') &&
      /"e\.z\.x" is matched by .*topics\[0\].*topics\[1\]/.test(err.message),
  );
  assert.equal(resolveGroup(config, 'kafka-local', 'g1')!.subscription, 'special');
  assert.equal(subscriptionName(resolveGroup(config, 'kafka-local', 'g2')!, 'g2'), 'g2');
});
