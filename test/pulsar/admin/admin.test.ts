// The admin REST client against the real Pulsar standalone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PulsarAdmin } from '../../../src/pulsar/admin/index.js';
import { isK2pError } from '../../../src/errors.js';
import { STACK, cleanup, uniqueName } from '../../helpers/stack.js';

const admin = new PulsarAdmin({ url: STACK.pulsarAdminUrl });

test('tenant, namespace and a 4-partition topic are created and read back', async () => {
  const tenant = uniqueName('k2p-t');
  const namespace = `${tenant}/ns`;
  const topic = `persistent://${namespace}/orders`;
  cleanup(async () => {
    await admin.namespaces.delete(namespace, true).catch(() => undefined);
    await admin.tenants.delete(tenant).catch(() => undefined);
  });

  assert.equal(await admin.tenants.ensure(tenant), true);
  assert.equal(await admin.tenants.ensure(tenant), false, 'a second ensure finds it');
  assert.ok((await admin.tenants.list()).includes(tenant));
  assert.deepEqual((await admin.tenants.get(tenant)).allowedClusters, ['standalone']);

  await admin.namespaces.ensure(namespace);
  assert.deepEqual(await admin.namespaces.list(tenant), [namespace]);

  await admin.topics.createPartitioned(topic, 4);
  assert.equal(await admin.topics.partitions(topic), 4);
  assert.deepEqual(await admin.topics.listPartitioned(namespace), [topic]);
  await admin.topics.updatePartitions(topic, 6);
  assert.equal(await admin.topics.partitions(topic), 6);

  await assert.rejects(admin.topics.createPartitioned(topic, 4), (err) => isK2pError(err, 'K2P_PLS_ADMIN') && err.details.status === 409);
});

test('topic policies: deduplication, retention, compaction threshold', async () => {
  const topic = `persistent://public/default/${uniqueName('policies')}`;
  await admin.topics.createNonPartitioned(topic);
  cleanup(() => admin.topics.delete(topic, { force: true }));
  await admin.topics.setDeduplication(topic, true);
  await admin.topics.setRetention(topic, { retentionTimeInMinutes: 60, retentionSizeInMB: 100 });
  await admin.topics.setCompactionThreshold(topic, 1024 * 1024);
  // Topic policies travel through a system topic: they become visible shortly after being set.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [dedup, retention, threshold] = await Promise.all([
      admin.topics.getDeduplication(topic),
      admin.topics.getRetention(topic),
      admin.topics.getCompactionThreshold(topic),
    ]);
    if (dedup === true && retention?.retentionSizeInMB === 100 && threshold === 1024 * 1024) break;
    assert.ok(Date.now() < deadline, `policies not visible: ${JSON.stringify({ dedup, retention, threshold })}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

test('an unknown topic is a clear 404 error', async () => {
  await assert.rejects(admin.topics.stats(`persistent://public/default/${uniqueName('missing')}`), (err) => {
    assert.ok(isK2pError(err, 'K2P_PLS_ADMIN'));
    assert.equal(err.details.status, 404);
    assert.match(err.message, /GET \/admin\/v2\/persistent\/public\/default\/missing-.* → 404/);
    return true;
  });
});
