// Fetch v4–v11 (key 1), read_committed capable (v4+ carries isolation_level and aborted_transactions).
// Request: replica_id int32 (-1), max_wait_ms int32, min_bytes int32, max_bytes int32, isolation_level int8,
//   v7+: session_id int32 (0), session_epoch int32 (-1: no session),
//   topics [topic string, partitions [partition int32, v9+: current_leader_epoch int32 (-1),
//   fetch_offset int64, v5+: log_start_offset int64 (-1), partition_max_bytes int32]],
//   v7+: forgotten_topics_data [] , v11+: rack_id string.
// Response: throttle_time_ms int32, v7+: error_code int16, session_id int32,
//   responses [topic string, partitions [partition_index int32, error_code int16, high_watermark int64,
//   last_stable_offset int64, v5+: log_start_offset int64, aborted_transactions [producer_id int64,
//   first_offset int64] (null: none), v11+: preferred_read_replica int32, records bytes?]].
import type { WireReader, WireWriter } from './wire.js';

export const READ_COMMITTED = 1;

export interface FetchPartitionRequest {
  partition: number;
  offset: number;
  maxBytes: number;
}

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  topic: string;
  partitions: readonly FetchPartitionRequest[];
}

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export interface FetchPartitionResponse {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  abortedTransactions: AbortedTransaction[];
  /** The record batches as the broker sent them (a view; the last one may be cut short). */
  records: Buffer | null;
}

export interface FetchResponse {
  errorCode: number;
  topics: { topic: string; partitions: FetchPartitionResponse[] }[];
}

export function writeFetchRequest(w: WireWriter, version: number, req: FetchRequest): void {
  w.int32(-1).int32(req.maxWaitMs).int32(req.minBytes).int32(req.maxBytes).int8(req.isolationLevel);
  if (version >= 7) w.int32(0).int32(-1);
  w.int32(1).string(req.topic);
  w.array(req.partitions, (w, p) => {
    w.int32(p.partition);
    if (version >= 9) w.int32(-1);
    w.int64(p.offset);
    if (version >= 5) w.int64(-1);
    w.int32(p.maxBytes);
  });
  if (version >= 7) w.int32(0);
  if (version >= 11) w.string('');
}

export function parseFetch(r: WireReader, version: number): FetchResponse {
  r.int32(); // throttle_time_ms
  let errorCode = 0;
  if (version >= 7) {
    errorCode = r.int16();
    r.int32(); // session_id
  }
  const topics = r.array((r) => ({
    topic: r.string(),
    partitions: r.array((r): FetchPartitionResponse => {
      const partition = r.int32();
      const code = r.int16();
      const highWatermark = r.int64();
      const lastStableOffset = r.int64();
      if (version >= 5) r.int64(); // log_start_offset (-1 in an error answer)
      const n = r.int32();
      const abortedTransactions: AbortedTransaction[] = [];
      for (let i = 0; i < n; i++) abortedTransactions.push({ producerId: r.int64(), firstOffset: r.int64() });
      if (version >= 11) r.int32(); // preferred_read_replica
      return {
        partition,
        errorCode: code,
        highWatermark,
        lastStableOffset,
        abortedTransactions,
        records: r.nullableBytes(),
      };
    }),
  }));
  return { errorCode, topics };
}
