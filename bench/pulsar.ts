// `npm run bench:pulsar`: our Pulsar client against the official client (Python, C++ core), same machine,
// same broker, same moment, same topic settings. Prints every figure and the ratios, then one JSON line.
// Not a test: nothing is asserted.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PulsarAdmin } from '../src/pulsar/admin/index.js';
import { PulsarClient, type Producer } from '../src/pulsar/client/index.js';
import { CRC32C_IMPLEMENTATION } from '../src/pulsar/protocol/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const serviceUrl = process.env.K2P_PULSAR_URL ?? 'pulsar://localhost:6650';
const admin = new PulsarAdmin({ url: process.env.K2P_PULSAR_ADMIN_URL ?? 'http://localhost:8080' });
const client = new PulsarClient({ serviceUrl });
const scale = Number(process.env.BENCH_SCALE ?? 1);

function python(...args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, '.venv/bin/python'), [join(root, 'bench/python/pulsar_bench.py'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`python ${args[0]} exited ${code}`))));
  });
}

async function topicWithSubscriptions(name: string, subscriptions: string[]): Promise<string> {
  const topic = `persistent://public/default/bench-${name}-${Date.now()}`;
  await admin.topics.createNonPartitioned(topic);
  // Subscriptions first, so the broker keeps every message for the consume runs.
  for (const s of subscriptions) await admin.subscriptions.create(topic, s, 'earliest');
  return topic;
}

async function ourProduce(topic: string, n: number, size: number): Promise<number> {
  const producer = await client.createProducer({ topic, batchingMaxMessages: 1000, batchingMaxBytes: 128 * 1024, batchingMaxDelayMs: 10, maxPendingMessages: 10_000, sendTimeoutMs: 0 });
  const payload = Buffer.alloc(size, 120);
  const start = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) sends.push(producer.send({ payload }));
  await Promise.all(sends);
  const seconds = (performance.now() - start) / 1000;
  await producer.close();
  return seconds;
}

async function ourConsume(topic: string, subscription: string, n: number): Promise<number> {
  const consumer = await client.subscribe({ topic, subscription, receiverQueueSize: 1000 });
  const start = performance.now();
  let got = 0;
  while (got < n) {
    const batch = await consumer.receiveBatch(1000, 30_000);
    if (batch.length === 0) throw new Error(`consume stalled at ${got}`);
    for (const m of batch) consumer.acknowledge(m);
    got += batch.length;
  }
  const seconds = (performance.now() - start) / 1000;
  await consumer.close();
  return seconds;
}

async function ourLatency(topic: string, rate: number, seconds: number): Promise<{ p50_ms: number; p99_ms: number; count: number }> {
  const producer = await client.createProducer({ topic, batchingMaxDelayMs: 1, sendTimeoutMs: 0 });
  const payload = Buffer.alloc(100, 120);
  const total = rate * seconds;
  const latencies: number[] = [];
  const sends: Promise<unknown>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const target = start + (i * 1000) / rate;
    const wait = target - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    sends.push(producer.send({ payload }).then(() => latencies.push(performance.now() - t0)));
  }
  await Promise.all(sends);
  await producer.close();
  latencies.sort((a, b) => a - b);
  return { p50_ms: latencies[Math.floor(latencies.length / 2)]!, p99_ms: latencies[Math.floor(latencies.length * 0.99)]!, count: latencies.length };
}

