// One kafkajs `Kafka` per connector: TLS and SASL from the connector, logs into our logger with the
// connector's secrets scrubbed, retry settings for a process that runs for days, and every compression
// codec Kafka may use registered.
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { K2pError } from '../errors.js';
import { registerKafkaCodecs } from './codecs/index.js';
import { TLS_CERTIFICATE_ERRORS } from './errors.js';
import { sslOptions } from './ssl.js';
import { kafkajsLogCreator, type KafkaLogger } from './logger.js';

export interface KafkaConnector {
  /** The connector's name in the connector files; named in logs and errors. */
  name: string;
  brokers: string[];
  clientId?: string;
  ssl?: boolean | { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export interface KafkaClientOptions {
  /** kafkajs log level routed to the logger (default INFO; DEBUG logs every request). */
  level?: logLevel;
}

/**
 * Retries for a long-running mirror: exponential backoff from 300 ms up to 30 s between attempts, 12
 * attempts (several minutes) before a call gives up and the caller's own recovery takes over — long enough
 * to ride out a broker restart or a leader election.
 */
export const MIRROR_RETRY = Object.freeze({ initialRetryTime: 300, maxRetryTime: 30_000, factor: 0.2, multiplier: 2, retries: 12 });

function saslOptions(sasl: NonNullable<KafkaConnector['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/** The secrets of a connector: never written to a log line. */
export function connectorSecrets(connector: KafkaConnector): string[] {
  const secrets: string[] = [];
  if (connector.sasl?.password) secrets.push(connector.sasl.password);
  if (typeof connector.ssl === 'object' && connector.ssl.key) secrets.push(connector.ssl.key);
  return secrets;
}

export function kafkaClient(connector: KafkaConnector, logger?: KafkaLogger, options: KafkaClientOptions = {}): Kafka {
  registerKafkaCodecs();
  const config: KafkaConfig = {
    clientId: connector.clientId ?? `k2p-${connector.name}`,
    brokers: [...connector.brokers],
    connectionTimeout: 10_000,
    authenticationTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { ...MIRROR_RETRY },
    logLevel: logger ? (options.level ?? logLevel.INFO) : logLevel.NOTHING,
  };
  const ssl = sslOptions(connector.ssl);
  if (ssl !== undefined) config.ssl = ssl;
  if (connector.sasl) config.sasl = saslOptions(connector.sasl);
  if (logger) config.logCreator = kafkajsLogCreator(logger, connectorSecrets(connector), { connector: connector.name });
  return new Kafka(config);
}

/**
 * Fails fast when a broker's TLS certificate is not trusted with the connector's settings: kafkajs treats
 * that as a connection error and retries it for minutes. Handshakes with each bootstrap broker (as kafkajs
 * would: same CA, client certificate, SNI) and throws K2P_KFK_TLS naming the connector on a certificate
 * error. Anything else (refused, timeout, a plaintext port) is left to kafkajs and its retries.
 */
export async function checkKafkaTls(
  connector: Pick<KafkaConnector, 'name' | 'ssl'> & { readonly brokers: readonly string[] },
  timeoutMs = 10_000,
): Promise<void> {
  const ssl = sslOptions(connector.ssl);
  if (!ssl) return;
  const options: ConnectionOptions = ssl === true ? {} : ssl;
  for (const broker of connector.brokers) {
    const at = broker.lastIndexOf(':');
    const host = broker.slice(0, at);
    const port = Number(broker.slice(at + 1));
    const failure = await new Promise<(Error & { code?: string }) | undefined>((resolve) => {
      const socket = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...options }, () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.setTimeout(timeoutMs, () => (socket.destroy(), resolve(undefined)));
      socket.once('error', (err) => (socket.destroy(), resolve(err)));
    });
    if (failure?.code && TLS_CERTIFICATE_ERRORS.has(failure.code)) {
      throw new K2pError(
        'K2P_KFK_TLS',
        `${connector.name}: the TLS certificate of Kafka broker ${broker} is not trusted: ${failure.message} (check the connector's ssl.ca)`,
        { connector: connector.name, broker, tlsError: failure.code },
      );
    }
  }
}
