// `k2p verify` against real Kafka and Pulsar: the real Mirror's copy is identical (exit 0); then one Pulsar
// topic per injected fault, written directly by our producer, each reported exactly where it is (Kafka
// topic/partition/offset and Pulsar message id) with exit code 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageId, partitionTopic, type OutgoingMessage } from '../../src/pulsar/client/index.js';
import type { Divergence, VerifyReport } from '../../src/verify/index.js';
import { admin, testClient } from '../helpers/pulsar.js';
import { cleanup, uniqueName } from '../helpers/stack.js';
import {
  createSource,
  kafka,
  mappingFile,
  messageOf,
  mirrorSource,
  verifyCli,
  writeTarget,
  type Source,
} from './fixture.js';

const PARTITIONS = 3;
const PER_PARTITION = 50;
const client = testClient();
const source: Source = await createSource(PARTITIONS, PER_PARTITION);

/** The messages toPulsarMessage makes of every record, per partition, for a fault to edit. */
function faithful(): OutgoingMessage[][] {
  return source.records.map((list) => list.map(messageOf));
}

async function verifyFault(
  partitions: OutgoingMessage[][],
): Promise<{ report: VerifyReport; ids: MessageId[][]; target: string; code: number | null }> {
  const { target, ids } = await writeTarget(client, source.topic, partitions);
  const { code, report, stderr } = await verifyCli(mappingFile(source.topic, target));
  assert.equal(code, 1, `exit code 1 for a divergence; stderr:\n${stderr}`);
  assert.match(stderr, /K2P_VERIFY_DIVERGENT/);
  assert.equal(report.identical, false);
  return { report, ids, target, code };
}

function only(report: VerifyReport): Divergence {
  assert.equal(
    report.divergences.length,
    1,
    `exactly one divergence: ${JSON.stringify(report.divergences, null, 1)}`,
  );
  return report.divergences[0]!;
}

/** The id as a reader of partition p prints it (the producer of a partition topic knows no partition index). */
const idOf = (ids: MessageId[][], p: number, i: number) => {
  const id = ids[p]![i]!;
  return new MessageId(id.ledgerId, id.entryId, p, id.batchIndex).toString();
};
const at = (p: number, offset: number) => ({ topic: source.topic, partition: p, offset: String(offset) });

test("identical: the real Mirror's copy verifies with exit 0", { timeout: 180_000 }, async () => {
  const target = await mirrorSource(client, source);
  const { code, report, stderr } = await verifyCli(mappingFile(source.topic, target));
  assert.equal(code, 0, `exit 0; report: ${JSON.stringify(report.divergences)}; stderr: ${stderr}`);
  assert.equal(report.identical, true);
  assert.equal(report.divergenceCount, 0);
  const [topic] = report.topics;
  assert.equal(topic?.matched, PARTITIONS * PER_PARTITION, JSON.stringify(report, null, 1));
  assert.equal(topic?.kafkaRecords, PARTITIONS * PER_PARTITION);
  assert.equal(topic?.pulsarMessages, PARTITIONS * PER_PARTITION);
  assert.deepEqual(
    topic?.partitions.map((p) => [p.partition, p.matched, p.ranges]),
    [0, 1, 2].map((p) => [p, PER_PARTITION, [{ from: '0', to: String(PER_PARTITION) }]]),
  );
});

test(
  'a record dropped: missing at its Kafka offset, before the Pulsar message that follows it',
  { timeout: 120_000 },
  async () => {
    const parts = faithful();
    parts[1]!.splice(17, 1);
    const { report, ids, target } = await verifyFault(parts);
    const d = only(report);
    assert.equal(d.kind, 'missing');
    assert.deepEqual(d.kafka, at(1, 17));
    assert.deepEqual(d.pulsarBefore, { topic: partitionTopic(target, 1), messageId: idOf(ids, 1, 17) }); // offset 18 now sits at index 17
    assert.equal(report.topics[0]!.partitions[1]!.missing, 1);
  },
);

test('a record duplicated: the second copy, at its Pulsar id', { timeout: 120_000 }, async () => {
  const parts = faithful();
  parts[2]!.splice(31, 0, messageOf(source.records[2]![30]!));
  const { report, ids, target } = await verifyFault(parts);
  const d = only(report);
  assert.equal(d.kind, 'duplicate');
  assert.deepEqual(d.kafka, at(2, 30));
  assert.deepEqual(d.pulsar, { topic: partitionTopic(target, 2), messageId: idOf(ids, 2, 31) });
});

test(
  'two records swapped: one order divergence at the record that comes late',
  { timeout: 120_000 },
  async () => {
    const parts = faithful();
    const p0 = parts[0]!;
    [p0[10], p0[11]] = [p0[11]!, p0[10]!];
    const { report, ids, target } = await verifyFault(parts);
    const d = only(report);
    assert.equal(d.kind, 'order');
    assert.deepEqual(d.kafka, at(0, 10));
    assert.deepEqual(d.pulsar, { topic: partitionTopic(target, 0), messageId: idOf(ids, 0, 11) });
    assert.match(d.detail, /offset 10 comes after offset 11/);
  },
);

