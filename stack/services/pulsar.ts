// Apache Pulsar standalone (broker + bookie + RocksDB metadata in one JVM), started from pulsar-broker jars.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classpathArgFile } from '../maven.js';
import type { StackContext, StackService } from '../service.js';

export const PULSAR_VERSION = '4.0.7';

// Only keys that differ from the broker's built-in defaults, or that later features depend on.
function standaloneConf(ctx: StackContext): string {
  const { pulsarPort, pulsarAdminPort } = ctx.options;
  return `# Written by stack/services/pulsar.ts
clusterName=standalone
brokerServicePort=${pulsarPort}
webServicePort=${pulsarAdminPort}
bindAddress=127.0.0.1
advertisedAddress=localhost
bookieId=localhost:3181
managedLedgerDefaultEnsembleSize=1
managedLedgerDefaultWriteQuorum=1
managedLedgerDefaultAckQuorum=1
journalSyncData=false
allowAutoTopicCreation=true
allowAutoTopicCreationType=non-partitioned
topicLevelPoliciesEnabled=true
systemTopicEnabled=true
brokerDeduplicationEnabled=false
acknowledgmentAtBatchIndexLevelEnabled=true
transactionCoordinatorEnabled=true
brokerEntryMetadataInterceptors=
maxMessageSize=5242880
# The bookie reads this file too: its frames must fit a max-size message plus headers (as bookkeeper.conf
# ships it). At the bookie's 5 MB default, chunks of the official clients (maxMessageSize - metadata) are
# rejected and the broker retries them in a loop that stalls every topic.
nettyMaxFrameSizeBytes=5253120
functionsWorkerEnabled=false
authenticationEnabled=false
authorizationEnabled=false
superUserRoles=
dbStorage_writeCacheMaxSizeMb=64
dbStorage_readAheadCacheMaxSizeMb=64
dbStorage_rocksDB_blockCacheSize=33554432
managedLedgerCacheSizeMB=128
loadBalancerEnabled=false
webSocketServiceEnabled=false
exposeTopicLevelMetricsInPrometheus=true
`;
}

const log4j2 = `Configuration:
  status: warn
  Appenders:
    Console: { name: STDOUT, PatternLayout: { pattern: "%d{ISO8601} %-5level [%t] %c{1} - %msg%n" } }
  Loggers:
    Root: { level: info, AppenderRef: [{ ref: STDOUT }] }
    Logger:
      - { name: org.apache.bookkeeper, level: warn }
      - { name: org.apache.zookeeper, level: warn }
      - { name: org.eclipse.jetty, level: warn }
      - { name: org.apache.pulsar.broker.service.persistent.PersistentTopic, level: warn }
`;

function files(ctx: StackContext) {
  return {
    conf: join(ctx.serviceDir, 'standalone.conf'),
    logConfig: join(ctx.serviceDir, 'log4j2.yaml'),
    data: join(ctx.serviceDir, 'data'),
  };
}

async function argFile(ctx: StackContext): Promise<string> {
  return classpathArgFile(join(ctx.stackDir, 'classpath'), {
    groupId: 'org.apache.pulsar',
    artifactId: 'pulsar-broker',
    version: PULSAR_VERSION,
  });
}

export const pulsar: StackService = {
  name: 'pulsar',
  startTimeoutSeconds: 180,
  port: (options) => options.pulsarPort,

  async install(ctx) {
    ctx.log(`resolving pulsar-broker ${PULSAR_VERSION} jars`);
    await argFile(ctx);
    const f = files(ctx);
    await writeFile(f.conf, standaloneConf(ctx));
    await writeFile(f.logConfig, log4j2);
  },

  async launch(ctx) {
    const f = files(ctx);
    const opens = [
      'java.base/java.io',
      'java.base/java.util.zip',
      'java.base/java.nio',
      'java.base/jdk.internal.misc',
      'java.base/sun.net',
      'java.management/sun.management',
    ].flatMap((pkg) => ['--add-opens', `${pkg}=ALL-UNNAMED`]);
    return {
      command: 'java',
      args: [
        '-Xms512m',
        '-Xmx1g',
        '-XX:MaxDirectMemorySize=1g',
        '-XX:+UseG1GC',
        `-Dlog4j.configurationFile=${f.logConfig}`,
        '-Djute.maxbuffer=10485760',
        '-Djava.net.preferIPv4Stack=true',
        '-Dio.netty.tryReflectionSetAccessible=true',
        '-Dpulsar.allocator.exit_on_oom=true',
        '-Dbookkeeper.metadata.bookie.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataBookieDriver',
        '-Dbookkeeper.metadata.client.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataClientDriver',
        ...opens,
        `@${await argFile(ctx)}`,
        'org.apache.pulsar.PulsarStandaloneStarter',
        '--config',
        f.conf,
        '--no-functions-worker',
        '--no-stream-storage',
        '--metadata-dir',
        join(f.data, 'metadata'),
        '--bookkeeper-dir',
        join(f.data, 'bookkeeper'),
      ],
    };
  },

  async probe(ctx) {
    await pulsarRoundTrip(`http://localhost:${ctx.options.pulsarAdminPort}`);
  },
};

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`pulsar probe: ${init.method ?? 'GET'} ${url} → ${res.status} ${await res.text()}`);
  return res;
}

/**
 * Writes one message through the broker's REST producer and reads it back with the admin "peek" of a
 * subscription cursor: the message goes through the managed ledger and the bookie both ways.
 */
export async function pulsarRoundTrip(adminUrl: string): Promise<void> {
  const topicPath = 'persistent/public/default/k2p-stack-probe';
  const subscription = 'k2p-stack-probe';
  const marker = randomUUID();
  await call(`${adminUrl}/admin/v2/${topicPath}/subscription/${subscription}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entryId: -1, ledgerId: -1 }), // "latest"-like; we skip to the end below anyway
  }).catch((err: Error) => {
    if (!/409/.test(err.message)) throw err;
  });
  await call(`${adminUrl}/admin/v2/${topicPath}/subscription/${subscription}/skip_all`, { method: 'POST' });
  await call(`${adminUrl}/topics/${topicPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ payload: marker }] }),
  });
  const peek = await call(`${adminUrl}/admin/v2/${topicPath}/subscription/${subscription}/position/1`);
  const body = Buffer.from(await peek.arrayBuffer()).toString('latin1');
  if (!body.includes(marker)) throw new Error(`pulsar probe: peeked message does not hold the marker ${marker}`);
}
