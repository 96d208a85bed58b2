// `k2p verify` usage: bad arguments and unmapped topics exit 2 with a message; no progress line off a
// terminal; the text report on stdout.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { twoBrokers } from '../helpers/kafka-two-brokers.js';
import { testClient } from '../helpers/pulsar.js';
import { cleanup, STACK } from '../helpers/stack.js';
import { createSource, mappingFile, mirrorSource, runCli } from '../verify/fixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const connectors = join(root, 'connectors/local.yaml');

test(
  'usage errors exit 2: a bound that is neither offset nor time, an unknown mode, a topic no mapping selects',
  { timeout: 120_000 },
  async () => {
    const mapping = mappingFile(
      'no-such-topic-anywhere',
      'persistent://public/default/no-such-topic-anywhere-x',
    );
    const bound = await runCli(['verify', '-c', connectors, '-c', mapping, '--from', 'yesterday-ish']);
    assert.equal(bound.code, 2, bound.stderr);
    assert.match(bound.stderr, /--from|"yesterday-ish" is neither an offset nor a time/);
    const mode = await runCli(['verify', '-c', connectors, '-c', mapping, '--mode', 'sideways']);
    assert.equal(mode.code, 2, mode.stderr);
    assert.match(mode.stderr, /expected mirror or dual-write/);
    const none = await runCli(['verify', '-c', connectors, '-c', mapping]);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /select no existing Kafka topic/);
    const count = await runCli(['verify', '-c', connectors, '-c', mapping, '--max-divergences', '-3']);
    assert.equal(count.code, 2, count.stderr);
  },
);

test(
  'text report on stdout, exit 0, no progress line when stderr is not a terminal',
  { timeout: 180_000 },
  async () => {
    const client = testClient();
    const source = await createSource(2, 20);
    const target = await mirrorSource(client, source);
    const run = await runCli([
      'verify',
      '-c',
      connectors,
      '-c',
      mappingFile(source.topic, target),
      '--topics',
      source.topic,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^verify \(mirror\): IDENTICAL — 0 divergence\(s\); 40 Kafka records/);
    assert.match(run.stdout, /\[1\] offsets 0\.\.20: Kafka 20, Pulsar 20, matched 20 — identical/);
    assert.doesNotMatch(run.stderr, /records\/s/);
  },
);

test(
  'a side not read to its end is an error, not a pass: a broker slower than --read-timeout exits 1 with K2P_VERIFY_INCOMPLETE',
  { timeout: 180_000 },
  async () => {
    const client = testClient();
    const source = await createSource(2, 20);
    const target = await mirrorSource(client, source);
    // Kafka behind a proxy that holds every Fetch response back 1.5 s: no progress within the 300 ms read
    // timeout (a read of 40 records from the broker itself would end before any timeout could fire).
    const slow = await twoBrokers(STACK.kafkaBrokers[0]!, { fetchDelayMs: 1500 });
    cleanup(() => slow.close());
    const dir = mkdtempSync(join(tmpdir(), 'k2p-verify-slow-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const slowConnectors = join(dir, 'connectors.yaml');
    writeFileSync(
      slowConnectors,
      `connectors:\n  kafka-local: { kind: kafka, brokers: ["${slow.bootstrap}"] }\n  pulsar-local: { kind: pulsar, serviceUrl: "${STACK.pulsarServiceUrl}", adminUrl: "${STACK.pulsarAdminUrl}" }\n`,
    );
    const run = await runCli([
      'verify',
      '-c',
      slowConnectors,
      '-c',
      mappingFile(source.topic, target),
      '--topics',
      source.topic,
      '--read-timeout',
      '300',
    ]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /K2P_VERIFY_INCOMPLETE/);
    assert.doesNotMatch(run.stdout, /IDENTICAL/);
  },
);
