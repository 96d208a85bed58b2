// `k2p facade -c <files> [--port 8082] [--host 127.0.0.1] [--producer-lanes 1] [--kafka-producer wire]`: the REST
// Proxy facade alone (until `k2p serve`).
// Auth from the environment (docs/facade.md): K2P_FACADE_AUTH=basic|bearer with K2P_FACADE_USERS or
// K2P_FACADE_TOKENS; TLS from K2P_FACADE_TLS_KEY / K2P_FACADE_TLS_CERT (PEM file paths).
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { authFromEnv } from '../facade/http/auth.js';
import type { KafkaProducerKind } from '../facade/kafka/kafka-side.js';
import { startFacade } from '../facade/start.js';
import { cliLogger } from './logger.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerFacadeCommand(program: Command): void {
  program
    .command('facade')
    .description('serve the Confluent REST Proxy API (v2, v3 produce), each topic routed to Kafka, Pulsar or both')
    .requiredOption('-c, --config <file>', 'connector / mapping file or folder (repeatable)', collect, [])
    .option('--port <port>', 'port to listen on', '8082')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--producer-lanes <n>', 'Kafka producers of routes kafka and dual, partition p written by lane p % n (docs/facade.md)', '1')
    .addOption(new Option('--kafka-producer <kind>', "the Kafka producer of routes kafka and dual: the gateway's own (wire) or kafkajs's").choices(['wire', 'kafkajs']).default('wire'))
    .addHelpText('after', '\nExample:\n  k2p facade -c connectors/local.yaml -c mappings/examples/shop.yaml --port 8082')
    .action(async (opts: { config: string[]; port: string; host: string; producerLanes: string; kafkaProducer: KafkaProducerKind }) => {
      const config = loadConfig(opts.config);
      const log = cliLogger(config);
      const keyFile = process.env.K2P_FACADE_TLS_KEY;
      const certFile = process.env.K2P_FACADE_TLS_CERT;
      const tls = keyFile && certFile ? { key: readFileSync(keyFile), cert: readFileSync(certFile) } : undefined;
      const facade = await startFacade(config, { port: Number(opts.port), host: opts.host, producerLanes: Number(opts.producerLanes), kafkaProducer: opts.kafkaProducer, auth: authFromEnv(), tls, logger: log });
      log.info({ url: facade.url }, 'facade listening');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await facade.close();
    });
}