test('one value byte changed: value divergence naming the byte', { timeout: 120_000 }, async () => {
  const parts = faithful();
  const m = parts[1]![5]!;
  const changed = Buffer.from(m.payload!);
  changed[3] = changed[3]! ^ 0x01;
  m.payload = changed;
  const { report, ids, target } = await verifyFault(parts);
  const d = only(report);
  assert.equal(d.kind, 'value');
  assert.deepEqual(d.kafka, at(1, 5));
  assert.deepEqual(d.pulsar, { topic: partitionTopic(target, 1), messageId: idOf(ids, 1, 5) });
  assert.match(d.detail, /differs at byte 3/);
});

test('one header changed: headers divergence naming the header', { timeout: 120_000 }, async () => {
  const parts = faithful();
  parts[2]![7]!.properties!.trace = 'tampered';
  const { report, ids, target } = await verifyFault(parts);
  const d = only(report);
  assert.equal(d.kind, 'headers');
  assert.deepEqual(d.kafka, at(2, 7));
  assert.deepEqual(d.pulsar, { topic: partitionTopic(target, 2), messageId: idOf(ids, 2, 7) });
  assert.match(d.detail, /"trace": Kafka "t2007", Pulsar "tampered"/);
});

test(
  'a record in the wrong partition: misplaced where it is, missing where it belongs',
  { timeout: 120_000 },
  async () => {
    const parts = faithful();
    const [moved] = parts[0]!.splice(20, 1);
    parts[1]!.push(moved!);
    const { report, ids, target } = await verifyFault(parts);
    assert.equal(report.divergenceCount, 2, JSON.stringify(report.divergences));
    const missing = report.divergences.find((d) => d.kind === 'missing');
    const misplaced = report.divergences.find((d) => d.kind === 'misplaced');
    assert.deepEqual(missing?.kafka, at(0, 20));
    assert.equal(missing?.partition, 0);
    assert.deepEqual(misplaced?.kafka, at(0, 20));
    assert.equal(misplaced?.partition, 1);
    assert.deepEqual(misplaced?.pulsar, {
      topic: partitionTopic(target, 1),
      messageId: idOf(ids, 1, PER_PARTITION),
    });
  },
);

test(
  'a truncated tail: the missing offsets as one run at the end of the partition',
  { timeout: 120_000 },
  async () => {
    const parts = faithful();
    parts[2]!.splice(PER_PARTITION - 5);
    const { report } = await verifyFault(parts);
    const d = only(report);
    assert.equal(d.kind, 'missing');
    assert.deepEqual(d.kafka, at(2, PER_PARTITION - 5));
    assert.equal(d.pulsarBefore, undefined);
    assert.match(
      d.detail,
      new RegExp(`offsets ${PER_PARTITION - 5}\\.\\.${PER_PARTITION - 1} \\(5 records\\)`),
    );
    assert.equal(report.divergenceCount, 5);
    assert.equal(report.topics[0]!.partitions[2]!.missing, 5);
  },
);

test(
  "a wrong subscription position: the group's committed offset against the message the subscription delivers next",
  { timeout: 120_000 },
  async () => {
    const { target, ids } = await writeTarget(client, source.topic, faithful());
    const group = uniqueName('verify-group');
    const subscription = `${group}-sub`;
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      await kafkaAdmin.setOffsets({
        groupId: group,
        topic: source.topic,
        partitions: [
          { partition: 0, offset: '10' },
          { partition: 1, offset: '20' },
          { partition: 2, offset: String(PER_PARTITION) },
        ],
      });
    } finally {
      await kafkaAdmin.disconnect();
    }
    cleanup(async () => {
      const a = kafka.admin();
      await a.connect();
      await a.deleteGroups([group]).catch(() => undefined);
      await a.disconnect();
    });
    const position = (p: number, i: number) => ({
      ledgerId: ids[p]![i]!.ledgerId,
      entryId: ids[p]![i]!.entryId,
      batchIndex: ids[p]![i]!.batchIndex,
    });
    await admin.subscriptions.create(partitionTopic(target, 0), subscription, position(0, 10)); // right: offset 10 next
    await admin.subscriptions.create(partitionTopic(target, 1), subscription, position(1, 23)); // wrong: 23 where 20 is committed
    await admin.subscriptions.create(partitionTopic(target, 2), subscription, 'latest'); // right: at the end, 50 committed

    const { code, report, stderr } = await verifyCli(
      mappingFile(source.topic, target, [{ match: group, subscription }]),
    );
    assert.equal(code, 1, stderr);
    assert.deepEqual(
      report.positions.map((p) => [p.partition, p.kafkaCommitted, p.pulsarNext, p.ok]),
      [
        [0, '10', '10', true],
        [1, '20', '23', false],
        [2, String(PER_PARTITION), String(PER_PARTITION), true],
      ],
    );
    const d = only(report);
    assert.equal(d.kind, 'position');
    assert.deepEqual(d.kafka, at(1, 20));
    assert.deepEqual(d.pulsar, { topic: partitionTopic(target, 1), messageId: idOf(ids, 1, 23) });
    assert.equal(report.topics[0]!.identical, true, 'the records themselves are identical');
  },
);
