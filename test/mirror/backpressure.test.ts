// Backpressure against real Kafka and Pulsar: the target namespace gets a tiny publish rate (Pulsar "slow",
// without touching the shared brokers), Kafka holds far more data than the bound below; the mirror — a child
// process whose RSS the test samples — fetches only as fast as Pulsar stores, so its memory stays bounded.
// Then the limit is lifted and everything arrives, once. Prints the peak RSS.
// The file is also its own mirror child process (K2P_BP_CHILD set).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { Mirror } from '../../src/mirror/mirror.js';
import { applyPlan, KnownState, planTopic } from '../../src/mirror/provision.js';
import { PulsarClient } from '../../src/pulsar/client/index.js';
import { admin } from '../helpers/pulsar.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-backpressure-test', logLevel: logLevel.NOTHING });
const self = fileURLToPath(import.meta.url);

/** The environment for the child process, without the test runner's (it would take over the child's stdout). */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}
const PARTITIONS = 4;
const VALUE_BYTES = 32 * 1024;
const RECORDS = 8192; // 256 MiB of incompressible values
/** Allowed growth of the mirror's RSS over its idle RSS: half of what Kafka holds. */
const RSS_BOUND = 128 * 1024 * 1024;
/** How long Pulsar stays slow after the writes. */
const THROTTLED_MS = 15_000;

