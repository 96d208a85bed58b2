// Bounded memory: `k2p verify` of a 200,000-record topic (8 partitions) in a child process whose heaps (main
// thread and the Kafka worker) are capped at 80 MiB. The Pulsar copy is written in LZ4 batches of a few
// hundred messages: a broker reads up to 100 entries per permit grant, so a receive queue bounded in
// messages only fills with a partition's whole topic — with that queue this child runs out of heap (at 64,
// 80 and 96 MiB; with it bounded in entries, preciseFlowControl, it passes at 64). Kafka fetches and the
// comparison are bounded per partition too. The child's peak RSS is printed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toPulsarMessage, type KafkaRecord } from '../../src/mirror/record-mapping.js';
import { partitionTopic } from '../../src/pulsar/client/index.js';
import type { VerifyReport } from '../../src/verify/index.js';
import { testClient } from '../helpers/pulsar.js';
import { cleanup, uniqueName } from '../helpers/stack.js';
import { freshTarget, kafka, MAPPING, mappingFile } from './fixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PARTITIONS = 8;
const PER_PARTITION = 25_000;
const HEAP_MIB = 80;
const client = testClient();
const filler = randomBytes(240);

/** Records as bench/verify.ts writes them: ~300-byte values, three headers (one binary). */
function record(topic: string, partition: number, i: number, time: number): KafkaRecord {
  return {
    topic,
    partition,
    offset: String(i),
    key: Buffer.from(`key-${(partition * 7919 + i) % 10_007}`),
    value: Buffer.concat([Buffer.from(`${partition}:${i}:`), filler]),
    timestamp: String(time + i),
    headers: [
      { key: 'trace', value: Buffer.from(`t-${partition}-${i}`) },
      { key: 'bin', value: Buffer.from([i & 255, 0, 255]) },
      { key: 'src', value: Buffer.from('test') },
    ],
  };
}

/** VmHWM of a live process: its peak resident set so far (MiB). */
function peakRssMiB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

test(
  `a ${PARTITIONS * PER_PARTITION}-record topic verifies with the heap capped at ${HEAP_MIB} MiB`,
  { timeout: 300_000 },
  async (t) => {
    const topic = uniqueName('verify-memory');
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    cleanup(async () => {
      await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await kafkaAdmin.disconnect();
    });
    await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    const target = await freshTarget(topic, PARTITIONS);
    const time = Date.now() - 3_600_000;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const pulsar = await client.createProducer({
          topic: partitionTopic(target, p),
          batchingMaxDelayMs: 5,
          compression: 'LZ4',
        });
        for (let from = 0; from < PER_PARTITION; from += 2500) {
          const records = Array.from({ length: 2500 }, (_, j) => record(topic, p, from + j, time));
          await Promise.all([
            producer.send({
              topic,
              messages: records.map((r) => ({
                partition: p,
                key: r.key,
                value: r.value,
                timestamp: r.timestamp,
                headers: Object.fromEntries(
                  (r.headers as { key: string; value: Buffer }[]).map((h) => [h.key, h.value]),
                ),
              })),
            }),
            pulsar.sendBatch(records.map((r) => toPulsarMessage(r, MAPPING))),
          ]);
        }
        await pulsar.close();
      }
    } finally {
      await producer.disconnect();
    }

    const child = spawn(
      process.execPath,
      [
        join(root, 'bin/k2p.js'),
        'verify',
        '-c',
        join(root, 'connectors/local.yaml'),
        '-c',
        mappingFile(topic, target),
        '--json',
        '--no-positions',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MIB}` },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakRssMiB(child.pid!) ?? 0)), 100);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(sampler);
    t.diagnostic(`k2p verify: peak RSS ${Math.round(peak)} MiB with the heap capped at ${HEAP_MIB} MiB`);
    assert.equal(
      code,
      0,
      `exit 0 (a heap that grows with the topic runs out here); stderr:\n${stderr.slice(-2000)}`,
    );
    const report = JSON.parse(stdout) as VerifyReport;
    assert.equal(report.identical, true);
    assert.equal(report.topics[0]?.matched, PARTITIONS * PER_PARTITION);
  },
);
