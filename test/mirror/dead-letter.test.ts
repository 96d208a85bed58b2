// Records the mirror cannot map (here: non-UTF-8 keys with `keys.binary: dead-letter`), against real Kafka
// and Pulsar:
// - with `deadLetter`, they go to the dead-letter topic with k2p.dlq.code / k2p.dlq.reason and provenance, the
//   others flow in order, nothing is lost (target + dead letters = Kafka); also across kill -9 of the mirror
//   process while dead letters flow: each bad record is in the dead-letter topic once;
// - without it, the partition pauses at the first bad record, nothing after it is written, the other
//   partitions keep flowing; resume() retries that record (pauses again while the cause remains, flows once
//   it is fixed).
// The file is also its own mirror child process for the kill -9 test (K2P_DLQ_CHILD set).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { BytesConverter, type RecordConverter } from '../../src/mirror/convert.js';
import { Mirror, type MirroredTopic } from '../../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { fromPulsarMessage, type RecordMappingOptions } from '../../src/mirror/record-mapping.js';
import { closePair, mirrorPairs, planPair } from '../../src/mirror/setup.js';
import { PulsarClient, type Message } from '../../src/pulsar/client/index.js';
import { admin, readStored, testClient } from '../helpers/pulsar.js';
import { RECENT_TIMESTAMP, STACK, cleanup, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-dead-letter-test', logLevel: logLevel.NOTHING });
const MAPPING: RecordMappingOptions = { provenance: true, headerEncoding: 'lossless', binaryKeys: 'dead-letter' };
const self = fileURLToPath(import.meta.url);

/** The environment for the child process, without the test runner's (it would take over the child's stdout). */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

interface ChildArgs {
  source: string;
  target: string;
  deadLetter: string;
  groupId: string;
}

if (process.env.K2P_DLQ_CHILD) {
  // The mirror as a process of its own, killed with SIGKILL by the test below.
  const args = JSON.parse(process.env.K2P_DLQ_CHILD) as ChildArgs;
  const pulsar = new PulsarClient({ serviceUrl: STACK.pulsarServiceUrl });
  const mirror = new Mirror({
    kafka,
    pulsar,
    groupId: args.groupId,
    // Kafka's minimum: the next process gets the killed one's partitions after 6 s instead of 10 s.
    sessionTimeoutMs: 6_000,
    topics: [{ source: args.source, target: args.target, persistent: true, mapping: MAPPING, deadLetter: args.deadLetter }],
    log: (event, fields) => {
      if (event !== 'dead-letter' || process.env.K2P_DLQ_DEBUG) console.error(JSON.stringify({ event, ...fields }));
    },
  });
  await mirror.start();
  setInterval(() => {
    const rows = mirror.status();
    console.log(JSON.stringify({ records: rows.reduce((n, p) => n + p.records, 0), deadLetters: rows.reduce((n, p) => n + p.deadLetters, 0) }));
  }, 200);
  process.once('SIGTERM', () => void mirror.stop().then(() => pulsar.close().then(() => process.exit(0))));
} else {
  /** A key that is not UTF-8 (0xff never appears in UTF-8). */
  const badKey = (i: number): Buffer => Buffer.from([0xff, 0xfe, i & 255, (i >> 8) & 255]);
  const isBad = (i: number): boolean => i % 7 === 3;

  interface Written {
    partition: number;
    offset: number;
    key: Buffer;
    value: string;
    timestamp: string;
    bad: boolean;
  }

  /** Writes `n` records round-robin over `partitions` (every 7th with a binary key); returns them with offsets. */
  async function writeRecords(topic: string, partitions: number, n: number, from = 0, bad = isBad): Promise<Written[]> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const before = new Map((await kafkaAdminFor(topic)).map((o) => [o.partition, Number(o.high)]));
    const out: Written[] = [];
    const next = new Map(before);
    for (let start = from; start < from + n; start += 500) {
      const messages = [];
      for (let i = start; i < Math.min(start + 500, from + n); i++) {
        const partition = i % partitions;
        const w: Written = { partition, offset: next.get(partition)!, key: bad(i) ? badKey(i) : Buffer.from(`key-${i}`), value: `value-${i}`, timestamp: String(RECENT_TIMESTAMP + i), bad: bad(i) };
        next.set(partition, w.offset + 1);
        out.push(w);
        messages.push({ partition, key: w.key, value: w.value, timestamp: w.timestamp, headers: { i: String(i), bin: Buffer.from([0x00, 0xff]) } });
      }
      await producer.send({ topic, messages });
    }
    await producer.disconnect();
    const after = new Map((await kafkaAdminFor(topic)).map((o) => [o.partition, Number(o.high)]));
    for (const [p, end] of after) assert.equal(end, next.get(p), `Kafka partition ${p} has what was written`);
    return out;
  }

  let kafkaAdmin: ReturnType<Kafka['admin']> | undefined;
  /** Source topics made by the current test: deleted, then the admin disconnected, in one cleanup (after hooks run in order). */
  let createdTopics: string[] = [];
  async function connectedAdmin(): Promise<ReturnType<Kafka['admin']>> {
    if (!kafkaAdmin) {
      const a = kafka.admin();
      await a.connect();
      kafkaAdmin = a;
      // The cleanup runs when the test that registered it ends; the next test connects an admin of its own
      // (a kafkajs admin used after disconnect() reconnects, and nothing would close it again).
      cleanup(async () => {
        const topics = createdTopics;
        kafkaAdmin = undefined;
        createdTopics = [];
        await a.deleteTopics({ topics }).catch(() => undefined);
        await a.disconnect();
      });
    }
    return kafkaAdmin;
  }
  async function kafkaAdminFor(topic: string): Promise<{ partition: number; high: string }[]> {
    return (await connectedAdmin()).fetchTopicOffsets(topic);
  }

  async function sourceTopic(prefix: string, partitions: number): Promise<string> {
    const topic = uniqueName(prefix);
    await (await connectedAdmin()).createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    createdTopics.push(topic);
    return topic;
  }

  async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, diagnostics: () => string = () => ''): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `${what} not within ${timeoutMs} ms ${diagnostics()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));

  /** Target partitions hold the good records once, in Kafka order; the dead-letter topic the bad ones once. */
  async function assertSplit(client: PulsarClient, source: string, target: string, deadLetter: string, written: Written[], partitions: number): Promise<{ good: number; bad: number }> {
    let good = 0;
    for (let p = 0; p < partitions; p++) {
      const want = written.filter((w) => w.partition === p && !w.bad);
      const got = await readStored(client, `${target}-partition-${p}`);
      assert.deepEqual(
        got.map((m) => Number(m.properties['k2p.offset'])),
        want.map((w) => w.offset),
        `target partition ${p}: the good records, each once, in Kafka order`,
      );
      for (const [k, m] of got.entries()) {
        assert.equal(m.payload.toString(), want[k]!.value);
        assert.equal(m.key, want[k]!.key.toString());
      }
      good += got.length;
    }
    const dead = await readStored(client, deadLetter);
    const wantDead = written.filter((w) => w.bad);
    const byCoordinate = new Map<string, Message>();
    for (const m of dead) {
      const c = `${m.properties['k2p.topic']}/${m.properties['k2p.partition']}/${m.properties['k2p.offset']}`;
      assert.ok(!byCoordinate.has(c), `dead letter ${c} stored twice`);
      byCoordinate.set(c, m);
    }
    assert.equal(byCoordinate.size, wantDead.length, `every bad record is a dead letter (got ${dead.length} for ${wantDead.length})`);
    for (const w of wantDead) {
      const m = byCoordinate.get(`${source}/${w.partition}/${w.offset}`);
      assert.ok(m, `no dead letter for partition ${w.partition} offset ${w.offset}`);
      assert.equal(m.properties['k2p.dlq.code'], 'K2P_MIRROR_RECORD');
      assert.match(m.properties['k2p.dlq.reason']!, /is not UTF-8 and the mapping sends binary keys to the dead-letter topic/);
      // The original record survives in the dead letter: key bytes, value, headers, timestamp.
      const back = fromPulsarMessage(m);
      assert.equal(back.key?.toString('hex'), w.key.toString('hex'));
      assert.equal(back.value?.toString(), w.value);
      assert.equal(back.timestamp, w.timestamp);
      assert.deepEqual(
        back.headers.map((h) => [h.key, h.value?.toString('hex')]),
        [
          ['i', Buffer.from(w.value.slice('value-'.length)).toString('hex')],
          ['bin', '00ff'],
        ],
      );
    }
    return { good, bad: byCoordinate.size };
  }

  test('keys.binary: dead-letter with deadLetter: bad records go to the dead-letter topic with code, reason and provenance; the rest flows in order; nothing lost', { timeout: 300_000 }, async () => {
    const PARTITIONS = 3;
    const source = await sourceTopic('k2pdlq', PARTITIONS);
    const target = `persistent://public/default/${source}`;
    const deadLetter = `persistent://public/default/dlq-${source}`;
    cleanup(async () => {
      await admin.topics.delete(target, { force: true }).catch(() => undefined);
      await admin.topics.delete(deadLetter, { force: true }).catch(() => undefined);
    });
    const dir = mkdtempSync(join(tmpdir(), 'k2p-dlq-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'connectors.yaml'),
      `connectors:\n  kafka-local: { kind: kafka, brokers: ${JSON.stringify(STACK.kafkaBrokers)} }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`,
    );
    writeFileSync(
      join(dir, 'mapping.yaml'),
      `source: kafka-local\ntarget: pulsar-local\ntopics:\n  - match: ${source}\n    to: persistent://public/default/{topic}\n    keys: { binary: dead-letter }\n    deadLetter: persistent://public/default/dlq-{topic}\n`,
    );
    const config = loadConfig([join(dir, 'connectors.yaml'), join(dir, 'mapping.yaml')]);
    const written = await writeRecords(source, PARTITIONS, 700);

    const [bare] = mirrorPairs(config);
    const pair = await planPair(config, bare!);
    cleanup(() => closePair(pair));
    assert.equal(pair.topics[0]?.deadLetter, deadLetter);
    assert.equal(pair.topics[0]?.mapping.binaryKeys, 'dead-letter');
    for (const plan of pair.plans) await applyPlan(pair.admin, plan);
    assert.equal(await admin.topics.getDeduplication(deadLetter), true, 'the dead-letter topic deduplicates');

    const events: string[] = [];
    const mirror = new Mirror({ kafka: pair.kafka, pulsar: pair.pulsar, topics: pair.topics, groupId: uniqueName('k2p-dlq'), log: (e) => events.push(e) });
    await mirror.start();
    cleanup(() => mirror.stop());
    const ends = new Map((await kafkaAdminFor(source)).map((o) => [o.partition, BigInt(o.high) - 1n]));
    await waitFor(
      'all partitions mirrored',
      120_000,
      () => mirror.status().length === PARTITIONS && mirror.status().every((p) => p.committedOffset === ends.get(p.partition)),
      () => json(mirror.status()),
    );
    await mirror.stop();
    const status = mirror.status();
    assert.ok(status.every((p) => p.paused === undefined));
    const bad = written.filter((w) => w.bad).length;
    assert.equal(
      status.reduce((n, p) => n + p.deadLetters, 0),
      bad,
      'dead letters counted',
    );
    assert.equal(events.filter((e) => e === 'dead-letter').length, bad, 'each dead letter logged');

    const client = testClient();
    const { good, bad: dead } = await assertSplit(client, source, target, deadLetter, written, PARTITIONS);
    assert.equal(good + dead, written.length, 'target + dead-letter topic = Kafka');
    console.log(`# ${written.length} Kafka records → ${good} on the target + ${dead} dead letters`);
  });

  test('without deadLetter: the partition pauses at the first bad record, nothing after it is written, the others flow; resume() retries that record', { timeout: 300_000 }, async () => {
    const source = await sourceTopic('k2ppause', 2);
    const target = `persistent://public/default/${source}`;
    cleanup(() => admin.topics.delete(target, { force: true }).catch(() => undefined));
    await applyPlan(admin, await planTopic(admin, { name: source, partitions: 2 }, target, new KnownState(admin)));
    // Partition 0: offsets 0..19, offset 10 with a binary key; partition 1: 0..19, all good.
    const written = await writeRecords(source, 2, 40, 0, (i) => i === 20);
    const badOne = written.find((w) => w.bad)!;
    assert.deepEqual([badOne.partition, badOne.offset], [0, 10]);

    // The converter stands for the mapping in force: strict (binary keys rejected) until the cause is fixed.
    let mapping: RecordMappingOptions = MAPPING;
    const converter: RecordConverter = { convert: (records) => new BytesConverter(mapping).convert(records) };
    const topic: MirroredTopic = { source, target, persistent: true, mapping: MAPPING, converter };
    const client = testClient();
    const events: { event: string; fields: Record<string, unknown> }[] = [];
    const mirror = new Mirror({ kafka, pulsar: client, topics: [topic], groupId: uniqueName('k2p-pause'), log: (event, fields) => events.push({ event, fields }) });
    await mirror.start();
    cleanup(() => mirror.stop());
    const row = (p: number) => mirror.status().find((r) => r.partition === p);
    await waitFor('partition 0 paused, partition 1 mirrored', 120_000, () => row(0)?.paused !== undefined && row(1)?.committedOffset === 19n, () => json(mirror.status()));
    assert.equal(row(0)!.paused!.offset, '10');
    assert.equal(row(0)!.paused!.error.code, 'K2P_MIRROR_PAUSED');
    assert.match(row(0)!.paused!.error.message, /paused at offset 10: K2P_MIRROR_RECORD: key of .* is not UTF-8/);
    assert.equal(row(0)!.committedOffset, 9n, 'everything before the bad record is written and committed');
    const paused = events.filter((e) => e.event === 'partition-paused');
    assert.equal(paused.length, 1);
    assert.equal(paused[0]!.fields.offset, '10');

    // More records arrive on both partitions while partition 0 is paused.
    written.push(...(await writeRecords(source, 2, 10, 40, () => false)));
    await waitFor('partition 1 keeps flowing', 60_000, () => row(1)?.committedOffset === 24n, () => json(mirror.status()));
    await new Promise((r) => setTimeout(r, 2000)); // (a paused partition would show any write within this)
    const p0 = await readStored(client, `${target}-partition-0`);
    assert.deepEqual(
      p0.map((m) => m.properties['k2p.offset']),
      Array.from({ length: 10 }, (_, i) => String(i)),
      'partition 0 holds offsets 0..9 only: nothing after the bad record',
    );
    assert.equal((await readStored(client, `${target}-partition-1`)).length, 25);

    // resume() without fixing the cause: the record is tried again, and the partition pauses again there.
    mirror.resume(source, 0);
    await waitFor('paused again at the same record', 60_000, () => events.filter((e) => e.event === 'partition-paused').length === 2 && row(0)?.paused !== undefined, () => json(mirror.status()));
    assert.equal(row(0)!.paused!.offset, '10');
    assert.equal((await readStored(client, `${target}-partition-0`)).length, 10, 'still nothing after the bad record');

    // The cause fixed (binary keys now base64), resume(): the partition goes on from the bad record.
    mapping = { ...MAPPING, binaryKeys: 'base64' };
    mirror.resume(source, 0);
    await waitFor('partition 0 resumed to its end', 60_000, () => row(0)?.paused === undefined && row(0)?.committedOffset === 24n, () => json(mirror.status()));
    const after = await readStored(client, `${target}-partition-0`);
    assert.deepEqual(
      after.map((m) => m.properties['k2p.offset']),
      Array.from({ length: 25 }, (_, i) => String(i)),
      'every offset once, in order',
    );
    assert.equal(after[10]!.keyBytes?.toString('hex'), badOne.key.toString('hex'), 'the formerly bad record, its key as a flagged base64 key');
    await mirror.stop();
  });

  test('kill -9 of the mirror process while dead letters flow: each bad record is in the dead-letter topic once', { timeout: 600_000 }, async () => {
    const PARTITIONS = 4;
    const CHUNK = 400;
    const source = await sourceTopic('k2pdlqkill', PARTITIONS);
    const target = `persistent://public/default/${source}`;
    const deadLetter = `persistent://public/default/dlq-${source}`;
    cleanup(async () => {
      await admin.topics.delete(target, { force: true }).catch(() => undefined);
      await admin.topics.delete(deadLetter, { force: true }).catch(() => undefined);
    });
    await applyPlan(admin, await planTopic(admin, { name: source, partitions: PARTITIONS }, target, new KnownState(admin), deadLetter));
    const groupId = uniqueName('k2p-dlq-kill');
    const args: ChildArgs = { source, target, deadLetter, groupId };

    let child: ChildProcess | undefined;
    let progress = { records: 0, deadLetters: 0 };
    const start = (): ChildProcess => {
      const c = spawn(process.execPath, ['--import', 'tsx', self], { env: { ...childEnv(), K2P_DLQ_CHILD: JSON.stringify(args) }, stdio: ['ignore', 'pipe', 'inherit'] });
      progress = { records: 0, deadLetters: 0 };
      c.stdout!.on('data', (d: Buffer) => {
        const line = d.toString().trim().split('\n').pop();
        if (line) progress = JSON.parse(line) as typeof progress;
      });
      return c;
    };
    cleanup(() => child?.kill('SIGKILL'));

    // A steady stream of records while the mirror runs; it is killed (SIGKILL) each time dead letters flow.
    let writing = true;
    const written: Written[] = [];
    const writer = (async () => {
      while (writing) {
        written.push(...(await writeRecords(source, PARTITIONS, CHUNK, written.length)));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    let kills = 0;
    for (; kills < 4; kills++) {
      child = start();
      await waitFor('dead letters flowing', 120_000, () => progress.deadLetters > 20, () => json(progress));
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 800)));
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    writing = false;
    await writer;
    const TOTAL = written.length;
    child = start();
    const ends = new Map((await kafkaAdminFor(source)).map((o) => [o.partition, Number(o.high)]));
    await waitFor(
      'the last mirror process committed every partition at its end',
      300_000,
      async () => {
        const committed = await kafkaAdmin!.fetchOffsets({ groupId, topics: [source] });
        return committed[0]!.partitions.every((p) => Number(p.offset) === ends.get(p.partition));
      },
    );
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;

    const client = testClient();
    const { good, bad } = await assertSplit(client, source, target, deadLetter, written, PARTITIONS);
    assert.equal(good + bad, TOTAL);
    console.log(`# ${kills} kill -9 while dead letters flowed: ${TOTAL} Kafka records → ${good} on the target + ${bad} dead letters, each once`);
  });
}
