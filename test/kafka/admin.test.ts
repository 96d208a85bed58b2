// KafkaAdmin against the real local Kafka: topic listing without internal topics, partition counts, the
// carried-over configs (overrides and defaults), start/end offsets (after records and a deletion), a
// consumer group's committed offsets and its state and members.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import { KafkajsAdmin, isInternalTopic } from '../../src/kafka/admin.js';
import { kafkaClient } from '../../src/kafka/client.js';
import { isK2pError } from '../../src/errors.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const kafka = kafkaClient({ name: 'kafka-local', brokers: [...STACK.kafkaBrokers] });
const admin = new KafkajsAdmin(kafka, 'kafka-local');
let raw: Admin;

before(async () => {
  await admin.connect();
  raw = kafka.admin();
  await raw.connect();
});
after(async () => {
  await admin.close();
  await raw.disconnect();
});

async function createTopic(prefix: string, numPartitions: number, configEntries: { name: string; value: string }[] = []): Promise<string> {
  const topic = uniqueName(prefix);
  await raw.createTopics({ topics: [{ topic, numPartitions, configEntries }], waitForLeaders: true });
  cleanup(() => raw.deleteTopics({ topics: [topic] }).catch(() => undefined));
  return topic;
}

test('isInternalTopic: __* and _schemas only', () => {
  for (const t of ['__consumer_offsets', '__transaction_state', '_schemas', '__k2p']) assert.ok(isInternalTopic(t), t);
  for (const t of ['orders', '_orders', 'schemas', 'a__b']) assert.ok(!isInternalTopic(t), t);
});

test('listTopics and partitionCounts', async () => {
  const a = await createTopic('adm-a', 3);
  const b = await createTopic('adm-b', 1);
  // Make sure __consumer_offsets exists: a group commit creates it.
  const topics = await admin.listTopics();
  assert.ok(topics.includes(a) && topics.includes(b));
  assert.ok(topics.every((t) => !isInternalTopic(t)), topics.filter(isInternalTopic).join());
  assert.deepEqual([...topics].sort(), topics);
  const counts = await admin.partitionCounts([a, b]);
  assert.equal(counts.get(a), 3);
  assert.equal(counts.get(b), 1);
  const missing = uniqueName('missing');
  assert.deepEqual([...(await admin.partitionCounts([missing, b])).entries()], [[b, 1]]);
});

test('topicConfigs: overrides and defaults of the carried configs', async () => {
  const t = await createTopic('adm-cfg', 1, [
    { name: 'retention.ms', value: '3600000' },
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'max.message.bytes', value: '2097152' },
  ]);
  const plain = await createTopic('adm-cfg-default', 1);
  const configs = await admin.topicConfigs([t, plain]);
  const c = configs.get(t)!;
  assert.equal(c.values['retention.ms'], '3600000');
  assert.equal(c.values['cleanup.policy'], 'compact');
  assert.equal(c.values['max.message.bytes'], '2097152');
  assert.equal(c.values['retention.bytes'], '-1');
  assert.deepEqual([...c.overridden].sort(), ['cleanup.policy', 'max.message.bytes', 'retention.ms']);
  const d = configs.get(plain)!;
  assert.equal(d.values['cleanup.policy'], 'delete');
  assert.deepEqual(d.overridden, []);
  assert.deepEqual(Object.keys(d.values).sort(), ['cleanup.policy', 'max.message.bytes', 'retention.bytes', 'retention.ms']);
});

test('offsets: start and end per partition, after records and a deletion', async () => {
  const t = await createTopic('adm-off', 2);
  assert.deepEqual(await admin.offsets(t), [
    { partition: 0, start: '0', end: '0' },
    { partition: 1, start: '0', end: '0' },
  ]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: t, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i < 7 ? 0 : 1 })) });
  await producer.disconnect();
  await raw.fetchTopicMetadata({ topics: [t] }); // kafkajs's deleteTopicRecords needs the leaders loaded
  await raw.deleteTopicRecords({ topic: t, partitions: [{ partition: 0, offset: '4' }] });
  assert.deepEqual(await admin.offsets(t), [
    { partition: 0, start: '4', end: '7' },
    { partition: 1, start: '0', end: '3' },
  ]);
});

test('a deleted topic does not break later calls (kafkajs remembers topics it was asked about)', async () => {
  // Created and deleted through a separate kafkajs admin: it would remember the topic too.
  const t = uniqueName('adm-gone');
  const other = await createTopic('adm-still', 2);
  const side = kafka.admin();
  await side.connect();
  await side.createTopics({ topics: [{ topic: t, numPartitions: 1 }], waitForLeaders: true });
  assert.equal((await admin.offsets(t)).length, 1);
  await side.deleteTopics({ topics: [t] });
  await side.disconnect();
  assert.equal((await admin.offsets(other)).length, 2);
  assert.ok(Array.isArray(await admin.listGroups()));
  // Answered at once, not after kafkajs's ~9 s of UNKNOWN_TOPIC_OR_PARTITION retries.
  const asked = Date.now();
  await assert.rejects(admin.offsets(t), (e) => isK2pError(e, 'K2P_KFK_ADMIN') && e.message.includes(`topic ${t} does not exist`));
  const waited = Date.now() - asked;
  assert.ok(waited < 8_000, `a deleted topic took ${waited} ms to report`);
});

test('committed offsets, group state and members', async () => {
  const t = await createTopic('adm-grp', 2);
  const groupId = uniqueName('adm-group');
  cleanup(() => raw.deleteGroups([groupId]).catch(() => undefined));
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: t, messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })) });
  await producer.disconnect();

  // disconnect() waits for the fetch in flight: 0.5 s on an idle partition instead of kafkajs's 5 s.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: t, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.run({ autoCommit: false, eachMessage: async () => void (++seen === 6 && resolve()) }).catch(reject);
  });
  await consumer.commitOffsets([{ topic: t, partition: 0, offset: '3' }]);

  const live = await admin.describeGroup(groupId);
  assert.equal(live.groupId, groupId);
  assert.equal(live.state, 'Stable');
  assert.equal(live.protocolType, 'consumer');
  assert.equal(live.members.length, 1);
  assert.deepEqual(live.members[0]!.assignment, [{ topic: t, partitions: [0, 1] }]);
  assert.ok((await admin.listGroups()).some((g) => g.groupId === groupId));

  const committed = await admin.committedOffsets(groupId, [t]);
  assert.deepEqual(
    committed.map((c) => ({ partition: c.partition, offset: c.offset })),
    [
      { partition: 0, offset: '3' },
      { partition: 1, offset: '-1' },
    ],
  );
  await consumer.disconnect();
  const empty = await admin.describeGroup(groupId);
  assert.equal(empty.state, 'Empty');
  assert.deepEqual(empty.members, []);
  const all = await admin.committedOffsets(groupId);
  assert.deepEqual(all.filter((c) => c.offset !== '-1').map((c) => [c.topic, c.partition, c.offset]), [[t, 0, '3']]);
});
