// Our fetch path against the real broker (:9092): Metadata, then Fetch read_committed and read_uncommitted
// of a topic holding every codec, headers, null keys, tombstones, and committed and aborted transactions —
// the batches the broker really sends, walked with the record batch walker and ReadCommitted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFetch, READ_COMMITTED, writeFetchRequest } from '../../../src/kafka/protocol/fetch.js';
import { ReadCommitted } from '../../../src/kafka/protocol/read-committed.js';
import { controlTypeOf, isControl, recordsOf, type RecordBatchView } from '../../../src/kafka/protocol/record-batch.js';
import { KafkaCluster } from '../../../src/kafka/wire/cluster.js';
import { walk, type WalkedRecord } from '../../helpers/kafka-records.js';
import { transactionalTopic } from '../../helpers/kafka-transactions.js';
import { cleanup, STACK } from '../../helpers/stack.js';

const cluster = new KafkaCluster(STACK.kafkaBrokers, { clientId: 'k2p-test-fetch' });
cleanup(() => cluster.close());

/** Every record of partition 0, fetched from offset 0 in pieces of `maxBytes`, until the high watermark. */
async function readAll(topic: string, isolation: number, maxBytes: number): Promise<{ records: WalkedRecord[]; controls: number; fetches: number }> {
  const m = await cluster.metadata([topic]);
  const leader = m.topics[0]!.partitions[0]!.leader;
  const conn = await cluster.node(leader);
  const records: WalkedRecord[] = [];
  let next = 0;
  let controls = 0;
  let fetches = 0;
  for (;;) {
    fetches++;
    const r = await conn.call(
      'fetch',
      (w, v) => writeFetchRequest(w, v, { maxWaitMs: 100, minBytes: 1, maxBytes, isolationLevel: isolation, topic, partitions: [{ partition: 0, offset: next, maxBytes }] }),
      parseFetch,
    );
    const p = r.topics[0]!.partitions[0]!;
    assert.equal(p.errorCode, 0);
    const end = isolation === READ_COMMITTED ? p.lastStableOffset : p.highWatermark;
    if (next >= end) return { records, controls, fetches };
    const rc = new ReadCommitted(isolation === READ_COMMITTED ? p.abortedTransactions : []);
    const keep = (b: RecordBatchView) => {
      if (isControl(b)) controls++;
      const control = isControl(b) ? controlTypeOf(b, recordsOf(b) as Buffer) : undefined;
      return !rc.skip(b, control) && !(isolation !== READ_COMMITTED && isControl(b));
    };
    const { batches, records: got } = await walk(p.records ?? Buffer.alloc(0), keep);
    records.push(...got.filter((x) => x.offset >= next));
    assert.ok(batches.length > 0, `a fetch from ${next} (end ${end}) brought no whole batch`);
    next = batches[batches.length - 1]!.lastOffset + 1;
  }
}

const plain = (rs: WalkedRecord[]) => rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp }));

test('read_committed from the broker: every codec, header, null key and tombstone as written; aborted records and markers left out', { timeout: 60_000 }, async () => {
  const { topic, committed } = await transactionalTopic();
  const whole = await readAll(topic, READ_COMMITTED, 1024 * 1024);
  assert.deepEqual(plain(whole.records), committed);
  assert.equal(whole.controls, 3, 'three transaction markers seen and skipped');
  const offsets = whole.records.map((r) => r.offset);
  assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
  // Small fetches (a batch or two each, the last one cut short) give the same records.
  const pieces = await readAll(topic, READ_COMMITTED, 200);
  assert.ok(pieces.fetches > 5, `${pieces.fetches} fetches`);
  assert.deepEqual(pieces.records, whole.records);
});

test('read_uncommitted from the broker shows the aborted records the filter removes (the test can tell)', { timeout: 60_000 }, async () => {
  const { topic, committed } = await transactionalTopic();
  const all = await readAll(topic, 0, 1024 * 1024);
  const keys = all.records.map((r) => r.key);
  for (const k of ['abort-1', 'abort-2', 'abort-3']) assert.ok(keys.includes(k), `${k} is in the log`);
  assert.equal(all.records.length, committed.length + 3);
});
