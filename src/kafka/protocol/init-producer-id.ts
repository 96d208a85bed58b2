// InitProducerId v0–v1 (key 22), non-transactional: the broker hands out a producer id and epoch that make
// this producer's batches idempotent (sequence numbers per partition start at 0 under a new id).
// Request: transactional_id string? (null), transaction_timeout_ms int32.
// Response: throttle_time_ms int32, error_code int16, producer_id int64, producer_epoch int16.
import type { WireReader, WireWriter } from './wire.js';

export interface ProducerIdentity {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export function writeInitProducerId(w: WireWriter): void {
  w.string(null).int32(60_000);
}

export function parseInitProducerId(r: WireReader): ProducerIdentity {
  r.int32(); // throttle_time_ms
  return { errorCode: r.int16(), producerId: r.int64(), producerEpoch: r.int16() };
}
