// The `kafka-secure` stack service: its only client listener is SASL_SSL with SCRAM, the certificate is
// verified against the stack's own CA, and the per-stack password lives under .stack/ only.
// Start it alone: npx tsx stack/cli.ts up kafka-secure
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { stackOptions } from '../../stack/cli.js';
import { STACK_ROOT, stackDirectory } from '../../stack/paths.js';
import { portOpen } from '../../stack/processes.js';
import { KAFKA_SECURE, kafkaSecureInfo } from '../../stack/services/kafka-secure.js';
import { kafkaRoundTrip } from '../../stack/services/kafka.js';

const options = stackOptions();
const info = kafkaSecureInfo(options);
const [host, port] = [info.brokers[0]!.split(':')[0]!, options.kafkaSecurePort];

before(async () => {
  if (!(await portOpen(port))) throw new Error(`kafka-secure is not running on port ${port}: npx tsx stack/cli.ts up kafka-secure`);
});

/** kafkajs against the listener; resolves with the error that stopped it, or undefined. */
async function connectError(config: { ssl?: { ca: string }; sasl?: { mechanism: 'scram-sha-512'; username: string; password: string } }) {
  const kafka = new Kafka({
    brokers: [...info.brokers],
    clientId: 'k2p-kafka-secure-test',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    ...config,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

for (const mechanism of info.mechanisms) {
  test(`produce and consume over SASL_SSL with ${mechanism}, the broker certificate verified by the stack CA`, { timeout: 60_000 }, async () => {
    await kafkaRoundTrip(info.brokers[0]!, {
      ssl: { ca: info.ca(), rejectUnauthorized: true },
      sasl: { mechanism, username: info.username, password: info.password() } as { mechanism: 'scram-sha-512'; username: string; password: string },
    });
  });
}

test('the TLS certificate is for localhost and signed by the stack CA; without that CA it is not trusted', async () => {
  const handshake = (ca?: string) =>
    new Promise<{ authorized: boolean; error?: Error; cert: PeerCertificate }>((resolve) => {
      const socket = tlsConnect({ host, port, servername: host, rejectUnauthorized: false, ...(ca ? { ca } : {}) }, () => {
        const out = { authorized: socket.authorized, error: socket.authorizationError, cert: socket.getPeerCertificate() };
        socket.destroy();
        resolve(out);
      });
    });
  const trusted = await handshake(info.ca());
  assert.equal(trusted.authorized, true, String(trusted.error));
  assert.equal(trusted.cert.subject.CN, 'localhost');
  assert.match(trusted.cert.subjectaltname ?? '', /DNS:localhost/);
  assert.match(String(trusted.cert.issuer.CN), /k2p local stack Kafka CA/);
  const untrusted = await handshake();
  assert.equal(untrusted.authorized, false);
});

test('wrong password, unknown user and no SASL at all are refused; plaintext gets no answer', { timeout: 60_000 }, async () => {
  const ssl = { ca: info.ca() };
  const wrong = await connectError({ ssl, sasl: { mechanism: 'scram-sha-512', username: info.username, password: `${info.password()}x` } });
  assert.equal(wrong?.name, 'KafkaJSSASLAuthenticationError', String(wrong));
  const unknown = await connectError({ ssl, sasl: { mechanism: 'scram-sha-512', username: 'nobody', password: info.password() } });
  assert.equal(unknown?.name, 'KafkaJSSASLAuthenticationError', String(unknown));
  assert.ok(await connectError({ ssl }), 'TLS without SASL must not list topics');
  assert.ok(await connectError({}), 'plaintext must not list topics');
});

test('the password is generated per stack: stored 0600 under .stack, in no file of the repository', () => {
  const password = info.password();
  assert.match(password, /^[0-9a-f]{48}$/);
  const credentials = join(stackDirectory(), KAFKA_SECURE, 'credentials.json');
  assert.equal(statSync(credentials).mode & 0o077, 0, `${credentials} readable by others`);
  // git grep: exit 1 = no tracked file holds it.
  const grep = spawnSync('git', ['grep', '-l', '-F', '-e', password], { cwd: STACK_ROOT, encoding: 'utf8' });
  assert.equal(grep.status, 1, `tracked files holding the password: ${grep.stdout}${grep.stderr}`);
});
