// Two gateway processes (`k2p serve`) on one run share the work: both mirror partitions of it (the run's
// Kafka group splits them); one is killed with SIGKILL during backfill; the other takes its partitions and
// its jobs, the run reaches live, and Pulsar holds exactly what Kafka holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkajsAdmin } from '../../src/kafka/index.js';
import { mirrorGroupOf } from '../../src/runs/index.js';
import { testClient } from '../helpers/pulsar.js';
import { cleanup, STACK, uniqueName } from '../helpers/stack.js';
import { assertPulsarEqualsKafka, createEstate, dropKeys, kafka, produce } from '../runs/helpers.js';
import { k2p, type K2pProcess } from '../runs/process.js';

const client = testClient();
const PARTITIONS = 3;
const RECORDS = 150_000;

async function serve(prefix: string): Promise<{ gw: K2pProcess; url: string }> {
  const gw = k2p(['serve', '--port', '0', '--host', '127.0.0.1', '--redis', STACK.redisUrl, '--prefix', prefix]);
  cleanup(() => gw.child.kill('SIGKILL'));
  const line = await gw.waitLine((l) => l.event === 'serving', 120_000);
  return { gw, url: line.url as string };
}

/** Partitions this process has mirrored records of (from its Prometheus metrics). */
async function partitionsOf(url: string, topics: string[]): Promise<Set<string>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Set<string>();
  for (const m of text.matchAll(/^k2p_mirror_records_total\{topic="([^"]+)",partition="(\d+)"\} (\d+)/gm)) {
    if (topics.includes(m[1]!) && Number(m[3]) > 0) out.add(`${m[1]}/${m[2]}`);
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('two gateways share a run; one is killed during backfill; the other completes it and Pulsar equals Kafka', { timeout: 900_000 }, async () => {
  const estate = await createEstate({ topics: 2, partitions: PARTITIONS, records: RECORDS, consumed: 2000 });
  const prefix = uniqueName('k2p-two');
  const a = await serve(prefix);
  const b = await serve(prefix);
  cleanup(() => dropKeys(`${prefix}:*`)); // after the processes are killed (hooks run in order)

  const created = await fetch(`${a.url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: estate.files, cutover: 'auto', verifySettleMs: 5000 }) });
  assert.equal(created.status, 201);
  const id = ((await created.json()) as { id: string }).id;
  const writer = produce(estate.topics, PARTITIONS, RECORDS, RECORDS + 10_000);

  // Both mirror part of the run.
  const shared = await until(
    'both gateways mirroring',
    async () => {
      const [pa, pb] = await Promise.all([partitionsOf(a.url, estate.topics), partitionsOf(b.url, estate.topics)]);
      return pa.size > 0 && pb.size > 0 ? { a: pa, b: pb } : undefined;
    },
    300_000,
  );
  const run = (await (await fetch(`${b.url}/api/v1/runs/${id}`)).json()) as { run: { step: string; status: string } };
  console.log(`# gateway A mirrored ${[...shared.a].join(', ')}; B ${[...shared.b].join(', ')}; run at ${run.run.step}`);
  assert.equal(run.run.step, 'backfill', 'still backfilling when A is killed');
  await a.gw.kill9();

  // B takes over A's partitions and finishes the run.
  await until(
    'the run live',
    async () => {
      const v = (await (await fetch(`${b.url}/api/v1/runs/${id}`)).json()) as { run: { status: string; error?: unknown } };
      assert.notEqual(v.run.status, 'failed', JSON.stringify(v.run.error));
      return v.run.status === 'live' ? true : undefined;
    },
    600_000,
  );
  await writer;
  await until('lag 0 on every partition', async () => {
    const topics = (await (await fetch(`${b.url}/api/v1/runs/${id}/topics`)).json()) as { topics: { lag: { lag: number; mirrored: number; total: number } | null }[] };
    return topics.topics.every((t) => t.lag && t.lag.lag === 0 && t.lag.mirrored === t.lag.total) ? true : undefined;
  }, 300_000);
  // B alone holds every partition of the run's mirror group now.
  const groupAdmin = new KafkajsAdmin(kafka, 'kafka-t');
  await groupAdmin.connect();
  cleanup(() => groupAdmin.close());
  const members = await until('one member with every partition', async () => {
    const d = await groupAdmin.describeGroup(mirrorGroupOf(id, { source: { name: 'kafka-t' }, target: { name: 'pulsar-t' } }));
    const held = d.members.flatMap((m) => m.assignment.flatMap((a) => a.partitions.map((p) => `${a.topic}/${p}`)));
    return d.members.length === 1 && held.length === estate.topics.length * PARTITIONS ? d.members : undefined;
  }, 120_000);
  assert.equal(members.length, 1);
  const groups = (await (await fetch(`${b.url}/api/v1/runs/${id}/groups`)).json()) as { groups: { group: string; state?: { phase: string } }[] };
  assert.equal(groups.groups.find((g) => g.group === estate.group)?.state?.phase, 'cut-over');
  for (const t of estate.topics) assert.equal(await assertPulsarEqualsKafka(client, t, estate.target(t), PARTITIONS), PARTITIONS * (RECORDS + 10_000));
  b.gw.child.kill('SIGTERM');
  assert.equal(await b.gw.exited, 0);
});
