// The local single Kafka broker seen as two: two in-process proxies to it, each answering Metadata as if
// there were two brokers (node 1 behind the first proxy, node 2 behind the second) and node 2 led the odd
// partitions. A client then fetches even partitions through one proxy and odd ones through the other, while
// the real broker serves all. Each proxy counts the Fetch requests it forwarded, per partition, and can hold
// every Fetch response back for a while (a broker slower than a client's patience).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FrameSplitter } from '../../src/kafka/protocol/frame.js';
import { WireReader, WireWriter } from '../../src/kafka/protocol/wire.js';

const METADATA = 3;
const FETCH = 1;

export interface TwoBrokers {
  bootstrap: string;
  /** Partitions each node was asked for in Fetch requests (node id → partitions). */
  fetched: Map<number, Set<number>>;
  close(): void;
}

/** Metadata response `version` with the brokers replaced and odd partitions led by node 2. */
function rewriteMetadata(body: Buffer, version: number, ports: [number, number]): Buffer {
  const r = new WireReader(body);
  const w = new WireWriter();
  w.int32(r.int32()); // correlation id
  w.int32(r.int32()); // throttle
  r.array((r) => [r.int32(), r.string(), r.int32(), r.nullableString()]); // the real brokers, dropped
  w.array([1, 2], (w, node) => w.int32(node).string('127.0.0.1').int32(ports[node - 1]!).string(null));
  w.string(r.nullableString());
  w.int32(r.int32());
  const topics = r.int32();
  w.int32(topics);
  for (let t = 0; t < topics; t++) {
    w.int16(r.int16()).string(r.string()).int8(r.int8());
    const partitions = r.int32();
    w.int32(partitions);
    for (let p = 0; p < partitions; p++) {
      const error = r.int16();
      const index = r.int32();
      r.int32(); // leader
      const node = index % 2 === 0 ? 1 : 2;
      w.int16(error).int32(index).int32(node);
      if (version >= 7) w.int32(r.int32());
      const lists = version >= 5 ? 3 : 2;
      for (let l = 0; l < lists; l++) {
        r.array((r) => r.int32());
        w.array(l < 2 ? [node] : [], (w, n) => w.int32(n));
      }
    }
    if (version >= 8) w.int32(r.int32());
  }
  if (version >= 8) w.int32(r.int32());
  return framed(w.done());
}

/** The partitions of a Fetch request (v4+: one topic, as our client sends it). */
function fetchPartitions(body: Buffer, version: number): number[] {
  const r = new WireReader(body, 8);
  r.string(); // client id
  r.int32();
  r.int32();
  r.int32();
  r.int32();
  r.int8();
  if (version >= 7) {
    r.int32();
    r.int32();
  }
  const out: number[] = [];
  const topics = r.int32();
  for (let t = 0; t < topics; t++) {
    r.string();
    const n = r.int32();
    for (let i = 0; i < n; i++) {
      out.push(r.int32());
      if (version >= 9) r.int32();
      r.int64();
      if (version >= 5) r.int64();
      r.int32();
    }
  }
  return out;
}

function framed(body: Buffer): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

export interface TwoBrokersOptions {
  /** Each Fetch response reaches the client this much later (other responses are not held). */
  fetchDelayMs?: number;
}

export async function twoBrokers(target: string, options: TwoBrokersOptions = {}): Promise<TwoBrokers> {
  const at = target.lastIndexOf(':');
  const host = target.slice(0, at);
  const port = Number(target.slice(at + 1));
  const fetched = new Map<number, Set<number>>([
    [1, new Set()],
    [2, new Set()],
  ]);
  const sockets: Socket[] = [];
  const ports: [number, number] = [0, 0];
  const proxy = (node: number): Server =>
    createServer((client) => {
      const upstream = connect({ host, port });
      sockets.push(client, upstream);
      const metadataVersions = new Map<number, number>();
      const fetches = new Set<number>(); // correlation ids of Fetch requests in flight
      const fromClient = new FrameSplitter();
      const fromBroker = new FrameSplitter();
      client.on('data', (chunk: Buffer) => {
        for (const body of fromClient.push(chunk)) {
          const apiKey = body.readInt16BE(0);
          const version = body.readInt16BE(2);
          if (apiKey === METADATA) metadataVersions.set(body.readInt32BE(4), version);
          if (apiKey === FETCH) {
            for (const p of fetchPartitions(body, version)) fetched.get(node)!.add(p);
            fetches.add(body.readInt32BE(4));
          }
          upstream.write(framed(body));
        }
      });
      upstream.on('data', (chunk: Buffer) => {
        for (const body of fromBroker.push(chunk)) {
          const id = body.readInt32BE(0);
          const version = metadataVersions.get(id);
          if (version !== undefined) {
            metadataVersions.delete(id);
            client.write(rewriteMetadata(body, version, ports));
            continue;
          }
          if (fetches.delete(id) && options.fetchDelayMs) {
            // Clients match responses by correlation id: a held one may arrive after later ones.
            const held = framed(body);
            setTimeout(() => client.writable && client.write(held), options.fetchDelayMs);
            continue;
          }
          client.write(framed(body));
        }
      });
      const end = () => (client.destroy(), upstream.destroy());
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
  const servers = [proxy(1), proxy(2)];
  for (let i = 0; i < 2; i++) {
    await new Promise<void>((r) => servers[i]!.listen(0, '127.0.0.1', r));
    ports[i] = (servers[i]!.address() as AddressInfo).port;
  }
  return {
    bootstrap: `127.0.0.1:${ports[0]}`,
    fetched,
    close() {
      for (const s of sockets) s.destroy();
      for (const s of servers) s.close();
    },
  };
}
