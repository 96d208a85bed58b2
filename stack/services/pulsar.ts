// Apache Pulsar standalone (broker + bookie + ZooKeeper metadata in one JVM), started from pulsar-broker jars.
// The conf, the launch command and the REST round trip are exported so that stack/services/pulsar-secure.ts
// starts a second standalone (TLS + token auth) from the same parts.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classpathArgFile } from '../maven.js';
import type { LaunchSpec, StackContext, StackService } from '../service.js';

export const PULSAR_VERSION = '4.0.7';

/** What differs between two standalones on one machine. */
export interface StandaloneParams {
  /** Folder for the conf, the log4j2 file and the data (metadata + bookie). */
  serviceDir: string;
  /** The stack folder (shared classpath argfiles). */
  stackDir: string;
  brokerPort: number;
  webPort: number;
  /** The standalone's bookie; the stock standalone uses 3181. */
  bookiePort: number;
  /** Port of the embedded ZooKeeper that holds the metadata. */
  zookeeperPort: number;
  /** Keys to set on top of (or instead of) the base conf, e.g. TLS and authentication. */
  overrides?: Readonly<Record<string, string>>;
  /** JVM memory; default 512m..1g heap, 1g direct. */
  memory?: { minHeap: string; maxHeap: string; maxDirect: string };
  /** First line of the conf file. */
  writtenBy?: string;
}

// Only keys that differ from the broker's built-in defaults, or that later features depend on.
export function standaloneConf(params: StandaloneParams): string {
  const { brokerPort, webPort, bookiePort } = params;
  const base = `# Written by ${params.writtenBy ?? 'stack/services/pulsar.ts'}
clusterName=standalone
brokerServicePort=${brokerPort}
webServicePort=${webPort}
bindAddress=127.0.0.1
advertisedAddress=localhost
bookieId=localhost:${bookiePort}
managedLedgerDefaultEnsembleSize=1
managedLedgerDefaultWriteQuorum=1
managedLedgerDefaultAckQuorum=1
journalSyncData=false
# The bookie writes its journal as soon as nothing else is queued instead of waiting up to 2 ms to group
# writes: a lone send is acknowledged in about 1 ms instead of about 2.6 (single-record produce is
# latency-bound); under load the queue is never empty and writes still group.
journalFlushWhenQueueEmpty=true
allowAutoTopicCreation=true
allowAutoTopicCreationType=non-partitioned
topicLevelPoliciesEnabled=true
systemTopicEnabled=true
brokerDeduplicationEnabled=false
acknowledgmentAtBatchIndexLevelEnabled=true
# Off: nothing here uses Pulsar transactions, and with the coordinator on every topic has a transaction
# buffer that must recover from a system topic before its consumers are served and before GET_LAST_MESSAGE_ID
# answers. After broker restarts that recovery stalled now and then: subscriptions with permits received
# nothing and last-message-id requests timed out (apache/pulsar#14889 describes the same stuck consumers).
transactionCoordinatorEnabled=false
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
# The standalone bookie keeps one index file open per ledger, up to openFileLimit (20,000 by default), and
# every durable subscription has a cursor ledger: 10,000 placed subscriptions (bench:offsets) took the broker
# to the process's 20,000 descriptors, and it refused connections. 2,000 open, the rest reopened on demand.
openFileLimit=2000
dbStorage_writeCacheMaxSizeMb=64
dbStorage_readAheadCacheMaxSizeMb=64
dbStorage_rocksDB_blockCacheSize=33554432
managedLedgerCacheSizeMB=128
loadBalancerEnabled=false
webSocketServiceEnabled=false
exposeTopicLevelMetricsInPrometheus=true
`;
  return applyOverrides(base, params.overrides ?? {});
}

/** Replaces `key=value` lines in place; keys the base does not have are appended. */
function applyOverrides(conf: string, overrides: Readonly<Record<string, string>>): string {
  const pending = new Map(Object.entries(overrides));
  const lines = conf.split('\n').map((line) => {
    const key = /^([A-Za-z0-9_.]+)=/.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key);
    pending.delete(key);
    return `${key}=${value}`;
  });
  const extra = [...pending].map(([key, value]) => `${key}=${value}\n`).join('');
  return lines.join('\n') + extra;
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

function files(serviceDir: string) {
  return {
    conf: join(serviceDir, 'standalone.conf'),
    logConfig: join(serviceDir, 'log4j2.yaml'),
    data: join(serviceDir, 'data'),
  };
}

function argFile(stackDir: string): Promise<string> {
  return classpathArgFile(join(stackDir, 'classpath'), {
    groupId: 'org.apache.pulsar',
    artifactId: 'pulsar-broker',
    version: PULSAR_VERSION,
  });
}

