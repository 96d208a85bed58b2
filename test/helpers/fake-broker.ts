// A scripted stand-in for the broker end of a Pulsar connection, for layer-2 tests (connection logic:
// handshake, keep-alive, timeouts, partial frames, reconnects). It is an in-process `net` server on
// 127.0.0.1 that decodes the client's frames with our FrameDecoder and answers what the test scripts.
// It is not a Pulsar mock: it stores nothing and knows no semantics beyond a few default answers.
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FrameDecoder,
  encodeCommand,
  type Command,
  type CommandOf,
  type CommandType,
  type Frame,
} from '../../src/pulsar/protocol/index.js';

/** Answers a command; `undefined` handler = stay silent. */
export type Handler<T extends CommandType> = (cmd: CommandOf<T>, conn: FakeConnection, frame: Frame) => void;

export interface WriteOptions {
  /**
   * How to cut the bytes into separate socket writes: a chunk size (1 = byte by byte) or explicit chunk
   * lengths (the rest goes out as one last chunk). Default: one write.
   */
  split?: number | number[];
  /** Pause between two chunks so that they arrive as separate TCP reads. Default 2 ms when split. */
  gapMs?: number;
  /** Wait this long before the first byte. */
  delayMs?: number;
}

/** The server side of one client connection. */
export class FakeConnection {
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Set when the socket closed (either side). */
  closed = false;
  readonly closedPromise: Promise<void>;
  private readonly decoder = new FrameDecoder();
  private waiters: { match(f: Frame): boolean; resolve(f: Frame): void }[] = [];

