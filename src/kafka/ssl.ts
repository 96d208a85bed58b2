// A connector's ssl setting as Node's TLS options: kept apart from client.ts so that code without kafkajs
// (our fetch client in verify's worker thread) does not load kafkajs to read it.
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConnector } from './client.js';

/** The connector's ssl as Node's TLS options (true: TLS with the system's CAs). */
export function sslOptions(ssl: KafkaConnector['ssl']): boolean | ConnectionOptions | undefined {
  if (ssl === undefined || typeof ssl === 'boolean') return ssl;
  const out: ConnectionOptions = {};
  if (ssl.ca !== undefined) out.ca = ssl.ca;
  if (ssl.cert !== undefined) out.cert = ssl.cert;
  if (ssl.key !== undefined) out.key = ssl.key;
  if (ssl.rejectUnauthorized !== undefined) out.rejectUnauthorized = ssl.rejectUnauthorized;
  return out;
}

