// Connections to the real brokers: plain (:9092), and TLS + SASL SCRAM-SHA-512 / SCRAM-SHA-256 on the secure
// Kafka (:9094); refusals as catalog errors: a wrong password, a mechanism the listener does not offer, a
// CA that did not sign the broker's certificate; a server that never answers.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { isK2pError } from '../../../src/errors.js';
import { KafkaCluster } from '../../../src/kafka/wire/cluster.js';
import { KafkaConnection } from '../../../src/kafka/wire/connection.js';
import { connectionSettings } from '../../../src/kafka/wire/from-connector.js';
import { stackOptions } from '../../../stack/cli.js';
import { kafkaSecureInfo } from '../../../stack/services/kafka-secure.js';
import { STACK } from '../../helpers/stack.js';

const secure = kafkaSecureInfo(stackOptions());
const broker = secure.brokers[0]!;

test('plain: ApiVersions picks read_committed-capable Fetch and Metadata versions, metadata names the leader', async () => {
  const conn = await KafkaConnection.open(STACK.kafkaBrokers[0]!, { clientId: 'k2p-test' });
  try {
    assert.ok(conn.version('fetch') >= 4 && conn.version('fetch') <= 11);
    assert.ok(conn.version('metadata') >= 4);
  } finally {
    conn.close();
  }
  const cluster = new KafkaCluster(STACK.kafkaBrokers, { clientId: 'k2p-test' });
  try {
    const m = await cluster.metadata(['__consumer_offsets']);
    assert.ok(m.brokers.length >= 1);
    assert.ok(m.topics[0]!.partitions.every((p) => m.brokers.some((b) => b.nodeId === p.leader)));
  } finally {
    cluster.close();
  }
});

for (const mechanism of secure.mechanisms) {
  test(`TLS + SASL ${mechanism}: authenticated, metadata read`, async () => {
    const settings = connectionSettings({
      name: 'secure',
      brokers: [broker],
      ssl: { ca: secure.ca() },
      sasl: { mechanism, username: secure.username, password: secure.password() },
    });
    const cluster = new KafkaCluster([broker], settings);
    try {
      const m = await cluster.metadata(['__consumer_offsets']);
      assert.ok(m.brokers.length >= 1);
    } finally {
      cluster.close();
    }
  });
}

test('a wrong SCRAM password: K2P_KFK_AUTH', async () => {
  const settings = connectionSettings({
    name: 'secure',
    brokers: [broker],
    ssl: { ca: secure.ca() },
    sasl: { mechanism: 'scram-sha-512', username: secure.username, password: 'not-the-password' },
  });
  await assert.rejects(KafkaConnection.open(broker, settings), (e: unknown) => isK2pError(e, 'K2P_KFK_AUTH'));
});

test('PLAIN where the listener offers only SCRAM: K2P_KFK_AUTH naming what it offers', async () => {
  const settings = connectionSettings({
    name: 'secure',
    brokers: [broker],
    ssl: { ca: secure.ca() },
    sasl: { mechanism: 'plain', username: secure.username, password: secure.password() },
  });
  await assert.rejects(KafkaConnection.open(broker, settings), (e: unknown) => isK2pError(e, 'K2P_KFK_AUTH') && /SCRAM-SHA-512/.test(String(e)));
});

test('TLS without the stack CA: K2P_KFK_TLS (certificate not trusted)', async () => {
  const settings = connectionSettings({ name: 'secure', brokers: [broker], ssl: true });
  await assert.rejects(KafkaConnection.open(broker, { ...settings, connectTimeoutMs: 5000 }), (e: unknown) => isK2pError(e, 'K2P_KFK_TLS') && /certificate/i.test(String(e)));
});

test('a server that accepts but never answers: K2P_KFK_CONNECT after the request timeout, not a hang', async () => {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const started = Date.now();
  try {
    await assert.rejects(
      KafkaConnection.open(`127.0.0.1:${port}`, { clientId: 'k2p-test', requestTimeoutMs: 300 }),
      (e: unknown) => isK2pError(e, 'K2P_KFK_CONNECT') && /no answer/.test(String(e)),
    );
    assert.ok(Date.now() - started < 5000);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});
