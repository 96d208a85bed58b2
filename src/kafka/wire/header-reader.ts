// The headers of chosen records of one partition, read again with our own fetch client in the order Kafka
// stores them (kafkajs hands a record's headers over as an object, which can lose that order). Reads
// read_committed from the first wanted offset on, as few fetches as the records need (usually one); any
// broker error, or a wanted record not found (compacted, aborted, deleted by retention), fails the whole read
// with K2P_KFK_FETCH: the caller retries, it never gets a partial answer.
import { K2pError } from '../../errors.js';
import { kafkaErrorName } from '../protocol/error-codes.js';
import { parseFetch, READ_COMMITTED, writeFetchRequest, type FetchPartitionResponse } from '../protocol/fetch.js';
import { ReadCommitted } from '../protocol/read-committed.js';
import { controlTypeOf, isControl, RecordCursor, recordsOf, splitBatches } from '../protocol/record-batch.js';
import type { KafkaCluster } from './cluster.js';

/** One header as the record holds it: a name and bytes (null for a null value). */
export interface WireHeader {
  key: string;
  value: Buffer | null;
}

const MAX_BYTES = 1 << 20; // per fetch; the broker sends a larger first batch whole anyway

function fetchError(message: string, details: Record<string, unknown>): K2pError {
  return new K2pError('K2P_KFK_FETCH', message, details);
}

/** The current record's headers, copied out of the fetch response (which is not kept). */
function headersOf(c: RecordCursor): WireHeader[] {
  const out: WireHeader[] = [];
  while (c.nextHeader()) {
    const key = c.buf.toString('utf8', c.nameStart, c.nameStart + c.nameLength);
    const value = c.headerValueLength < 0 ? null : Buffer.from(c.buf.subarray(c.headerValueStart, c.headerValueStart + c.headerValueLength));
    out.push({ key, value });
  }
  return out;
}

export class KafkaHeaderReader {
  /** Leader per "topic/partition", forgotten after any failure (the next read asks the metadata again). */
  private readonly leaders = new Map<string, number>();

  constructor(private readonly cluster: KafkaCluster) {}

  /** Each wanted offset's headers, in wire order. `offsets` ascending, all committed records of the partition. */
  async read(topic: string, partition: number, offsets: readonly number[]): Promise<Map<number, WireHeader[]>> {
    const wanted = new Set(offsets);
    const found = new Map<number, WireHeader[]>();
    const last = offsets[offsets.length - 1]!;
    const cursor = new RecordCursor();
    let next = offsets[0]!;
    while (found.size < wanted.size && next <= last) {
      const pr = await this.fetch(topic, partition, next);
      const { batches } = splitBatches(pr.records ?? Buffer.alloc(0));
      const filter = new ReadCommitted(pr.abortedTransactions);
      const from = next;
      for (const b of batches) {
        const control = isControl(b) ? controlTypeOf(b, await recordsOf(b)) : undefined;
        if (!filter.skip(b, control) && b.lastOffset >= from && b.baseOffset <= last) {
          cursor.reset(b, await recordsOf(b));
          while (cursor.next()) if (wanted.has(cursor.offset)) found.set(cursor.offset, headersOf(cursor));
        }
        next = Math.max(next, b.lastOffset + 1);
      }
      // Nothing past `from`: the partition holds no committed record there (yet or any more).
      if (next === from) break;
    }
    const missing = offsets.filter((o) => !found.has(o));
    if (missing.length > 0)
      throw fetchError(`Kafka ${topic}[${partition}]: offsets ${missing.join(', ')} are not among the partition's committed records any more`, {
        topic,
        partition,
        offsets: missing,
      });
    return found;
  }

  private async fetch(topic: string, partition: number, offset: number): Promise<FetchPartitionResponse> {
    const key = `${topic}/${partition}`;
    try {
      let leader = this.leaders.get(key);
      if (leader === undefined) this.leaders.set(key, (leader = await this.leaderOf(topic, partition)));
      const conn = await this.cluster.node(leader);
      const response = await conn.call(
        'fetch',
        (w, v) =>
          writeFetchRequest(w, v, {
            maxWaitMs: 100,
            minBytes: 1,
            maxBytes: MAX_BYTES,
            isolationLevel: READ_COMMITTED,
            topic,
            partitions: [{ partition, offset, maxBytes: MAX_BYTES }],
          }),
        parseFetch,
      );
      const pr = response.topics.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition);
      const errorCode = pr?.errorCode ?? response.errorCode;
      if (!pr || errorCode !== 0)
        throw fetchError(`Kafka ${topic}[${partition}]: the broker answered the fetch at offset ${offset} with ${kafkaErrorName(errorCode)}`, {
          topic,
          partition,
          offset,
          kafkaError: errorCode,
        });
      return pr;
    } catch (err) {
      this.leaders.delete(key);
      if (err instanceof K2pError) throw err;
      throw new K2pError('K2P_KFK_FETCH', `Kafka ${topic}[${partition}]: cannot fetch at offset ${offset}: ${(err as Error).message}`, { topic, partition, offset }, { cause: err });
    }
  }

  private async leaderOf(topic: string, partition: number): Promise<number> {
    const m = await this.cluster.metadata([topic]);
    const p = m.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partition === partition);
    if (!p || p.errorCode !== 0 || p.leader < 0)
      throw fetchError(`Kafka ${topic}[${partition}]: no leader in the cluster's metadata${p ? ` (${kafkaErrorName(p.errorCode)})` : ''}`, { topic, partition });
    return p.leader;
  }
}
