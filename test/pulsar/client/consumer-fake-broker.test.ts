// Layer 2: a partitioned consumer whose partition fails for good (a fatal error on resubscribe) must say so
// through receive() — a merged stream that silently lacks a partition would look like an idle topic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PulsarClient } from '../../../src/pulsar/client/client.js';
import { FakeBroker } from '../../helpers/fake-broker.js';

const TOPIC = 'persistent://public/default/fake-partitioned';

test('a partition failing for good on resubscribe rejects receive() of the merged consumer with its error', { timeout: 10_000 }, async (t) => {
  const broker = await FakeBroker.start();
  const errors: string[] = [];
  const client = new PulsarClient({
    serviceUrl: broker.serviceUrl,
    operationTimeoutMs: 1000,
    connectTimeoutMs: 1000,
    keepAliveIntervalMs: 60_000,
    logger: { debug() {}, info() {}, warn() {}, error: (o: object, m?: string) => errors.push(`${m} ${JSON.stringify(o)}`) },
  });
  t.after(async () => {
    await client.close();
    await broker.close();
  });
  broker.on('PARTITIONED_METADATA', (cmd, conn) => void conn.send({ type: 'PARTITIONED_METADATA_RESPONSE', requestId: cmd.requestId, partitions: 2, response: 'Success' }));
  let subscribes = 0;
  broker.on('SUBSCRIBE', (cmd, conn) => {
    subscribes++;
    // The first two subscribes (one per partition) succeed; partition 1's resubscribe finds no topic.
    if (subscribes <= 2 || cmd.topic.endsWith('-partition-0')) void conn.send({ type: 'SUCCESS', requestId: cmd.requestId });
    else void conn.send({ type: 'ERROR', requestId: cmd.requestId, error: 'TopicNotFound', message: 'Topic does not exist' });
  });
  broker.on('FLOW', undefined);

  const consumer = await client.subscribe({ topic: TOPIC, subscription: 's', initialPosition: 'Earliest' });
  assert.equal(consumer.partitions.length, 2);
  const waiting = consumer.receive(5000);
  const conn = await broker.connection(1);
  // The broker closes partition 1's consumer (as on a topic unload); its resubscribe is refused for good.
  const sub1 = conn.frames.find((f) => f.command.type === 'SUBSCRIBE' && (f.command as { topic: string }).topic.endsWith('-partition-1'))!;
  await conn.send({ type: 'CLOSE_CONSUMER', consumerId: (sub1.command as { consumerId: bigint }).consumerId, requestId: 0n });
  await assert.rejects(waiting, /TopicNotFound/);
  await assert.rejects(consumer.receive(100), /TopicNotFound/, 'later receives fail too');
  assert.ok(errors.some((e) => e.includes('consumer failed for good') && e.includes('partition-1')), errors.join('\n'));
});
