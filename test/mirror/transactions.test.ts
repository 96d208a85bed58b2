// Transactions through the mirror: only committed records reach Pulsar, and the mirror's own Kafka offsets
// move past the transaction markers — a partition ending in a commit marker is mirrored up to its end, so a
// consumer group committed at the end can be cut over (a batch of only markers never reaches eachBatch).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Mirror } from '../../src/mirror/mirror.js';
import { fromPulsarMessage } from '../../src/mirror/record-mapping.js';
import { MessageId } from '../../src/pulsar/client/index.js';
import { mirrorTopics } from '../helpers/mirror-fault.js';
import { testClient } from '../helpers/pulsar.js';
import { STACK, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-tx-test', logLevel: logLevel.NOTHING });

test('committed transactions only; the mirror commits up to the end marker of every partition', { timeout: 180_000 }, async () => {
  const { source, target, kafkaAdmin } = await mirrorTopics(kafka, 'tx', 2);
  const producer = kafka.producer({ transactionalId: uniqueName('k2p-tx'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // committed, aborted, committed: each partition ends with a commit marker.
  for (const [t, outcome] of (['commit', 'abort', 'commit'] as const).entries()) {
    const tx = await producer.transaction();
    await tx.send({ topic: source, messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `${outcome}-${t}-${i}` })) });
    await (outcome === 'commit' ? tx.commit() : tx.abort());
  }
  await producer.disconnect();
  const ends = new Map((await kafkaAdmin.fetchTopicOffsets(source)).map((o) => [o.partition, BigInt(o.high)]));

  const client = testClient();
  const groupId = uniqueName('k2p-tx-mirror');
  const mirror = new Mirror({ kafka, pulsar: client, groupId, topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }] });
  await mirror.start();
  const deadline = Date.now() + 60_000;
  // Before the fix the committed offset stopped one short of the end (the last commit marker).
  while (!(mirror.status().length === 2 && mirror.status().every((p) => p.committedOffset === ends.get(p.partition)! - 1n))) {
    assert.ok(Date.now() < deadline, `mirror did not reach the partition ends ${JSON.stringify([...ends].map(([p, e]) => [p, String(e)]))}: ${JSON.stringify(mirror.status(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await mirror.stop();
  const committed = await kafkaAdmin.fetchOffsets({ groupId, topics: [source] });
  for (const { partition, offset } of committed[0]!.partitions) assert.equal(BigInt(offset), ends.get(partition), `group offset of partition ${partition} at the end`);

  for (const p of [0, 1]) {
    const reader = await client.createReader({ topic: `${target}-partition-${p}`, startMessageId: MessageId.earliest });
    const values: string[] = [];
    while (await reader.hasMessageAvailable()) values.push(fromPulsarMessage(await reader.readNext(10_000)).value!.toString());
    await reader.close();
    assert.equal(values.length, 40, `partition ${p}: 2 committed transactions × 20 records`);
    assert.ok(values.every((v) => v.startsWith('commit-')), 'no aborted record');
  }
  await client.close();
});
