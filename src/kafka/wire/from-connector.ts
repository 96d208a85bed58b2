// A connector's TLS and SASL as this client's connection settings (the same ones kafkaClient gives kafkajs).
import type { KafkaConnector } from '../client.js';
import { sslOptions } from '../ssl.js';
import type { ConnectionSettings } from './connection.js';

/** A connector as the config files hold it (frozen: brokers read-only) or as kafkaClient takes it. */
export type ReadonlyKafkaConnector = Omit<KafkaConnector, 'brokers'> & { readonly brokers: readonly string[] };

export function connectionSettings(connector: ReadonlyKafkaConnector): ConnectionSettings {
  const settings: ConnectionSettings = {
    clientId: connector.clientId ?? `k2p-${connector.name}`,
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
  };
  const ssl = sslOptions(connector.ssl);
  if (ssl) settings.tls = ssl;
  if (connector.sasl) settings.sasl = { ...connector.sasl };
  return settings;
}
