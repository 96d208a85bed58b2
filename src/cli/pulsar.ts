// `k2p pulsar produce|consume`: our Pulsar client for humans, one JSON line per message.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { K2pError } from '../errors.js';
import { PulsarClient, tokenAuth, type Message, type SubscriptionType } from '../pulsar/client/index.js';

interface ConnectionFlags {
  serviceUrl: string;
  tokenEnv?: string;
  tlsCa?: string;
}

function clientFrom(flags: ConnectionFlags): PulsarClient {
  let auth;
  if (flags.tokenEnv) {
    const token = process.env[flags.tokenEnv];
    if (!token) throw new K2pError('K2P_CFG_ENV_MISSING', `--token-env ${flags.tokenEnv}: the variable is not set`, { variable: flags.tokenEnv });
    auth = tokenAuth(token);
  }
  return new PulsarClient({ serviceUrl: flags.serviceUrl, auth, tls: flags.tlsCa ? { ca: readFileSync(flags.tlsCa) } : undefined });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function properties(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new K2pError('K2P_CFG_INVALID', `--property "${pair}": expected key=value`, { property: pair });
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** Text when the bytes are valid UTF-8, else base64 (and says which). */
function printable(bytes: Buffer): { text: string } | { base64: string } {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { text } : { base64: bytes.toString('base64') };
}

export function messageJson(msg: Message): Record<string, unknown> {
  const payload = printable(msg.payload);
  return {
    messageId: msg.id.toString(),
    topic: msg.topic,
    key: msg.key ?? null,
    properties: msg.properties,
    eventTime: msg.eventTime ?? null,
    publishTime: msg.publishTime,
    nullValue: msg.nullValue,
    ...('text' in payload ? { payload: payload.text } : { payloadBase64: payload.base64 }),
  };
}

const SUBSCRIPTION_TYPES = ['Exclusive', 'Shared', 'Failover', 'Key_Shared'];

export function registerPulsarCommands(program: Command): void {
  const pulsar = program
    .command('pulsar')
    .description("tools on the project's own Pulsar client")
    .option('--service-url <url>', 'Pulsar service URL', process.env.K2P_PULSAR_URL ?? 'pulsar://localhost:6650')
    .option('--token-env <VAR>', 'environment variable holding a JWT token')
    .option('--tls-ca <file>', 'CA certificate (PEM) for pulsar+ssl://');

  pulsar
    .command('produce <topic>')
    .description('send messages; prints one JSON line per message id')
    .requiredOption('-m, --message <text...>', 'message payloads')
    .option('--key <key>', 'partition key')
    .option('--property <k=v>', 'a property (repeatable)', collect, [])
    .option('--partition <n>', 'partition index on a partitioned topic', (v) => Number(v))
    .option('--event-time <ms>', 'event time, ms since the epoch', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  k2p pulsar produce persistent://public/default/orders -m hello -m world --key k1 --property source=cli')
    .action(async (topic: string, opts: { message: string[]; key?: string; property: string[]; partition?: number; eventTime?: number }) => {
      const props = properties(opts.property);
      const client = clientFrom(pulsar.opts<ConnectionFlags>());
      try {
        const producer = await client.createProducer({ topic });
        const ids = await producer.sendBatch(
          opts.message.map((text) => ({ payload: Buffer.from(text), key: opts.key, properties: props, partition: opts.partition, eventTime: opts.eventTime })),
        );
        for (const id of ids) console.log(JSON.stringify({ messageId: id.toString(), partition: id.partition }));
        await producer.close();
      } finally {
        await client.close();
      }
    });

  pulsar
    .command('consume <topic>')
    .description('receive messages on a subscription; prints one JSON line per message and acknowledges it')
    .requiredOption('-s, --subscription <name>', 'subscription name')
    .option('-n, --count <n>', 'stop after n messages (0 = until interrupted)', (v) => Number(v), 1)
    .option('--type <type>', `subscription type: ${SUBSCRIPTION_TYPES.join(' | ')}`, 'Exclusive')
    .option('--from <where>', 'where a new subscription starts: earliest | latest', 'latest')
    .option('--timeout <ms>', 'give up after this long without a message', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  k2p pulsar consume persistent://public/default/orders -s audit -n 10 --from earliest')
    .action(async (topic: string, opts: { subscription: string; count: number; type: string; from: string; timeout?: number }) => {
      if (!SUBSCRIPTION_TYPES.includes(opts.type)) throw new K2pError('K2P_CFG_INVALID', `--type ${opts.type}: expected one of ${SUBSCRIPTION_TYPES.join(', ')}`, { type: opts.type });
      if (opts.from !== 'earliest' && opts.from !== 'latest') throw new K2pError('K2P_CFG_INVALID', `--from ${opts.from}: expected earliest or latest`, { from: opts.from });
      const client = clientFrom(pulsar.opts<ConnectionFlags>());
      try {
        const consumer = await client.subscribe({
          topic,
          subscription: opts.subscription,
          subscriptionType: opts.type as SubscriptionType,
          initialPosition: opts.from === 'earliest' ? 'Earliest' : 'Latest',
        });
        for (let n = 0; opts.count === 0 || n < opts.count; n++) {
          const msg = await consumer.receive(opts.timeout);
          console.log(JSON.stringify(messageJson(msg)));
          consumer.acknowledge(msg);
        }
        await consumer.close();
      } finally {
        await client.close();
      }
    });
}