/** Resolves the jars and writes the conf and the log4j2 file into params.serviceDir. */
export async function installStandalone(
  params: StandaloneParams,
  log: (message: string) => void,
): Promise<void> {
  log(`resolving pulsar-broker ${PULSAR_VERSION} jars`);
  await argFile(params.stackDir);
  const f = files(params.serviceDir);
  await writeFile(f.conf, standaloneConf(params));
  await writeFile(f.logConfig, log4j2);
}

/** The java command line of a standalone (as the stock bin/pulsar standalone script runs it). */
export async function standaloneLaunch(params: StandaloneParams): Promise<LaunchSpec> {
  const f = files(params.serviceDir);
  const memory = params.memory ?? { minHeap: '512m', maxHeap: '1g', maxDirect: '1g' };
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
      `-Xms${memory.minHeap}`,
      `-Xmx${memory.maxHeap}`,
      `-XX:MaxDirectMemorySize=${memory.maxDirect}`,
      '-XX:+UseG1GC',
      `-Dlog4j.configurationFile=${f.logConfig}`,
      '-Djute.maxbuffer=10485760',
      '-Djava.net.preferIPv4Stack=true',
      '-Dio.netty.tryReflectionSetAccessible=true',
      '-Dpulsar.allocator.exit_on_oom=true',
      '-Dbookkeeper.metadata.bookie.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataBookieDriver',
      '-Dbookkeeper.metadata.client.drivers=org.apache.pulsar.metadata.bookkeeper.PulsarMetadataClientDriver',
      ...opens,
      `@${await argFile(params.stackDir)}`,
      'org.apache.pulsar.PulsarStandaloneStarter',
      '--config',
      f.conf,
      '--no-functions-worker',
      '--no-stream-storage',
      '--bookkeeper-port',
      String(params.bookiePort),
      '--zookeeper-port',
      String(params.zookeeperPort),
      '--zookeeper-dir',
      join(f.data, 'zookeeper'),
      '--bookkeeper-dir',
      join(f.data, 'bookkeeper'),
    ],
    // ZooKeeper for metadata, not the default RocksDB store: after a restart (and always after kill -9) the
    // RocksDB store made the bookie's registration lock flap forever here ("Lock on resource
    // /ledgers/available/localhost:3181 was invalidated", ~500 times a second) and writes failed with
    // "Not enough non-faulty bookies". ZooKeeper sessions expire properly; the fault tests need that.
    env: { PULSAR_STANDALONE_USE_ZOOKEEPER: '1' },
  };
}

/** Data written under another metadata store cannot be reused (the bookie's cookie would not match). */
export async function prepareStandalone(params: StandaloneParams, log: (message: string) => void): Promise<void> {
  const f = files(params.serviceDir);
  const mark = join(f.data, 'k2p-metadata-store');
  const current = existsSync(mark) ? (await readFile(mark, 'utf8')).trim() : existsSync(f.data) ? 'rocksdb' : '';
  if (current === 'zookeeper') return;
  if (current !== '') log(`data was written with the ${current} metadata store: starting with empty data`);
  await rm(f.data, { recursive: true, force: true });
  await mkdir(f.data, { recursive: true });
  await writeFile(mark, 'zookeeper\n');
}

function params(ctx: StackContext): StandaloneParams {
  return {
    serviceDir: ctx.serviceDir,
    stackDir: ctx.stackDir,
    brokerPort: ctx.options.pulsarPort,
    webPort: ctx.options.pulsarAdminPort,
    bookiePort: 3181,
    zookeeperPort: 2181,
  };
}

export const pulsar: StackService = {
  name: 'pulsar',
  startTimeoutSeconds: 180,
  port: (options) => options.pulsarPort,

  async install(ctx) {
    await installStandalone(params(ctx), ctx.log);
  },

  async prepare(ctx) {
    await prepareStandalone(params(ctx), ctx.log);
  },

  async launch(ctx) {
    return standaloneLaunch(params(ctx));
  },

  async probe(ctx) {
    await pulsarRoundTrip(`http://localhost:${ctx.options.pulsarAdminPort}`);
  },
};

async function request(url: string, init: RequestInit, token: string | undefined): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`pulsar probe: ${init.method ?? 'GET'} ${url} → ${res.status} ${await res.text()}`);
  return res;
}

/**
 * Writes one message through the broker's REST producer and reads it back with the admin "peek" of a
 * subscription cursor: the message goes through the managed ledger and the bookie both ways. With a token
 * (a broker with authentication on), every call carries it.
 */
export async function pulsarRoundTrip(adminUrl: string, token?: string): Promise<void> {
  const call = (url: string, init: RequestInit = {}) => request(url, init, token);
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
