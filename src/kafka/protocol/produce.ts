// Produce v3–v8 (key 0), the non-flexible versions.
// Request: transactional_id string?, acks int16, timeout_ms int32, topics [name string, partitions
//   [index int32, records bytes]].
// Response: responses [name string, partitions [index int32, error_code int16, base_offset int64,
//   log_append_time_ms int64, v5+: log_start_offset int64, v8+: record_errors [batch_index int32,
//   batch_index_error_message string?], v8+: error_message string?]], throttle_time_ms int32.
import type { WireReader, WireWriter } from './wire.js';

export interface ProducePartition {
  partition: number;
  /** One record batch v2 (record-batch-writer.ts). */
  records: Buffer;
}

export interface ProduceRequest {
  /** -1: every in-sync replica (what an idempotent producer must ask for). */
  acks: number;
  timeoutMs: number;
  topics: readonly { name: string; partitions: readonly ProducePartition[] }[];
}

export interface ProducePartitionResponse {
  topic: string;
  partition: number;
  errorCode: number;
  baseOffset: number;
  /** The broker's message (v8+), or null. */
  errorMessage: string | null;
}

export function writeProduceRequest(w: WireWriter, _version: number, req: ProduceRequest): void {
  w.string(null).int16(req.acks).int32(req.timeoutMs);
  w.array(req.topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).bytes(p.records)));
}

export function parseProduce(r: WireReader, version: number): ProducePartitionResponse[] {
  const out: ProducePartitionResponse[] = [];
  r.array((r) => {
    const topic = r.string();
    r.array((r) => {
      const partition = r.int32();
      const errorCode = r.int16();
      const baseOffset = r.int64();
      r.int64(); // log_append_time_ms
      if (version >= 5) r.int64(); // log_start_offset
      let errorMessage: string | null = null;
      if (version >= 8) {
        r.array((r) => (r.int32(), r.nullableString()));
        errorMessage = r.nullableString();
      }
      out.push({ topic, partition, errorCode, baseOffset, errorMessage });
    });
  });
  r.int32(); // throttle_time_ms
  return out;
}
