// v2 consumer-instance lifecycle in each route (kafka, pulsar, dual) against the real stack: create, the
// errors of a second create, subscribe by list, records with Confluent's shape, commit and read committed,
// positions (offset, beginning, end), assignments, Accept checks, delete, and what a deleted instance answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Route } from '../../src/facade/route-table.js';
import { uniqueName } from '../helpers/stack.js';
import { call, pollN, pollNothing, type V2Record } from './consumer-helpers.js';
import { b64, fixture, V2_BINARY, V2_JSON_FMT } from './fixture.js';

const PARTITIONS = 3;

for (const route of ['kafka', 'pulsar', 'dual'] as Route[]) {
  test(`route ${route}: consumer instance lifecycle, records, commit, positions, errors`, { timeout: 240_000 }, async () => {
    const f = await fixture(`fct-cons-${route}`, route, PARTITIONS);
    const app = f.app;
    const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    const produced = await call(app, 'POST', `/topics/${f.topic}`, { records: keys.map((k) => ({ key: b64(k), value: b64(`v-${k}`) })) });
    assert.equal(produced.status, 200);
    const placed = (produced.body as { offsets: { partition: number; offset: number }[] }).offsets;

    const group = uniqueName('fct-grp');
    const created = await call(app, 'POST', `/consumers/${group}`, { name: 'c1', format: 'binary', 'auto.offset.reset': 'earliest', 'auto.commit.enable': 'false' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(Object.keys(created.body as object), ['instance_id', 'base_uri']);
    assert.equal((created.body as { instance_id: string }).instance_id, 'c1');
    assert.match((created.body as { base_uri: string }).base_uri, new RegExp(`/consumers/${group}/instances/c1$`));
    const again = await call(app, 'POST', `/consumers/${group}`, { name: 'c1', format: 'binary' });
    assert.equal(again.status, 409);
    assert.equal((again.body as { error_code: number }).error_code, 40902);
    const badFormat = await call(app, 'POST', `/consumers/${group}`, { name: 'c2', format: 'xml' });
    assert.equal(badFormat.status, 422);
    assert.equal((badFormat.body as { error_code: number }).error_code, 42204);
    const badReset = await call(app, 'POST', `/consumers/${group}`, { name: 'c2', 'auto.offset.reset': 'sometimes' });
    assert.equal((badReset.body as { error_code: number }).error_code, 42204);

    const base = `/consumers/${group}/instances/c1`;
    const notYet = await call(app, 'GET', `${base}/records?timeout=100`, undefined, V2_BINARY);
    assert.equal(notYet.status, 409, 'records before subscribing');
    assert.equal((notYet.body as { error_code: number }).error_code, 40903);

    assert.equal((await call(app, 'POST', `${base}/subscription`, { topics: [f.topic] })).status, 204);
    const sub = await call(app, 'GET', `${base}/subscription`);
    assert.deepEqual(sub.body, { topics: [f.topic] });
    const both = await call(app, 'POST', `${base}/subscription`, { topics: [f.topic], topic_pattern: 'x.*' });
    assert.equal((both.body as { error_code: number }).error_code, 40903);

    const wrongAccept = await call(app, 'GET', `${base}/records?timeout=100`, undefined, V2_JSON_FMT);
    assert.equal(wrongAccept.status, 406);
    assert.equal((wrongAccept.body as { error_code: number }).error_code, 40601);

    const got = await pollN(app, base, keys.length, V2_BINARY);
    assert.equal(got.length, keys.length, 'every record once, nothing more');
    for (const r of got) assert.deepEqual(Object.keys(r), ['topic', 'key', 'value', 'partition', 'offset']);
    for (const [i, k] of keys.entries()) {
      const rec = got.find((r) => r.key === b64(k));
      assert.ok(rec, `record ${k} delivered`);
      assert.equal(rec.topic, f.topic);
      assert.equal(rec.value, b64(`v-${k}`));
      assert.equal(rec.partition, placed[i]!.partition);
      assert.equal(rec.offset, placed[i]!.offset);
    }
    await pollNothing(app, base, V2_BINARY, 800);

    const assigned = await call(app, 'GET', `${base}/assignments`);
    assert.equal(assigned.status, 200);
    assert.deepEqual(
      (assigned.body as { partitions: { topic: string; partition: number }[] }).partitions.sort((a, b) => a.partition - b.partition),
      Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: f.topic, partition })),
    );

    // commit the last record of each partition; read committed (next offset) back
    const last = new Map<number, number>();
    for (const r of got) last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset));
    const commit = await call(app, 'POST', `${base}/offsets`, { offsets: [...last].map(([partition, offset]) => ({ topic: f.topic, partition, offset })) });
    assert.equal(commit.status, 200, JSON.stringify(commit.body));
    const committed = await call(app, 'GET', `${base}/offsets`, { partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: f.topic, partition })) });
    assert.equal(committed.status, 200, JSON.stringify(committed.body));
    const c = (committed.body as { offsets: { topic: string; partition: number; offset: number; metadata: string }[] }).offsets;
    assert.deepEqual(
      c.sort((a, b) => a.partition - b.partition),
      [...last].sort((a, b) => a[0] - b[0]).map(([partition, offset]) => ({ topic: f.topic, partition, offset: offset + 1, metadata: '' })),
    );

    // positions: back to the beginning of the busiest partition, then to an exact offset
    const busiest = [...last].sort((a, b) => b[1] - a[1])[0]![0];
    const inBusiest = got.filter((r) => r.partition === busiest).sort((a, b) => a.offset - b.offset);
    assert.equal((await call(app, 'POST', `${base}/positions/beginning`, { partitions: [{ topic: f.topic, partition: busiest }] })).status, 204);
    const replay = await pollN(app, base, inBusiest.length, V2_BINARY);
    assert.deepEqual(replay.map((r) => [r.partition, r.offset]), inBusiest.map((r) => [r.partition, r.offset]), 'replayed from the beginning, in order');
    const second = inBusiest[1]!;
    assert.equal((await call(app, 'POST', `${base}/positions`, { offsets: [{ topic: f.topic, partition: busiest, offset: second.offset }] })).status, 204);
    const fromSecond = await pollN(app, base, inBusiest.length - 1, V2_BINARY);
    assert.deepEqual(fromSecond.map((r) => r.offset), inBusiest.slice(1).map((r) => r.offset));
    assert.equal((await call(app, 'POST', `${base}/positions/end`, { partitions: [{ topic: f.topic, partition: busiest }] })).status, 204);
    await pollNothing(app, base, V2_BINARY, 800);
    const notMine = await call(app, 'POST', `${base}/positions`, { offsets: [{ topic: f.topic, partition: 99, offset: 0 }] });
    assert.equal((notMine.body as { error_code: number }).error_code, 40903);

    // new records after the end seek arrive
    const more = await call(app, 'POST', `/topics/${f.topic}/partitions/${busiest}`, { records: [{ key: b64('late'), value: b64('late-v') }] });
    assert.equal(more.status, 200);
    const late = await pollN(app, base, 1, V2_BINARY);
    assert.deepEqual(late.map((r: V2Record) => r.value), [b64('late-v')]);

    // unsubscribe, then delete
    assert.equal((await call(app, 'DELETE', `${base}/subscription`)).status, 204);
    assert.deepEqual((await call(app, 'GET', `${base}/subscription`)).body, { topics: [] });
    assert.equal((await call(app, 'DELETE', base)).status, 204);
    const gone = await call(app, 'GET', `${base}/records`, undefined, V2_BINARY);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { error_code: 40403, message: 'Consumer instance not found.' });
    assert.equal(((await call(app, 'DELETE', base)).body as { error_code: number }).error_code, 40403);

    // a new instance of the group starts at the committed offsets: only what came after them
    assert.equal((await call(app, 'POST', `/consumers/${group}`, { name: 'c3', format: 'binary', 'auto.offset.reset': 'earliest' })).status, 200);
    const base3 = `/consumers/${group}/instances/c3`;
    assert.equal((await call(app, 'POST', `${base3}/subscription`, { topics: [f.topic] })).status, 204);
    const resumed = await pollN(app, base3, 1, V2_BINARY);
    assert.deepEqual(resumed.map((r) => r.value), [b64('late-v')], 'only the record after the committed offsets');
    await pollNothing(app, base3, V2_BINARY, 800);
    assert.equal((await call(app, 'DELETE', base3)).status, 204);
  });
}
