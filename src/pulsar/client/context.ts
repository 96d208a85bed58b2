// What producers and consumers need from the client that created them.
import type { ConnectionPool } from './connection-pool.js';
import type { Connection } from './connection.js';
import type { Lookup } from './lookup.js';

/** A minimal logger (pino fits); the client never logs payloads or credentials. */
export interface ClientLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ClientLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ClientContext {
  readonly lookup: Lookup;
  readonly pool: ConnectionPool;
  readonly log: ClientLogger;
  readonly operationTimeoutMs: number;
  nextProducerId(): bigint;
  nextConsumerId(): bigint;
  /** The connection to the broker that owns `topic` (looked up every time: ownership moves). */
  connectionFor(topic: string): Promise<Connection>;
  /** Producers and consumers register so that client.close() closes them. */
  track(resource: { close(): Promise<void> }): () => void;
}