/** Heap held by one producer while 10,000 messages of 1 KiB are pending, and the pending count seen. */
async function pendingMemory(topic: string): Promise<{ pending: number; heapMiB: number; maxPendingSeen: number }> {
  const producer: Producer = await client.createProducer({ topic, maxPendingMessages: 10_000, batchingMaxDelayMs: 10, sendTimeoutMs: 0 });
  const part = producer.partition(0);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const sends: Promise<unknown>[] = [];
  let maxPendingSeen = 0;
  for (let i = 0; i < 20_000; i++) sends.push(producer.send({ payload: Buffer.alloc(1024, i & 255) }));
  // Microtasks only: the queue fills to its bound before any receipt can be read from the socket.
  for (let i = 0; i < 5; i++) await Promise.resolve();
  const pending = part.pendingCount;
  const heapMiB = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  const watch = setInterval(() => (maxPendingSeen = Math.max(maxPendingSeen, part.pendingCount)), 1);
  await Promise.all(sends);
  clearInterval(watch);
  await producer.close();
  return { pending, heapMiB, maxPendingSeen: Math.max(maxPendingSeen, pending) };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const results: Record<string, number | string> = { crc32c: CRC32C_IMPLEMENTATION };
  console.log(`our client: CRC32C ${CRC32C_IMPLEMENTATION}; official: pulsar-client (Python) on the C++ core`);
  for (const [size, n] of [
    [100, Math.round(200_000 * scale)],
    [1024, Math.round(100_000 * scale)],
  ] as const) {
    const ours = await topicWithSubscriptions(`ours-${size}`, ['ours-1', 'theirs-1', 'theirs-2', 'ours-2']);
    const theirs = await topicWithSubscriptions(`theirs-${size}`, []);
    const ourSeconds = await ourProduce(ours, n, size);
    const theirSeconds = (await python('produce', theirs, String(n), String(size))).seconds!;
    // Both consumers read the same entries (written by our producer), each on its own subscriptions, in
    // the order ours, theirs, theirs, ours (the first read warms the broker's cache): best of two each.
    const ourFirst = await ourConsume(ours, 'ours-1', n);
    const theirFirst = (await python('consume', ours, 'theirs-1', String(n))).seconds!;
    const theirSecond = (await python('consume', ours, 'theirs-2', String(n))).seconds!;
    const ourSecond = await ourConsume(ours, 'ours-2', n);
    const ourConsumeSeconds = Math.min(ourFirst, ourSecond);
    const theirConsumeSeconds = Math.min(theirFirst, theirSecond);
    const mb = (n * size) / 1e6;
    console.log(`\n${size}-byte payloads, ${fmt(n)} messages, batching on:`);
    console.log(`  produce  ours ${fmt(n / ourSeconds)} msg/s (${fmt(mb / ourSeconds, 1)} MB/s)   official ${fmt(n / theirSeconds)} msg/s (${fmt(mb / theirSeconds, 1)} MB/s)   ratio ${(theirSeconds / ourSeconds).toFixed(2)}x`);
    console.log(`  consume  ours ${fmt(n / ourConsumeSeconds)} msg/s (${fmt(mb / ourConsumeSeconds, 1)} MB/s)   official ${fmt(n / theirConsumeSeconds)} msg/s (${fmt(mb / theirConsumeSeconds, 1)} MB/s)   ratio ${(theirConsumeSeconds / ourConsumeSeconds).toFixed(2)}x`);
    Object.assign(results, {
      [`produce_${size}_ours_msgs`]: n / ourSeconds,
      [`produce_${size}_official_msgs`]: n / theirSeconds,
      [`produce_${size}_ratio`]: theirSeconds / ourSeconds,
      [`consume_${size}_ours_msgs`]: n / ourConsumeSeconds,
      [`consume_${size}_official_msgs`]: n / theirConsumeSeconds,
      [`consume_${size}_ratio`]: theirConsumeSeconds / ourConsumeSeconds,
    });
    await admin.topics.delete(ours, { force: true });
    await admin.topics.delete(theirs, { force: true });
  }

  const rate = 1000;
  const secs = 5;
  const latTopic = await topicWithSubscriptions('latency', []);
  const ourLat = await ourLatency(latTopic, rate, secs);
  const theirLat = await python('latency', latTopic, String(rate), String(secs));
  console.log(`\nproduce latency at ${rate} msg/s for ${secs} s (100-byte payloads):`);
  console.log(`  ours     p50 ${ourLat.p50_ms.toFixed(2)} ms  p99 ${ourLat.p99_ms.toFixed(2)} ms  (${ourLat.count} sends)`);
  console.log(`  official p50 ${theirLat.p50_ms!.toFixed(2)} ms  p99 ${theirLat.p99_ms!.toFixed(2)} ms  (${theirLat.count} sends)`);
  Object.assign(results, { latency_p50_ours_ms: ourLat.p50_ms, latency_p99_ours_ms: ourLat.p99_ms, latency_p50_official_ms: theirLat.p50_ms!, latency_p99_official_ms: theirLat.p99_ms! });

  const mem = await pendingMemory(latTopic);
  console.log(`\nproducer with maxPendingMessages 10,000 and 20,000 sends of 1 KiB: ${fmt(mem.pending)} pending at once (max seen ${fmt(mem.maxPendingSeen)}), heap +${mem.heapMiB.toFixed(1)} MiB`);
  Object.assign(results, { pending_messages: mem.pending, pending_max_seen: mem.maxPendingSeen, pending_heap_mib: mem.heapMiB });
  await admin.topics.delete(latTopic, { force: true });

  console.log(`\n${JSON.stringify({ bench: 'pulsar', at: new Date().toISOString(), ...results })}`);
  await client.close();
}

await main();