  constructor(
    readonly socket: Socket,
    private readonly broker: FakeBroker,
  ) {
    socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        resolve();
      }),
    );
    socket.on('error', () => {}); // resets are part of the scripts
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        broker.errors.push(err as Error);
        socket.destroy();
        return;
      }
      for (const frame of frames) this.receive(frame);
    });
  }

  /** Commands received so far (optionally of one type). */
  commands<T extends CommandType>(type?: T): CommandOf<T>[] {
    return this.frames
      .map((f) => f.command)
      .filter((c) => type === undefined || c.type === type) as CommandOf<T>[];
  }

  private receive(frame: Frame): void {
    this.frames.push(frame);
    for (const w of [...this.waiters]) {
      if (w.match(frame)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
    if (this.closed || this.broker.silent) return;
    const handler = this.broker.handlerFor(frame.command.type as CommandType);
    if (handler) (handler as Handler<CommandType>)(frame.command as Command, this, frame);
  }

  /**
   * The `nth` (default 1st) frame of this connection whose command is `type` and matches `where`, counting
   * frames already received; waits for it if it has not arrived yet.
   */
  async waitFor<T extends CommandType>(
    type: T,
    opts: { where?: (cmd: CommandOf<T>) => boolean; nth?: number; timeoutMs?: number } = {},
  ): Promise<{ cmd: CommandOf<T>; frame: Frame }> {
    const matches = (f: Frame) =>
      f.command.type === type && (!opts.where || opts.where(f.command as CommandOf<T>));
    const nth = opts.nth ?? 1;
    const seen = this.frames.filter(matches);
    if (seen.length >= nth) {
      const frame = seen[nth - 1]!;
      return { cmd: frame.command as CommandOf<T>, frame };
    }
    let remaining = nth - seen.length;
    const timeoutMs = opts.timeoutMs ?? 2000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `fake broker: no ${type} #${nth} within ${timeoutMs} ms (got ${this.frames.map((f) => f.command.type).join(', ')})`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        match: (f: Frame) => matches(f) && --remaining === 0,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve({ cmd: f.command as CommandOf<T>, frame: f });
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends one command (see WriteOptions for splitting and delays). */
  send(cmd: Command, opts: WriteOptions = {}): Promise<void> {
    return this.write(encodeCommand(cmd), opts);
  }

  /** Sends several commands as one buffer (by default in one write: many frames in one chunk). */
  sendAll(cmds: Command[], opts: WriteOptions = {}): Promise<void> {
    return this.write(Buffer.concat(cmds.map((c) => encodeCommand(c))), opts);
  }

  /** Writes raw bytes, optionally cut into chunks with gaps between them. */
  async write(bytes: Buffer, opts: WriteOptions = {}): Promise<void> {
    if (opts.delayMs) await sleep(opts.delayMs);
    const chunks: Buffer[] = [];
    if (opts.split === undefined) {
      chunks.push(bytes);
    } else if (typeof opts.split === 'number') {
      for (let at = 0; at < bytes.length; at += opts.split) chunks.push(bytes.subarray(at, at + opts.split));
    } else {
      let at = 0;
      for (const n of opts.split) {
        chunks.push(bytes.subarray(at, at + n));
        at += n;
      }
      if (at < bytes.length) chunks.push(bytes.subarray(at));
    }
    const gap = opts.gapMs ?? (chunks.length > 1 ? 2 : 0);
    for (let i = 0; i < chunks.length; i++) {
      if (this.closed || this.socket.destroyed) return;
      if (i > 0 && gap > 0) await sleep(gap);
      this.socket.write(chunks[i]!);
    }
  }

  /** Drops the connection abruptly (RST when possible). */
  drop(): Promise<void> {
    if (typeof this.socket.resetAndDestroy === 'function') this.socket.resetAndDestroy();
    else this.socket.destroy();
    return this.closedPromise;
  }

  /** Closes the connection politely (FIN). */
  end(): Promise<void> {
    this.socket.end();
    return this.closedPromise;
  }
}

/** Producer names the default PRODUCER handler hands out, in order. */
export const FAKE_PRODUCER_NAME = 'fake-producer';

export class FakeBroker {
  readonly connections: FakeConnection[] = [];
  /** Frame errors the fake hit decoding the client's bytes (a test should expect none). */
  readonly errors: Error[] = [];
  /** When true, nothing is answered at all (handlers are skipped). */
  silent = false;
  private readonly handlers = new Map<CommandType, Handler<CommandType> | undefined>();
  private connectionWaiters: ((c: FakeConnection) => void)[] = [];
  private producerNames = 0;

  private constructor(private readonly server: Server) {
    this.setDefaults();
  }

  /** Starts listening on 127.0.0.1, port 0. */
  static async start(): Promise<FakeBroker> {
    const server = createServer();
    const broker = new FakeBroker(server);
    server.on('connection', (socket) => {
      const conn = new FakeConnection(socket, broker);
      broker.connections.push(conn);
      for (const w of broker.connectionWaiters.splice(0)) w(conn);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return broker;
  }

  get port(): number {
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('fake broker is not listening');
    return address.port;
  }

  get serviceUrl(): string {
    return `pulsar://127.0.0.1:${this.port}`;
  }

  /** The n-th connection (1-based), waiting for it if it has not arrived yet. */
  connection(n = 1, timeoutMs = 2000): Promise<FakeConnection> {
    const have = this.connections[n - 1];
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fake broker: no connection #${n} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        const c = this.connections[n - 1];
        if (c) {
          clearTimeout(timer);
          resolve(c);
        } else {
          this.connectionWaiters.push(check);
        }
      };
      this.connectionWaiters.push(check);
    });
  }

  /** Scripts the answer to one command type; `undefined` makes the broker ignore it. */
  on<T extends CommandType>(type: T, handler: Handler<T> | undefined): this {
    this.handlers.set(type, handler as Handler<CommandType> | undefined);
    return this;
  }

  handlerFor(type: CommandType): Handler<CommandType> | undefined {
    return this.handlers.get(type);
  }

  /**
   * Default answers: CONNECT → CONNECTED, PING → PONG, topics are not partitioned and owned by this
   * broker, PRODUCER → PRODUCER_SUCCESS (name fake-producer-N unless given), CLOSE_* → SUCCESS.
   */
  setDefaults(): void {
    this.handlers.clear();
    this.on(
      'CONNECT',
      (_cmd, conn) =>
        void conn.send({ type: 'CONNECTED', serverVersion: 'fake-broker', protocolVersion: 21 }),
    );
    this.on('PING', (_cmd, conn) => void conn.send({ type: 'PONG' }));
    this.on(
      'PARTITIONED_METADATA',
      (cmd, conn) =>
        void conn.send({
          type: 'PARTITIONED_METADATA_RESPONSE',
          requestId: cmd.requestId,
          partitions: 0,
          response: 'Success',
        }),
    );
    this.on(
      'LOOKUP',
      (cmd, conn) =>
        void conn.send({
          type: 'LOOKUP_RESPONSE',
          requestId: cmd.requestId,
          response: 'Connect',
          brokerServiceUrl: this.serviceUrl,
          authoritative: true,
        }),
    );
    this.on(
      'PRODUCER',
      (cmd, conn) =>
        void conn.send({
          type: 'PRODUCER_SUCCESS',
          requestId: cmd.requestId,
          producerName: cmd.producerName || `${FAKE_PRODUCER_NAME}-${this.producerNames++}`,
          lastSequenceId: -1n,
        }),
    );
    this.on('CLOSE_PRODUCER', (cmd, conn) => void conn.send({ type: 'SUCCESS', requestId: cmd.requestId }));
    this.on('CLOSE_CONSUMER', (cmd, conn) => void conn.send({ type: 'SUCCESS', requestId: cmd.requestId }));
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
