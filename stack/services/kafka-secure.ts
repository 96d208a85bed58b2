// A second Kafka (KRaft, one combined node) whose only client listener is SASL_SSL with SCRAM-SHA-512 and
// SCRAM-SHA-256, for the tests of the gateway's authenticated paths. Same jars as stack/services/kafka.ts; its
// own ports (9094 clients, 9095 controller), config and data, so the plain Kafka on 9092 is never touched.
// The CA, the broker certificate (PKCS#12 keystore, keytool truststore) and the SCRAM passwords are made
// at install time into its service folder under .stack/ — never into the repository. The SCRAM users are
// created when the log dir is formatted (`kafka-storage format --add-scram`).
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackDirectory } from '../paths.js';
import { makeCaAndBrokerCertificate, tlsFiles } from '../tls.js';
import type { StackContext, StackOptions, StackService } from '../service.js';
import { argFile, isKafka3, jvmLogArg, kafkaRoundTrip, log4j1, log4j2 } from './kafka.js';

const run = promisify(execFile);

export const KAFKA_SECURE = 'kafka-secure';
/** The SCRAM user the tests and the gateway connect as (both SCRAM-SHA-512 and SCRAM-SHA-256). */
export const KAFKA_SECURE_USER = 'k2p';
/** The broker's own SCRAM user, for its inter-broker connections over the same SASL_SSL listener. */
const BROKER_USER = 'k2p-broker';

/** Made once per stack, kept in .stack/kafka-secure/credentials.json (mode 0600). */
interface Credentials {
  password: string;
  brokerPassword: string;
  storePassword: string;
}

function secureFiles(serviceDir: string) {
  const tls = tlsFiles(serviceDir);
  return {
    ...tls,
    keystore: join(tls.tls, 'broker.keystore.p12'),
    truststore: join(tls.tls, 'truststore.p12'),
    credentials: join(serviceDir, 'credentials.json'),
    properties: join(serviceDir, 'server.properties'),
    dataDir: join(serviceDir, 'data'),
    formatMark: join(serviceDir, 'data', 'k2p-formatted-with'),
  };
}