if (process.env.K2P_BP_CHILD) {
  const { source, target, groupId } = JSON.parse(process.env.K2P_BP_CHILD) as { source: string; target: string; groupId: string };
  const pulsar = new PulsarClient({ serviceUrl: STACK.pulsarServiceUrl });
  const mirror = new Mirror({
    kafka,
    pulsar,
    groupId,
    topics: [{ source, target, persistent: true, mapping: { provenance: true, headerEncoding: 'lossless' } }],
    log: (event, fields) => {
      if (event !== 'writer-open') console.error(JSON.stringify({ event, ...fields }));
    },
  });
  await mirror.start();
  setInterval(() => console.log(JSON.stringify({ records: mirror.status().reduce((n, p) => n + p.records, 0) })), 250);
  process.once('SIGTERM', () => void mirror.stop().then(() => pulsar.close().then(() => process.exit(0))));
} else {
  function rssOf(pid: number): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m![1]) * 1024;
  }
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MiB`;

  async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, diagnostics: () => string = () => ''): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `${what} not within ${timeoutMs} ms ${diagnostics()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function adminCall(method: string, path: string, body?: unknown): Promise<void> {
    const res = await fetch(`${STACK.pulsarAdminUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path} → ${res.status} ${await res.text()}`);
  }

  test('Pulsar slow (publish rate limit on the target namespace): Kafka fetching waits and the mirror RSS stays bounded; nothing lost after the limit is lifted', { timeout: 900_000 }, async () => {
    const namespace = `public/${uniqueName('k2p-bp')}`;
    const source = uniqueName('k2pbp');
    const target = `persistent://${namespace}/${source}`;
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    let child: ChildProcess | undefined = undefined;
    cleanup(async () => {
      child?.kill('SIGKILL');
      await kafkaAdmin.deleteTopics({ topics: [source] }).catch(() => undefined);
      await kafkaAdmin.disconnect();
      await admin.topics.delete(target, { force: true }).catch(() => undefined);
      await admin.namespaces.delete(namespace, true).catch(() => undefined);
    });
    await admin.namespaces.ensure(namespace);
    // ~64 KiB/s and 4 messages/s per topic partition: about 1% of what the mirror does unthrottled here.
    await adminCall('POST', `/admin/v2/namespaces/${namespace}/publishRate`, { publishThrottlingRateInMsg: 4, publishThrottlingRateInByte: 64 * 1024 });
    await kafkaAdmin.createTopics({ topics: [{ topic: source, numPartitions: PARTITIONS }], waitForLeaders: true });
    await applyPlan(admin, await planTopic(admin, { name: source, partitions: PARTITIONS }, target, new KnownState(admin)));

    const groupId = uniqueName('k2p-bp');
    let records = 0;
    let started = false;
    let stderr = '';
    child = spawn(process.execPath, ['--import', 'tsx', self], { env: { ...childEnv(), K2P_BP_CHILD: JSON.stringify({ source, target, groupId }) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => {
      const line = d.toString().trim().split('\n').pop();
      if (!line) return;
      records = (JSON.parse(line) as { records: number }).records;
      started = true; // progress lines start once mirror.start() returned: the consumer runs
    });
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    const pid = child.pid!;

    // Idle RSS: the mirror running, its group joined, nothing to fetch yet.
    await waitFor('mirror started', 60_000, () => started, () => stderr);
    await new Promise((r) => setTimeout(r, 5000)); // let start-up allocations settle before the idle figure
    const idle = rssOf(pid);
    let peak = idle;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssOf(pid));
      } catch {
        // exited
      }
    }, 100);
    cleanup(() => clearInterval(sampler));

    // 256 MiB into Kafka, as fast as Kafka takes it.
    const producer = kafka.producer();
    await producer.connect();
    const value = randomBytes(VALUE_BYTES);
    const writeStart = Date.now();
    // Four sends in flight: one at a time left the broker idle between requests on a busy machine.
    const IN_FLIGHT = 4;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, lane) => {
        for (let start = lane * 64; start < RECORDS; start += 64 * IN_FLIGHT) {
          await producer.send({
            topic: source,
            acks: 1,
            messages: Array.from({ length: 64 }, (_, j) => ({ partition: (start + j) % PARTITIONS, key: `k${start + j}`, value: Buffer.concat([Buffer.from(String(start + j).padStart(8, '0')), value]) })),
          });
        }
      }),
    );
    await producer.disconnect();
    console.log(`# ${RECORDS} × ${VALUE_BYTES / 1024} KiB = ${mib(RECORDS * VALUE_BYTES)} written to Kafka in ${((Date.now() - writeStart) / 1000).toFixed(1)} s`);

    // Throttled: for a while the mirror gets little through, and its memory does not follow Kafka's backlog.
    // Unthrottled it mirrors ~50 MiB/s here, so a mirror that fetched without waiting for Pulsar would pass
    // the bound within ~3 s of the backlog being there: 15 s after the writes is five times that.
    await new Promise((r) => setTimeout(r, THROTTLED_MS));
    const throttled = records;
    const throttledPeak = peak;
    console.log(`# throttled: ${throttled} of ${RECORDS} records mirrored ${THROTTLED_MS / 1000} s after the writes; idle RSS ${mib(idle)}, peak ${mib(throttledPeak)} (+${mib(throttledPeak - idle)})`);
    assert.ok(throttled < RECORDS / 4, `Pulsar's limit held the mirror back (${throttled} mirrored)`);
    assert.ok(throttledPeak - idle < RSS_BOUND, `RSS grew by ${mib(throttledPeak - idle)} while Pulsar was slow; bound ${mib(RSS_BOUND)}`);

    // The limit lifted: everything arrives, once, and memory still stays within the bound.
    await adminCall('DELETE', `/admin/v2/namespaces/${namespace}/publishRate`);
    const ends = new Map((await kafkaAdmin.fetchTopicOffsets(source)).map((o) => [o.partition, Number(o.high)]));
    await waitFor(
      'every partition committed at its end',
      600_000,
      async () => (await kafkaAdmin.fetchOffsets({ groupId, topics: [source] }))[0]!.partitions.every((p) => Number(p.offset) === ends.get(p.partition)),
      () => `(${records} mirrored)\n${stderr.slice(-3000)}`,
    );
    clearInterval(sampler);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr.slice(-3000));
    const stats = await admin.topics.partitionedStats(target);
    assert.equal(stats.msgInCounter, RECORDS, 'every record stored once');
    console.log(`# after the limit was lifted: all ${RECORDS} records mirrored; peak RSS over the whole run ${mib(peak)} (idle ${mib(idle)}, +${mib(peak - idle)}, bound +${mib(RSS_BOUND)})`);
    assert.ok(peak - idle < RSS_BOUND, `RSS grew by ${mib(peak - idle)}; bound ${mib(RSS_BOUND)}`);
  });
}
