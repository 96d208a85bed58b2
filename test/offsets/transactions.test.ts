// A transactional topic: kafkajs transactions, committed and aborted, leave offset gaps (aborted records and
// commit/abort markers) that the mirror (read_committed) never writes. A group that committed offsets
// pointing into those gaps (and inside batches) gets a subscription that delivers exactly the next existing
// record and the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutover } from '../../src/offsets/cutover.js';
import { uniqueName } from '../helpers/stack.js';
import { assertRest, client, consumeUntil, gapStops, kafka, kafkaOffsets, offsetsDeps, readRest, restEnds, sourceAndTarget, startMirror, waitMirrored } from './helpers.js';

const PARTITIONS = 3;

test('transactional topic: committed offsets in gaps (aborted records, markers) translate to the next existing record', { timeout: 300_000 }, async () => {
  const pair = await sourceAndTarget('off-txn', PARTITIONS);
  const producer = kafka.producer({ transactionalId: uniqueName('k2p-txn'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let round = 0; round < 12; round++) {
    const txn = await producer.transaction();
    await txn.send({ topic: pair.source, messages: Array.from({ length: PARTITIONS * 20 }, (_, i) => ({ partition: i % PARTITIONS, value: `r${round}-${i}` })) });
    if (round % 3 === 1) await txn.abort();
    else await txn.commit();
  }
  await producer.disconnect();
  const mirror = await startMirror(pair);
  await waitMirrored(pair);
  await mirror.stop();

  const visible = await kafkaOffsets(pair.source, PARTITIONS);
  // Per partition: a stop on a gap (an offset the read_committed side never shows), on partition 1 inside a batch.
  const stops = gapStops(pair, visible);
  const group = uniqueName('k2p-app');
  await consumeUntil(group, pair.source, stops);
  const result = await cutover(offsetsDeps(pair), { group, subscription: uniqueName('sub'), type: 'Failover', whenNoOffset: 'earliest' });
  for (const p of result.partitions) {
    const n = BigInt(p.kafkaOffset);
    assert.equal(p.nextOffset, visible.get(p.partition)!.find((o) => o >= n)?.toString(), `partition ${p.partition}: the next existing record`);
  }
  assertRest('transactional', await readRest(client, pair.target, result.subscription, restEnds(visible, stops)), visible, stops);
});
