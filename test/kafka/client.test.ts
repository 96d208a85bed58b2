// The client factory: kafkajs logs reach our logger with the connector named, and a SASL password never
// appears in any line — not even when the broker refuses the handshake and kafkajs logs the failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaClient } from '../../src/kafka/client.js';
import { REDACTED, scrub, type KafkaLogger } from '../../src/kafka/logger.js';
import { STACK, uniqueName } from '../helpers/stack.js';

function capture(): { logger: KafkaLogger; lines: { level: string; obj: object; msg?: string }[] } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

test('scrub replaces secrets in strings and secret-named fields, deeply', () => {
  const out = scrub({ message: 'auth with s3cr3t failed', nested: { password: 'x', list: ['s3cr3t!'] }, n: 1 }, ['s3cr3t']);
  assert.deepEqual(out, { message: `auth with ${REDACTED} failed`, nested: { password: REDACTED, list: [`${REDACTED}!`] }, n: 1 });
});

test('logs go to our logger with the connector name; the SASL password never appears', async () => {
  const password = `pw-${uniqueName('secret')}`;
  const { logger, lines } = capture();
  // The local listener is PLAINTEXT: a SASL handshake fails and kafkajs logs (and throws) about it.
  const kafka = kafkaClient(
    { name: 'kafka-sasl', brokers: [...STACK.kafkaBrokers], sasl: { mechanism: 'scram-sha-256', username: 'alice', password } },
    logger,
  );
  const admin = kafka.admin({ retry: { retries: 0 } });
  const err = await admin.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  await admin.disconnect();
  assert.ok(err instanceof Error, 'connecting with SASL to a PLAINTEXT listener fails');
  assert.ok(lines.length > 0, 'kafkajs logged something');
  assert.ok(lines.some((l) => l.level === 'error'), 'the failure is logged as an error');
  for (const l of lines) {
    assert.equal((l.obj as { connector?: string }).connector, 'kafka-sasl');
    assert.ok(!JSON.stringify(l).includes(password), `password leaked: ${JSON.stringify(l)}`);
  }

  const plain = capture();
  const ok = kafkaClient({ name: 'kafka-local', brokers: [...STACK.kafkaBrokers] }, plain.logger);
  const producer = ok.producer();
  await producer.connect();
  await producer.disconnect();
  assert.ok(plain.lines.every((l) => (l.obj as { component?: string }).component?.startsWith('kafkajs.')));
});
