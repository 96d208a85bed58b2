// The registry unreachable, end to end: the mapping's registry connector points at a TCP proxy (node:net, piped
// to the real registry) that this test opens and closes. While nothing listens, every batch is held and asked
// again with a bounded backoff, each failed attempt logged and reported to the Mirror's observer (`error`), the
// consumer never crashes, and nothing is written or committed. Once the proxy listens, every record arrives in
// Pulsar exactly once.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config/index.js';
import { Mirror, type MirrorObserver } from '../../src/mirror/mirror.js';
import { applyPlan } from '../../src/mirror/provision.js';
import { reportSchemaEvents } from '../../src/mirror/schema-converter.js';
import { closePair, mirrorPairs, planPair } from '../../src/mirror/setup.js';
import { partitionTopic } from '../../src/pulsar/client/index.js';
import { frameHeader } from '../../src/schema/index.js';
import { readStored } from '../helpers/pulsar.js';
import { committedTo, endOffsets, registerSchema } from '../helpers/schema.js';
import { STACK, cleanup, uniqueName } from '../helpers/stack.js';
import { kafkaTopicsForTest, writeRegistryMirrorConfig } from '../helpers/mirror-config.js';

const kafka = new Kafka({ brokers: [...STACK.kafkaBrokers], clientId: 'k2p-registry-down-test', logLevel: logLevel.NOTHING });

/** A TCP proxy to the real registry on a fixed local port, listening only between open() and close(). */
class RegistryProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  connections = 0;
  constructor(
    readonly port: number,
    private readonly upstream: { host: string; port: number },
  ) {}

  static async freePort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      this.connections++;
      const up = connect(this.upstream.port, this.upstream.host);
      for (const s of [client, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(up).pipe(client);
      client.on('close', () => up.destroy());
      up.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise((r) => this.server!.close(r));
    this.server = undefined;
  }
}

test('registry unreachable: batches retried with bounded backoff, reported, nothing written; once reachable every record arrives exactly once', { timeout: 300_000 }, async () => {
  const topic = uniqueName('sch-regdown');
  const target = `persistent://public/default/${topic}`;
  const registry = new URL(STACK.registryUrl);
  const proxy = new RegistryProxy(await RegistryProxy.freePort(), { host: registry.hostname, port: Number(registry.port) });
  cleanup(() => proxy.close());
  const { dir } = writeRegistryMirrorConfig([`{ match: ${topic}, to: "persistent://public/default/{topic}", schema: registry }`], {
    registryUrl: `http://127.0.0.1:${proxy.port}${registry.pathname}`,
  });
  await kafkaTopicsForTest([topic], 2, [target]);

  // Framed Avro values whose schema is registered on the real registry (the mirror only sees the proxy).
  const schema = { type: 'record', name: `Down${topic.slice(-8).replace(/-/g, '')}`, namespace: 'k2p.down', fields: [{ name: 'n', type: 'int' }] };
  const id = await registerSchema(`${topic}-value`, JSON.stringify(schema));
  const type = avro.Type.forSchema(schema as avro.Schema);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: 40 }, (_, n) => ({ partition: n % 2, key: `k${n}`, value: Buffer.concat([frameHeader(id), type.toBuffer({ n })]) })),
  });
  await producer.disconnect();

  const config = loadConfig([join(dir, 'k2p.yaml')]);
  const pair = await planPair(config, mirrorPairs(config)[0]!);
  cleanup(() => closePair(pair));
  for (const plan of pair.plans) await applyPlan(pair.admin, plan);

  const errors: { event: string; message: string }[] = [];
  const logs: { event: string; fields: Record<string, unknown> }[] = [];
  const stored: number[] = [];
  const observer: MirrorObserver = {
    batchStored: (batch) => stored.push(batch.count ?? batch.records.length),
    error: (event, error) => errors.push({ event, message: error.message }),
  };
  const log = (event: string, fields: Record<string, unknown>) => logs.push({ event, fields });
  reportSchemaEvents(pair.pulsar, { error: observer.error, log });
  const mirror = new Mirror({ kafka: pair.kafka, pulsar: pair.pulsar, topics: pair.topics, groupId: uniqueName('k2p-regdown'), observer, log });
  cleanup(() => mirror.stop());
  await mirror.start();

  // Unreachable until a batch outlived one hold (8 s) and was thrown back to the consumer to be fetched again.
  const handedBack = () => logs.some((l) => l.event === 'schema-registry-unreachable' && l.fields.retriedBy !== undefined);
  const outage = Date.now();
  while (!handedBack() || errors.filter((e) => e.event === 'schema-registry-unreachable').length < 3) {
    if (Date.now() - outage > 60_000) break; // the assertions below say what is missing
    await new Promise((r) => setTimeout(r, 200));
  }
  const unreachable = errors.filter((e) => e.event === 'schema-registry-unreachable');
  assert.ok(unreachable.length >= 3, `failed attempts reported to the observer: ${JSON.stringify(errors)}`);
  assert.ok(unreachable.every((e) => /K2P_SCH_REGISTRY/.test(e.message) && /ECONNREFUSED|connect|fetch failed/i.test(e.message)), JSON.stringify(unreachable.slice(0, 3)));
  const attempts = logs.filter((l) => l.event === 'schema-registry-unreachable');
  assert.ok(attempts.some((l) => l.fields.retriedBy !== undefined), 'a held batch was handed back to the consumer after the hold');
  const delays = attempts.map((l) => l.fields.retryInMs).filter((d): d is number => typeof d === 'number');
  assert.ok(delays.length > 0 && delays.every((d) => d >= 250 && d <= 4000), `bounded backoff: ${JSON.stringify(delays)}`);
  assert.deepEqual(errors.filter((e) => e.event === 'kafka-consumer-crash'), [], 'the Kafka consumer never crashed');
  assert.equal(proxy.connections, 0);
  assert.equal(stored.reduce((a, b) => a + b, 0), 0, 'nothing stored while the registry is unreachable');
  assert.ok(mirror.status().every((s) => s.committedOffset === -1n && s.records === 0 && s.paused === undefined), JSON.stringify(mirror.status(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  for (const p of [0, 1]) assert.equal((await readStored(pair.pulsar, partitionTopic(target, p), 1000)).length, 0, `nothing written to partition ${p}`);

  // Reachable again: the same port now proxies to the real registry.
  await proxy.open();
  const ends = await endOffsets(kafka, topic);
  const started = Date.now();
  while (!committedTo(mirror, ends)) {
    assert.ok(Date.now() - started < 120_000, `mirror did not catch up: ${logs.slice(-10).map((l) => l.event).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await mirror.stop();
  assert.ok(proxy.connections > 0);
  for (const p of [0, 1]) {
    const messages = await readStored(pair.pulsar, partitionTopic(target, p));
    const offsets = messages.map((m) => m.properties['k2p.offset']);
    assert.deepEqual(offsets, Array.from({ length: 20 }, (_, i) => String(i)), `partition ${p}: each record exactly once, in order`);
    assert.deepEqual(
      messages.map((m) => (type.fromBuffer(m.payload) as { n: number }).n),
      Array.from({ length: 20 }, (_, i) => i * 2 + p),
    );
  }
  assert.equal(mirror.status().reduce((n, s) => n + s.records, 0), 40);
});
