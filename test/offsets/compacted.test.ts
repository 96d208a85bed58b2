// A compacted topic: keys overwritten, and Kafka's log cleaner (forced fast) removes the older records, so
// the offsets left have gaps. The mirror copies what is left. A kafkajs group commits offsets that point
// into those gaps (and, on one partition, inside a Pulsar batch); after translation our consumer and the
// official Python client each receive exactly the rest: first offset = the committed offset or the next
// existing one, no gap, no duplicate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutover } from '../../src/offsets/cutover.js';
import { uniqueName } from '../helpers/stack.js';
import { assertRest, client, compactNow, consumeUntil, FAST_COMPACTION, gapStops, kafka, offsetsDeps, pythonRest, readRest, restEnds, sourceAndTarget, startMirror, waitMirrored } from './helpers.js';

const PARTITIONS = 3;

test('compacted topic: committed offsets in compaction gaps translate to the next existing record (ours and Python)', { timeout: 400_000 }, async () => {
  const pair = await sourceAndTarget('off-cmp', PARTITIONS, FAST_COMPACTION);
  // 6 rounds × 60 records per partition over 20 keys per partition: each key is written 18 times.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let round = 0; round < 6; round++) {
    const messages = Array.from({ length: PARTITIONS * 60 }, (_, i) => ({ partition: i % PARTITIONS, key: `k${i % PARTITIONS}-${(i * 7 + round) % 20}`, value: `r${round}-${i}` }));
    await producer.send({ topic: pair.source, messages });
    await new Promise((r) => setTimeout(r, 200)); // segment.ms = 100: the next write rolls the segment
  }
  await producer.disconnect();

  const visible = await compactNow(pair.source, PARTITIONS);
  for (const [p, list] of visible) assert.ok(list.length < 360 / 2, `partition ${p}: compaction removed records (${list.length} of 360+ left)`);
  const mirror = await startMirror(pair);
  await waitMirrored(pair);
  await mirror.stop();
  for (const [p, list] of visible) {
    assert.deepEqual(pair.stored.get(p)!.map((r) => String(r.offset)), list.map(String), `partition ${p}: the mirror stored exactly what compaction left`);
  }

  const stops = gapStops(pair, visible);
  const group = uniqueName('k2p-app');
  await consumeUntil(group, pair.source, stops);

  const subOurs = uniqueName('sub-ours');
  const result = await cutover(offsetsDeps(pair), { group, subscription: subOurs, type: 'Failover', whenNoOffset: 'earliest' });
  for (const p of result.partitions) {
    const n = BigInt(p.kafkaOffset);
    assert.equal(p.kafkaOffset, String(stops.get(p.partition)), `partition ${p.partition}: the committed offset`);
    assert.equal(p.nextOffset, visible.get(p.partition)!.find((o) => o >= n)?.toString(), `partition ${p.partition}: the next existing record`);
  }
  assertRest('our consumer', await readRest(client, pair.target, subOurs, restEnds(visible, stops)), visible, stops);

  const subPy = uniqueName('sub-py');
  await cutover(offsetsDeps(pair, { index: false }), { group, subscription: subPy, type: 'Failover', whenNoOffset: 'earliest' });
  assertRest('official Python client', await pythonRest(pair.target, subPy), visible, stops);
});
