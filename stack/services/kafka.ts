// Apache Kafka in KRaft mode: one combined broker+controller node, started from the kafka_2.13 jars.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { classpathArgFile } from '../maven.js';
import type { StackContext, StackService } from '../service.js';

const run = promisify(execFile);

export function isKafka3(version: string): boolean {
  return version.startsWith('3.');
}

function serverProperties(ctx: StackContext): string {
  const { kafkaPort, kafkaVersion } = ctx.options;
  const controllerPort = kafkaPort + 1;
  // 4.x finds the controller through bootstrap servers (KIP-853); 3.9 still names static voters.
  const quorum = isKafka3(kafkaVersion)
    ? `controller.quorum.voters=1@localhost:${controllerPort}`
    : `controller.quorum.bootstrap.servers=localhost:${controllerPort}`;
  return `# Written by stack/services/kafka.ts
process.roles=broker,controller
node.id=1
${quorum}
listeners=PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://localhost:${kafkaPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${join(ctx.serviceDir, 'data')}
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.flush.interval.messages=9223372036854775807
`;
}

export const log4j2 = `Configuration:
  status: warn
  Appenders:
    Console: { name: STDOUT, PatternLayout: { pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: INFO, AppenderRef: [{ ref: STDOUT }] }
    Logger:
      - { name: kafka.server.KafkaConfig, level: WARN }
      - { name: org.apache.kafka.clients, level: WARN }
`;

export const log4j1 = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaConfig=WARN
`;

function files(ctx: StackContext) {
  const v = ctx.options.kafkaVersion;
  return {
    properties: join(ctx.serviceDir, `server-${v}.properties`),
    logConfig: join(ctx.serviceDir, isKafka3(v) ? 'log4j.properties' : 'log4j2.yaml'),
    dataDir: join(ctx.serviceDir, 'data'),
  };
}

export function jvmLogArg(ctx: StackContext): string {
  const { logConfig } = files(ctx);
  return isKafka3(ctx.options.kafkaVersion)
    ? `-Dlog4j.configuration=file:${logConfig}`
    : `-Dlog4j2.configurationFile=${logConfig}`;
}

export async function argFile(ctx: StackContext): Promise<string> {
  // Kafka logs through slf4j 1.7, whose binding its distribution ships but its pom does not name: reload4j
  // for 3.x, log4j2's slf4j 1.x binding for 4.x. Without it the broker logs nothing at all.
  const extras = isKafka3(ctx.options.kafkaVersion)
    ? [{ groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' }]
    : [{ groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: '2.25.5' }];
  return classpathArgFile(
    join(ctx.stackDir, 'classpath'),
    { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: ctx.options.kafkaVersion },
    extras,
  );
}

export const kafka: StackService = {
  name: 'kafka',
  startTimeoutSeconds: 90,
  port: (options) => options.kafkaPort,

  async install(ctx) {
    ctx.log(`resolving kafka_2.13 ${ctx.options.kafkaVersion} jars`);
    await argFile(ctx);
    const f = files(ctx);
    await writeFile(f.properties, serverProperties(ctx));
    await writeFile(f.logConfig, isKafka3(ctx.options.kafkaVersion) ? log4j1 : log4j2);
  },

  async prepare(ctx) {
    const f = files(ctx);
    const versionMark = join(f.dataDir, 'k2p-kafka-version');
    const formattedBy = existsSync(versionMark) ? (await readFile(versionMark, 'utf8')).trim() : '';
    if (existsSync(join(f.dataDir, 'meta.properties')) && formattedBy === ctx.options.kafkaVersion) return;
    // A log dir formatted by another Kafka version is wiped: the stack holds test data only.
    await run('rm', ['-rf', f.dataDir]);
    // A cluster id is 16 random bytes in URL-safe base64 (what `kafka-storage.sh random-uuid` prints). Like
    // Kafka's own generator, never one starting with '-': the storage tool would read it as an option
    // (this failed 1 start in 64 before).
    let id: string;
    do id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    while (id.startsWith('-'));
    const format = isKafka3(ctx.options.kafkaVersion)
      ? ['format', '-t', id, '-c', f.properties]
      : ['format', '--standalone', '-t', id, '-c', f.properties];
    await run('java', [`@${await argFile(ctx)}`, jvmLogArg(ctx), 'kafka.tools.StorageTool', ...format]);
    await writeFile(versionMark, ctx.options.kafkaVersion);
  },

  async launch(ctx) {
    return {
      command: 'java',
      args: [
        '-Xms256m',
        '-Xmx1g',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        jvmLogArg(ctx),
        `@${await argFile(ctx)}`,
        'kafka.Kafka',
        files(ctx).properties,
      ],
    };
  },

  async probe(ctx) {
    await kafkaRoundTrip(`localhost:${ctx.options.kafkaPort}`);
  },
};

/** Produces one record to a probe topic and reads it back through a consumer group (`security`: ssl, sasl). */
export async function kafkaRoundTrip(broker: string, security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {}): Promise<void> {
  const client = new Kafka({ brokers: [broker], clientId: 'k2p-stack-probe', logLevel: logLevel.NOTHING, retry: { retries: 1 }, ...security });
  const topic = 'k2p-stack-probe';
  const marker = randomUUID();
  const admin = client.admin();
  const producer = client.producer({ allowAutoTopicCreation: false });
  const consumer = client.consumer({ groupId: `k2p-probe-${marker}` });
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'probe', value: marker }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('kafka probe: produced record not read back within 20 s')), 20_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === marker) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
    await admin.deleteGroups([`k2p-probe-${marker}`]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
