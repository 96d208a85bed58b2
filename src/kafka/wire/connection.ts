// One connection to one Kafka broker: plain TCP or TLS, requests pipelined by correlation id, each with a
// deadline. On open: ApiVersions (which versions to speak), then SASL when the connector has it.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { K2pError } from '../../errors.js';
import { TLS_CERTIFICATE_ERRORS } from '../errors.js';
import { API, type ApiName } from '../protocol/api-keys.js';
import { commonVersion, parseApiVersions } from '../protocol/api-versions.js';
import { encodeRequest, FrameSplitter } from '../protocol/frame.js';
import { WireReader, type WireWriter } from '../protocol/wire.js';
import { authenticate, type SaslSettings } from './sasl-auth.js';

export interface ConnectionSettings {
  clientId: string;
  /** TLS when set (true: the system's CAs). */
  tls?: ConnectionOptions | true;
  sasl?: SaslSettings;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

interface Pending {
  resolve(body: WireReader): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

function connectError(broker: string, message: string, cause?: unknown): K2pError {
  return new K2pError('K2P_KFK_CONNECT', `Kafka broker ${broker}: ${message}`, { broker }, cause ? { cause } : undefined);
}

export class KafkaConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new FrameSplitter();
  private correlation = 0;
  private failure: Error | undefined;
  private readonly versions = new Map<ApiName, number>();

  private constructor(
    readonly broker: string,
    private readonly socket: Socket,
    private readonly settings: ConnectionSettings,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(connectError(broker, err.message, err)));
    socket.on('close', () => this.fail(connectError(broker, 'the connection closed')));
  }

  static async open(broker: string, settings: ConnectionSettings): Promise<KafkaConnection> {
    const at = broker.lastIndexOf(':');
    const host = broker.slice(0, at);
    const port = Number(broker.slice(at + 1));
    const timeout = settings.connectTimeoutMs ?? 10_000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const tls = settings.tls;
      const s = tls
        ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(tls === true ? {} : tls) })
        : netConnect({ host, port });
      const timer = setTimeout(() => (s.destroy(), reject(connectError(broker, `no connection in ${timeout} ms`))), timeout);
      s.once(tls ? 'secureConnect' : 'connect', () => (clearTimeout(timer), resolve(s)));
      s.once('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        s.destroy();
        if (err.code && TLS_CERTIFICATE_ERRORS.has(err.code))
          reject(new K2pError('K2P_KFK_TLS', `the TLS certificate of Kafka broker ${broker} is not trusted: ${err.message} (check the connector's ssl.ca)`, { broker, tlsError: err.code }));
        else reject(connectError(broker, err.message, err));
      });
    });
    socket.setNoDelay(true);
    const conn = new KafkaConnection(broker, socket, settings);
    try {
      await conn.negotiate();
      if (settings.sasl) await authenticate(conn, settings.sasl);
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  private async negotiate(): Promise<void> {
    const r = await this.send(API.apiVersions.key, 0, () => undefined);
    const { errorCode, versions } = parseApiVersions(r);
    if (errorCode !== 0) throw connectError(this.broker, `ApiVersions failed with error ${errorCode}`);
    for (const name of Object.keys(API) as ApiName[]) {
      const v = commonVersion(API[name], versions.get(API[name].key));
      if (v !== undefined) this.versions.set(name, v);
    }
  }

  /** The version of an API both sides speak; throws K2P_KFK_PROTOCOL when there is none. */
  version(api: ApiName): number {
    const v = this.versions.get(api);
    if (v === undefined)
      throw new K2pError('K2P_KFK_PROTOCOL', `Kafka broker ${this.broker} speaks no version ${API[api].min}-${API[api].max} of ${api}`, { broker: this.broker, api });
    return v;
  }

  /** Sends one request and resolves with its response body. */
  send(apiKey: number, version: number, body: (w: WireWriter) => void): Promise<WireReader> {
    if (this.failure) return Promise.reject(this.failure);
    const id = (this.correlation = (this.correlation + 1) & 0x7fffffff);
    const frame = encodeRequest(apiKey, version, id, this.settings.clientId, body);
    const timeout = this.settings.requestTimeoutMs ?? 30_000;
    return new Promise<WireReader>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new K2pError('K2P_KFK_CONNECT', `Kafka broker ${this.broker}: no answer to request ${apiKey} in ${timeout} ms`, { broker: this.broker, apiKey }));
        this.close(); // a late answer would come out of step with the requests after it
      }, timeout);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  /** Sends a request of a named API at the negotiated version and parses its response. */
  async call<T>(api: ApiName, body: (w: WireWriter, version: number) => void, parse: (r: WireReader, version: number) => T): Promise<T> {
    const v = this.version(api);
    const r = await this.send(API[api].key, v, (w) => body(w, v));
    return parse(r, v);
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const frame of frames) {
      const id = frame.readInt32BE(0);
      const p = this.pending.get(id);
      if (!p) continue; // timed out already
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(new WireReader(frame, 4));
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
    this.pending.clear();
    this.socket.destroy();
  }

  close(): void {
    this.fail(connectError(this.broker, 'the connection was closed'));
  }
}
