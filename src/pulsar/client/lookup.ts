// Topic lookup (which broker owns a topic, following redirects) and partitioned-topic metadata.
import { K2pError } from '../../errors.js';
import type { CommandOf } from '../protocol/index.js';
import type { Connection } from './connection.js';
import type { ConnectionPool } from './connection-pool.js';
import { serverError } from './server-errors.js';
import { parseBrokerUrl, type BrokerAddress } from './service-url.js';

const MAX_REDIRECTS = 20;

export interface LookupResult {
  /** Where to open the socket. */
  physical: BrokerAddress;
  /** The broker that owns the topic. */
  logical: BrokerAddress;
}

export class Lookup {
  constructor(
    private readonly pool: ConnectionPool,
    private readonly serviceAddresses: BrokerAddress[],
  ) {}

  private nextService = 0;

  /** An address of the service URL, rotating through them so a dead one is not retried forever. */
  serviceAddress(): BrokerAddress {
    const address = this.serviceAddresses[this.nextService % this.serviceAddresses.length]!;
    this.nextService++;
    return address;
  }

  serviceConnection(): Promise<Connection> {
    return this.pool.get(this.serviceAddress());
  }

  async topicOwner(topic: string): Promise<LookupResult> {
    const service = this.serviceAddress();
    let target = service;
    let authoritative = false;
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const conn: Connection = await this.pool.get(target);
      const res: CommandOf<'LOOKUP_RESPONSE'> = await conn.request({ type: 'LOOKUP', topic, requestId: conn.newRequestId(), authoritative }, 'LOOKUP_RESPONSE');
      if (res.response === 'Failed') throw serverError(res.error, res.message, { topic, request: 'LOOKUP' });
      const useTls = target.tls;
      const url = useTls ? res.brokerServiceUrlTls : res.brokerServiceUrl;
      if (!url) throw new K2pError('K2P_PLS_LOOKUP', `lookup of ${topic} answered no ${useTls ? 'TLS ' : ''}broker URL`, { topic });
      const broker = parseBrokerUrl(url);
      if (res.response === 'Redirect') {
        authoritative = res.authoritative ?? false;
        target = res.proxyThroughServiceUrl ? service : broker;
        continue;
      }
      return { logical: broker, physical: res.proxyThroughServiceUrl ? service : broker };
    }
    throw new K2pError('K2P_PLS_LOOKUP', `lookup of ${topic}: more than ${MAX_REDIRECTS} redirects`, { topic }, { canRetry: true });
  }

  /** Number of partitions; 0 for a non-partitioned topic. */
  async partitions(topic: string): Promise<number> {
    const conn = await this.serviceConnection();
    const res = await conn.request(
      { type: 'PARTITIONED_METADATA', topic, requestId: conn.newRequestId() },
      'PARTITIONED_METADATA_RESPONSE',
    );
    if (res.response === 'Failed') throw serverError(res.error, res.message, { topic, request: 'PARTITIONED_METADATA' });
    return res.partitions ?? 0;
  }
}
