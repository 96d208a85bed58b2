// One TCP (or TLS) connection to one broker, shared by every producer and consumer the client has there.
// It does the CONNECT handshake, answers PINGs and sends its own, matches responses to requests by
// request id (each with a timeout), and routes producer/consumer commands to their handlers.
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { K2pError } from '../../errors.js';
import {
  FrameDecoder,
  PROTOCOL_VERSION_MAX,
  encodeCommand,
  encodePayloadCommandParts,
  type Command,
  type CommandOf,
  type Frame,
  type MessageMetadata,
} from '../protocol/index.js';
import type { Authentication } from './auth.js';
import { serverError } from './server-errors.js';

export interface TlsOptions {
  /** PEM CA certificate(s) that signed the broker's certificate. */
  ca?: string | Buffer;
  /** Default true. Only for tests against self-signed brokers without a CA. */
  rejectUnauthorized?: boolean;
}

export interface ConnectionOptions {
  /** host:port to open a socket to. */
  host: string;
  port: number;
  tls?: TlsOptions;
  /** The broker URL to ask a proxy for (CONNECT.proxy_to_broker_url); unset for direct connections. */
  proxyToBrokerUrl?: string;
  auth?: Authentication;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  keepAliveIntervalMs: number;
  clientVersion: string;
}

/** What a producer hears from its connection. */
export interface ProducerHandler {
  onSendReceipt(cmd: CommandOf<'SEND_RECEIPT'>): void;
  onSendError(cmd: CommandOf<'SEND_ERROR'>): void;
  /** The broker closed the producer (topic unloaded/moved): reconnect. */
  onClosedByBroker(): void;
  /** The connection died: reconnect. */
  onConnectionClosed(err: Error): void;
}

/** What a consumer hears from its connection. */
export interface ConsumerHandler {
  onMessage(cmd: CommandOf<'MESSAGE'>, frame: Frame): void;
  onActiveConsumerChange?(isActive: boolean): void;
  onReachedEndOfTopic?(): void;
  onClosedByBroker(): void;
  onConnectionClosed(err: Error): void;
}

type ResponseType =
  | 'SUCCESS'
  | 'PRODUCER_SUCCESS'
  | 'LOOKUP_RESPONSE'
  | 'PARTITIONED_METADATA_RESPONSE'
  | 'GET_LAST_MESSAGE_ID_RESPONSE'
  | 'GET_SCHEMA_RESPONSE'
  | 'GET_OR_CREATE_SCHEMA_RESPONSE'
  | 'ACK_RESPONSE'
  | 'GET_TOPICS_OF_NAMESPACE_RESPONSE';

interface PendingRequest {
  resolve(cmd: Command): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  what: string;
}

export class Connection {
  readonly address: string;
  /** Largest message the broker accepts (from CONNECTED). */
  maxMessageSize = 5 * 1024 * 1024;
  serverVersion = '';
  protocolVersion = 0;

  private socket: Socket | undefined;
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<bigint, PendingRequest>();
  private readonly producers = new Map<bigint, ProducerHandler>();
  private readonly consumers = new Map<bigint, ConsumerHandler>();
  private nextRequestId = 1n;
  private keepAlive: NodeJS.Timeout | undefined;
  private lastReceivedAt = Date.now();
  private closedWith: Error | undefined;
  private readonly closeListeners: ((err: Error) => void)[] = [];

