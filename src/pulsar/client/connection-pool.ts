// One live connection per broker address, shared by all producers and consumers; a dead one is replaced
// on the next request for it.
import { Connection, type ConnectionOptions } from './connection.js';
import type { BrokerAddress } from './service-url.js';

export type PoolOptions = Omit<ConnectionOptions, 'host' | 'port' | 'tls' | 'proxyToBrokerUrl'> & {
  tls?: ConnectionOptions['tls'];
};

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<Connection>>();
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  /**
   * A connection to `physical`; when it differs from `logical` (a proxy), CONNECT asks the proxy to
   * forward to `logical`.
   */
  get(physical: BrokerAddress, logical: BrokerAddress = physical): Promise<Connection> {
    const key = `${physical.url}|${logical.url}`;
    const existing = this.connections.get(key);
    if (existing) return existing;
    const opening = this.open(physical, logical);
    this.connections.set(key, opening);
    opening.then(
      (conn) => conn.onClose(() => this.connections.get(key) === opening && this.connections.delete(key)),
      () => this.connections.get(key) === opening && this.connections.delete(key),
    );
    return opening;
  }

  private async open(physical: BrokerAddress, logical: BrokerAddress): Promise<Connection> {
    if (this.closed) throw new Error('the client is closed');
    const conn = new Connection({
      ...this.options,
      host: physical.host,
      port: physical.port,
      tls: physical.tls ? (this.options.tls ?? {}) : undefined,
      proxyToBrokerUrl: physical.url === logical.url ? undefined : logical.url,
    });
    await conn.open();
    return conn;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    for (const result of await Promise.allSettled(all)) {
      if (result.status === 'fulfilled') result.value.close();
    }
  }
}
