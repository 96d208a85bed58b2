// The first proof: a kafkajs group reads part of a 6-partition topic (stopping inside Pulsar batches, at the
// end, and not at all on one partition) and commits; after translation a Pulsar consumer on the subscription
// receives exactly the rest of every partition — our client with the offset index, and the official Python
// client with no index at all (a scan from the first message).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutover } from '../../src/offsets/cutover.js';
import { uniqueName } from '../helpers/stack.js';
import { assertRest, client, consumeUntil, kafkaOffsets, offsetsDeps, produce, pythonRest, readRest, restEnds, sourceAndTarget, startMirror, waitMirrored } from './helpers.js';

test('committed offsets inside Pulsar batches become subscriptions that deliver exactly the rest (ours with the index, Python without)', { timeout: 300_000 }, async () => {
  const pair = await sourceAndTarget('off-tr', 6);
  await produce(pair.source, [400, 400, 400, 400, 400, 400]);
  const mirror = await startMirror(pair);
  await waitMirrored(pair);
  await mirror.stop();

  // Stops inside batches on partitions 0-3, at the end on 4, none on 5 (whenNoOffset: earliest).
  const stops = new Map<number, bigint>();
  for (let p = 0; p < 4; p++) {
    const list = pair.stored.get(p)!;
    const i = list.findIndex((r, j) => j >= 60 * (p + 1) && r.id.batchIndex > 0);
    assert.ok(i > 0, `partition ${p} has a record inside a batch`);
    assert.equal(list[i - 1]!.id.entryId, list[i]!.id.entryId, 'the record before is in the same Pulsar entry');
    stops.set(p, list[i]!.offset);
  }
  stops.set(4, 400n);
  const group = uniqueName('k2p-app');
  await consumeUntil(group, pair.source, stops);
  const kafkaSide = await kafkaOffsets(pair.source, 6);
  const from = new Map([...stops, [5, 0n]]);

  // Ours, with the index.
  const ours = offsetsDeps(pair);
  const subOurs = uniqueName('sub-ours');
  const result = await cutover(ours, { group, subscription: subOurs, type: 'Failover', whenNoOffset: 'earliest' });
  assert.equal(result.partitions.length, 6);
  assert.deepEqual(
    result.partitions.map((p) => p.kafkaOffset),
    [0, 1, 2, 3, 4, 5].map((p) => String(from.get(p))),
  );
  assertRest('our consumer', await readRest(client, pair.target, subOurs, restEnds(kafkaSide, from)), kafkaSide, from);

  // The official client, translation without the index.
  const bare = offsetsDeps(pair, { index: false });
  const subPy = uniqueName('sub-py');
  await cutover(bare, { group, subscription: subPy, type: 'Failover', whenNoOffset: 'earliest' });
  assertRest('official Python client', await pythonRest(pair.target, subPy), kafkaSide, from);
});