  constructor(private readonly options: ConnectionOptions) {
    this.address = `${options.host}:${options.port}`;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Opens the socket and completes CONNECT → CONNECTED. */
  async open(): Promise<void> {
    const { host, port, tls } = this.options;
    // SNI carries host names only (RFC 6066); an IP address is still checked against the certificate.
    const servername = isIP(host) ? undefined : host;
    const socket = tls
      ? tlsConnect({ host, port, ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized ?? true, servername })
      : tcpConnect({ host, port });
    socket.setNoDelay(true);
    this.socket = socket;
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new K2pError('K2P_PLS_CONNECT', `no CONNECTED from ${this.address} within ${this.options.connectTimeoutMs} ms`, { address: this.address }));
        socket.destroy();
      }, this.options.connectTimeoutMs);
      this.handshake = { resolve: () => (clearTimeout(timer), resolve()), reject: (e) => (clearTimeout(timer), reject(e)) };
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      void this.sendConnect().catch((err: Error) => this.handshake?.reject(err));
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.shutdown(new K2pError('K2P_PLS_DISCONNECTED', `${this.address}: ${err.message}`, { address: this.address }, { cause: err })));
    socket.on('close', () => this.shutdown(new K2pError('K2P_PLS_DISCONNECTED', `${this.address}: connection closed`, { address: this.address })));
    await connected;
    this.handshake = undefined;
    this.startKeepAlive();
  }

  private handshake: { resolve(): void; reject(err: Error): void } | undefined;

  private async sendConnect(): Promise<void> {
    const auth = this.options.auth;
    const cmd: CommandOf<'CONNECT'> = {
      type: 'CONNECT',
      clientVersion: this.options.clientVersion,
      protocolVersion: PROTOCOL_VERSION_MAX,
      featureFlags: { supportsAuthRefresh: true, supportsBrokerEntryMetadata: false, supportsPartialProducer: false },
    };
    if (auth) {
      cmd.authMethodName = auth.methodName;
      cmd.authData = await auth.authData();
    }
    if (this.options.proxyToBrokerUrl) cmd.proxyToBrokerUrl = this.options.proxyToBrokerUrl;
    this.write(encodeCommand(cmd));
  }

  private startKeepAlive(): void {
    const interval = this.options.keepAliveIntervalMs;
    this.keepAlive = setInterval(() => {
      if (Date.now() - this.lastReceivedAt > 2 * interval) {
        this.shutdown(new K2pError('K2P_PLS_DISCONNECTED', `${this.address}: no answer to keep-alive pings for ${2 * interval} ms`, { address: this.address }));
        return;
      }
      this.send({ type: 'PING' });
    }, interval);
    this.keepAlive.unref();
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedAt = Date.now();
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      // A corrupt stream cannot be resynchronised: drop the connection, everyone reconnects.
      this.shutdown(err as Error);
      return;
    }
    for (const frame of frames) this.dispatch(frame);
  }

  private dispatch(frame: Frame): void {
    const cmd = frame.command;
    switch (cmd.type) {
      case 'CONNECTED':
        this.serverVersion = cmd.serverVersion;
        this.protocolVersion = cmd.protocolVersion ?? 0;
        if (cmd.maxMessageSize) {
          this.maxMessageSize = cmd.maxMessageSize;
          this.decoder.setMaxMessageSize(cmd.maxMessageSize);
        }
        this.handshake?.resolve();
        return;
      case 'PING':
        this.send({ type: 'PONG' });
        return;
      case 'PONG':
        return;
      case 'AUTH_CHALLENGE':
        void this.answerAuthChallenge();
        return;
      case 'MESSAGE':
        this.consumers.get(cmd.consumerId)?.onMessage(cmd, frame);
        return;
      case 'SEND_RECEIPT':
        this.producers.get(cmd.producerId)?.onSendReceipt(cmd);
        return;
      case 'SEND_ERROR':
        this.producers.get(cmd.producerId)?.onSendError(cmd);
        return;
      case 'CLOSE_PRODUCER':
        this.producers.get(cmd.producerId)?.onClosedByBroker();
        return;
      case 'CLOSE_CONSUMER':
        this.consumers.get(cmd.consumerId)?.onClosedByBroker();
        return;
      case 'ACTIVE_CONSUMER_CHANGE':
        this.consumers.get(cmd.consumerId)?.onActiveConsumerChange?.(cmd.isActive ?? false);
        return;
      case 'REACHED_END_OF_TOPIC':
        this.consumers.get(cmd.consumerId)?.onReachedEndOfTopic?.();
        return;
      case 'ERROR': {
        if (this.handshake) {
          // The handshake failed (e.g. AuthenticationError): nobody will own this socket, close it.
          this.shutdown(serverError(cmd.error, cmd.message, { address: this.address }));
          return;
        }
        const p = this.takePending(cmd.requestId);
        p?.reject(serverError(cmd.error, cmd.message, { request: p.what, address: this.address }));
        return;
      }
      case 'PRODUCER_SUCCESS':
        // producer_ready=false: the broker queued us behind an exclusive producer; a second success follows.
        if (cmd.producerReady === false) return;
        this.takePending(cmd.requestId)?.resolve(cmd);
        return;
      case 'SUCCESS':
      case 'LOOKUP_RESPONSE':
      case 'PARTITIONED_METADATA_RESPONSE':
      case 'GET_LAST_MESSAGE_ID_RESPONSE':
      case 'GET_SCHEMA_RESPONSE':
      case 'GET_OR_CREATE_SCHEMA_RESPONSE':
      case 'ACK_RESPONSE':
      case 'GET_TOPICS_OF_NAMESPACE_RESPONSE':
        this.takePending(cmd.requestId)?.resolve(cmd);
        return;
      default:
        // TOPIC_MIGRATED and commands we do not use: nothing waits on them.
        return;
    }
  }

  private async answerAuthChallenge(): Promise<void> {
    const auth = this.options.auth;
    if (!auth) return;
    try {
      this.send({
        type: 'AUTH_RESPONSE',
        protocolVersion: PROTOCOL_VERSION_MAX,
        clientVersion: this.options.clientVersion,
        response: { authMethodName: auth.methodName, authData: await auth.authData() },
      });
    } catch (err) {
      this.shutdown(err as Error);
    }
  }

  private takePending(requestId: bigint | undefined): PendingRequest | undefined {
    if (requestId === undefined) return undefined;
    const p = this.pending.get(requestId);
    if (!p) return undefined;
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    return p;
  }

  newRequestId(): bigint {
    return this.nextRequestId++;
  }

  /**
   * Sends a command that carries `requestId` and resolves with the matching response. The response type is
   * checked: an unexpected answer is a decode error, a broker ERROR a K2P_PLS_SERVER error.
   */
  request<T extends ResponseType>(cmd: Command & { requestId: bigint }, expect: T, timeoutMs = this.options.operationTimeoutMs): Promise<CommandOf<T>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const what = `${cmd.type} on ${this.address}`;
    return new Promise<CommandOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cmd.requestId);
        reject(new K2pError('K2P_PLS_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`, { request: cmd.type, address: this.address }));
      }, timeoutMs);
      this.pending.set(cmd.requestId, {
        what,
        timer,
        reject,
        resolve: (answer) => {
          if (answer.type !== expect) {
            reject(new K2pError('K2P_PLS_DECODE', `${what}: expected ${expect}, got ${answer.type}`, { request: cmd.type }));
          } else {
            resolve(answer as CommandOf<T>);
          }
        },
      });
      this.write(encodeCommand(cmd));
    });
  }

  /** Sends a command nobody answers (FLOW, ACK, PONG...). */
  send(cmd: Command): void {
    if (!this.closedWith) this.write(encodeCommand(cmd));
  }

  /** Sends a SEND frame: header and payload go out as two writes, the payload is never copied. */
  sendPayload(cmd: CommandOf<'SEND'>, metadata: MessageMetadata, payload: Uint8Array): boolean {
    if (this.closedWith || !this.socket) return false;
    const [head, body] = encodePayloadCommandParts(cmd, metadata, payload);
    this.socket.cork();
    this.socket.write(head);
    const flowing = this.socket.write(body);
    process.nextTick(() => this.socket?.uncork());
    return flowing;
  }

  private write(buf: Buffer): void {
    this.socket?.write(buf);
  }

  registerProducer(id: bigint, handler: ProducerHandler): void {
    this.producers.set(id, handler);
  }

  unregisterProducer(id: bigint): void {
    this.producers.delete(id);
  }

  registerConsumer(id: bigint, handler: ConsumerHandler): void {
    this.consumers.set(id, handler);
  }

  unregisterConsumer(id: bigint): void {
    this.consumers.delete(id);
  }

  onClose(listener: (err: Error) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /** Closes the socket; every pending request fails and every producer and consumer is told. */
  close(): void {
    this.shutdown(new K2pError('K2P_PLS_CLOSED', `connection to ${this.address} closed by the client`, { address: this.address }));
  }

  private shutdown(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    clearInterval(this.keepAlive);
    this.handshake?.reject(err);
    this.socket?.destroy();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
    for (const h of [...this.producers.values()]) h.onConnectionClosed(err);
    for (const h of [...this.consumers.values()]) h.onConnectionClosed(err);
    this.producers.clear();
    this.consumers.clear();
    for (const l of this.closeListeners.splice(0)) l(err);
  }
}
