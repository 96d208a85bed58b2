// The brokers of one Kafka cluster as a fetching client needs them: metadata from any bootstrap broker,
// one connection per broker (opened on first use, opened again after it broke), each partition's leader.
import { K2pError } from '../../errors.js';
import { parseMetadata, writeMetadataRequest, type MetadataResponse } from '../protocol/metadata.js';
import { KafkaConnection, type ConnectionSettings } from './connection.js';

export class KafkaCluster {
  private readonly connections = new Map<string, Promise<KafkaConnection>>();
  private readonly addresses = new Map<number, string>();
  private closed = false;

  constructor(
    private readonly bootstrap: readonly string[],
    private readonly settings: ConnectionSettings,
  ) {}

  /** A live connection to a broker ("host:port"), shared by every caller. */
  connection(broker: string): Promise<KafkaConnection> {
    if (this.closed) return Promise.reject(new K2pError('K2P_KFK_CONNECT', 'the Kafka client is closed', { broker }));
    const existing = this.connections.get(broker);
    if (!existing) return this.reopen(broker);
    // Callers that find the same broken connection share one new one (whoever comes first opens it).
    const again = () => (this.connections.get(broker) === existing ? this.reopen(broker) : this.connection(broker));
    return existing.then((c) => (c.alive ? c : again()), again);
  }

  private reopen(broker: string): Promise<KafkaConnection> {
    const p = KafkaConnection.open(broker, this.settings);
    this.connections.set(broker, p);
    p.catch(() => this.connections.get(broker) === p && this.connections.delete(broker));
    return p;
  }

  /** The connection to a broker by node id (as the last metadata named it). */
  node(nodeId: number): Promise<KafkaConnection> {
    const address = this.addresses.get(nodeId);
    if (!address) return Promise.reject(new K2pError('K2P_KFK_CONNECT', `Kafka broker ${nodeId} is not in the cluster's metadata`, { nodeId }));
    return this.connection(address);
  }

  /** Metadata of some topics, from the first bootstrap broker (or known broker) that answers. */
  async metadata(topics: readonly string[]): Promise<MetadataResponse> {
    const candidates = [...new Set([...this.addresses.values(), ...this.bootstrap])];
    let last: unknown;
    for (const broker of candidates) {
      try {
        const conn = await this.connection(broker);
        const m = await conn.call('metadata', (w, v) => writeMetadataRequest(w, v, topics), parseMetadata);
        for (const b of m.brokers) this.addresses.set(b.nodeId, `${b.host}:${b.port}`);
        return m;
      } catch (err) {
        if (err instanceof K2pError && (err.code === 'K2P_KFK_AUTH' || err.code === 'K2P_KFK_PROTOCOL')) throw err;
        last = err;
      }
    }
    throw last instanceof Error ? last : new K2pError('K2P_KFK_CONNECT', 'no Kafka broker answered', { brokers: candidates });
  }

  close(): void {
    this.closed = true;
    for (const p of this.connections.values()) p.then((c) => c.close(), () => undefined);
    this.connections.clear();
  }
}