function readCredentials(serviceDir: string): Credentials {
  const file = secureFiles(serviceDir).credentials;
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: start the service first (npx tsx stack/cli.ts up ${KAFKA_SECURE})`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
}

/** Hex only: safe inside a JAAS line and a `--add-scram` argument without quoting. */
const newPassword = () => randomBytes(24).toString('hex');

async function ensureCredentials(ctx: StackContext): Promise<Credentials> {
  const f = secureFiles(ctx.serviceDir);
  if (existsSync(f.credentials)) return readCredentials(ctx.serviceDir);
  const credentials: Credentials = { password: newPassword(), brokerPassword: newPassword(), storePassword: newPassword() };
  await writeFile(f.credentials, JSON.stringify(credentials), { mode: 0o600 });
  // Users made with other passwords must not survive: the log dir is formatted again with these.
  await rm(f.dataDir, { recursive: true, force: true });
  // The keystores are locked with the store password: made again too.
  await rm(f.tls, { recursive: true, force: true });
  return credentials;
}

/**
 * openssl comes with Debian's ca-certificates; where it is missing, pulsar-secure (started alongside)
 * installs it from Debian packages, so wait for it rather than run a second apt-get into dpkg's lock.
 */
async function waitForOpenssl(ctx: StackContext): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (await run('openssl', ['version']).then(() => true, () => false)) return;
    if (Date.now() > deadline) throw new Error('openssl not found: apt-get install openssl (or start pulsar-secure, which installs it)');
    ctx.log('waiting for openssl');
    await new Promise((r) => setTimeout(r, 3000));
  }
}

/** A CA, a broker certificate it signed (localhost, 127.0.0.1) in a PKCS#12 keystore, and a truststore. */
async function ensureCertificates(ctx: StackContext, credentials: Credentials): Promise<void> {
  const f = secureFiles(ctx.serviceDir);
  if ([f.caCert, f.keystore, f.truststore].every((file) => existsSync(file))) return;
  await waitForOpenssl(ctx);
  ctx.log('making a CA, a broker keystore and a truststore (openssl, keytool)');
  await rm(f.tls, { recursive: true, force: true });
  await makeCaAndBrokerCertificate(ctx.serviceDir, { caName: 'k2p local stack Kafka CA', clientAuth: true });
  // The password travels in the environment, not on a command line other users can read.
  const env = { ...process.env, K2P_STORE_PASSWORD: credentials.storePassword };
  // prettier-ignore
  await run('openssl', [
    'pkcs12', '-export', '-name', 'broker', '-inkey', f.brokerKey, '-in', f.brokerCert, '-certfile', f.caCert,
    '-out', f.keystore, '-passout', 'env:K2P_STORE_PASSWORD',
  ], { env });
  // keytool marks the CA as a trusted entry (what a Java truststore needs); its password comes from env too.
  // prettier-ignore
  await run('keytool', [
    '-importcert', '-noprompt', '-alias', 'k2p-ca', '-file', f.caCert, '-keystore', f.truststore,
    '-storetype', 'PKCS12', '-storepass:env', 'K2P_STORE_PASSWORD',
  ], { env });
  await Promise.all([f.caKey, f.brokerKey, f.keystore, f.truststore].map((file) => chmod(file, 0o600)));
}

function serverProperties(ctx: StackContext, credentials: Credentials): string {
  const { kafkaSecurePort: port, kafkaVersion } = ctx.options;
  const controllerPort = port + 1;
  const f = secureFiles(ctx.serviceDir);
  const quorum = isKafka3(kafkaVersion)
    ? `controller.quorum.voters=1@localhost:${controllerPort}`
    : `controller.quorum.bootstrap.servers=localhost:${controllerPort}`;
  const jaas = (user: string, password: string) =>
    `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`;
  return `# Written by stack/services/kafka-secure.ts (holds passwords: keep it out of the repository)
process.roles=broker,controller
node.id=1
${quorum}
listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=SASL_SSL://localhost:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas(BROKER_USER, credentials.brokerPassword)}
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${jaas(BROKER_USER, credentials.brokerPassword)}
ssl.keystore.type=PKCS12
ssl.keystore.location=${f.keystore}
ssl.keystore.password=${credentials.storePassword}
ssl.key.password=${credentials.storePassword}
ssl.truststore.type=PKCS12
ssl.truststore.location=${f.truststore}
ssl.truststore.password=${credentials.storePassword}
ssl.client.auth=none
ssl.endpoint.identification.algorithm=https
log.dirs=${f.dataDir}
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=2
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.flush.interval.messages=9223372036854775807
`;
}

export const kafkaSecure: StackService = {
  name: KAFKA_SECURE,
  startTimeoutSeconds: 90,
  port: (options) => options.kafkaSecurePort,

  async install(ctx) {
    await argFile(ctx);
    const credentials = await ensureCredentials(ctx);
    await ensureCertificates(ctx, credentials);
    const f = secureFiles(ctx.serviceDir);
    await writeFile(f.properties, serverProperties(ctx, credentials), { mode: 0o600 });
    await chmod(f.properties, 0o600);
    const v = ctx.options.kafkaVersion;
    await writeFile(join(ctx.serviceDir, isKafka3(v) ? 'log4j.properties' : 'log4j2.yaml'), isKafka3(v) ? log4j1 : log4j2);
  },

  async prepare(ctx) {
    const f = secureFiles(ctx.serviceDir);
    const formattedWith = existsSync(f.formatMark) ? readFileSync(f.formatMark, 'utf8').trim() : '';
    if (existsSync(join(f.dataDir, 'meta.properties')) && formattedWith === ctx.options.kafkaVersion) return;
    await rm(f.dataDir, { recursive: true, force: true });
    const credentials = readCredentials(ctx.serviceDir);
    let id: string;
    do id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    while (id.startsWith('-'));
    const scram = (mechanism: string, user: string, password: string) => [
      '--add-scram',
      `${mechanism}=[name=${user},password=${password}]`,
    ];
    // prettier-ignore
    const format = [
      'format', ...(isKafka3(ctx.options.kafkaVersion) ? [] : ['--standalone']), '-t', id, '-c', f.properties,
      ...scram('SCRAM-SHA-512', KAFKA_SECURE_USER, credentials.password),
      ...scram('SCRAM-SHA-256', KAFKA_SECURE_USER, credentials.password),
      ...scram('SCRAM-SHA-512', BROKER_USER, credentials.brokerPassword),
    ];
    ctx.log('formatting the log dir with the SCRAM users');
    await run('java', [`@${await argFile(ctx)}`, jvmLogArg(ctx), 'kafka.tools.StorageTool', ...format]);
    await writeFile(f.formatMark, ctx.options.kafkaVersion);
  },

  async launch(ctx) {
    return {
      command: 'java',
      args: [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-XX:TieredStopAtLevel=1', // C1 only: a faster start; this broker carries test traffic only
        '-Djava.awt.headless=true',
        jvmLogArg(ctx),
        `@${await argFile(ctx)}`,
        'kafka.Kafka',
        secureFiles(ctx.serviceDir).properties,
      ],
    };
  },

  async probe(ctx) {
    const info = kafkaSecureInfo(ctx.options, ctx.stackDir);
    await kafkaRoundTrip(info.brokers[0]!, {
      ssl: { ca: info.ca() },
      sasl: { mechanism: 'scram-sha-512', username: info.username, password: info.password() },
    });
  },
};

/** Where the SASL_SSL Kafka is and how to get in, for tests. */
export interface KafkaSecureInfo {
  /** localhost:<port> (SASL_SSL only). */
  readonly brokers: readonly string[];
  /** PEM file of the CA that signed the broker's certificate. */
  readonly caFile: string;
  readonly username: string;
  /** Mechanisms the listener accepts for `username`, as connector files spell them. */
  readonly mechanisms: readonly ('scram-sha-512' | 'scram-sha-256')[];
  /** The CA certificate (PEM). */
  ca(): string;
  /** The SCRAM password of `username` (the same for both mechanisms). */
  password(): string;
}

export function kafkaSecureInfo(options: StackOptions, stackDir = stackDirectory()): KafkaSecureInfo {
  const serviceDir = join(stackDir, KAFKA_SECURE);
  const caFile = secureFiles(serviceDir).caCert;
  return {
    brokers: [`localhost:${options.kafkaSecurePort}`],
    caFile,
    username: KAFKA_SECURE_USER,
    mechanisms: ['scram-sha-512', 'scram-sha-256'],
    ca: () => readFileSync(caFile, 'utf8'),
    password: () => readCredentials(serviceDir).password,
  };
}
