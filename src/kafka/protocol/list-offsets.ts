// ListOffsets v1–v5 (key 2): a partition's earliest (-2) or latest (-1) offset, or the first at a time.
// Request: replica_id int32 (-1), v2+: isolation_level int8, topics [name string, partitions [partition
//   int32, v4+: current_leader_epoch int32 (-1), timestamp int64]].
// Response: v2+: throttle_time_ms int32, topics [name string, partitions [partition int32, error_code int16,
//   timestamp int64, offset int64, v4+: leader_epoch int32]].
import type { WireReader, WireWriter } from './wire.js';

export const EARLIEST = -2;
export const LATEST = -1;

export interface ListedOffset {
  partition: number;
  errorCode: number;
  offset: number;
}

export function writeListOffsets(
  w: WireWriter,
  version: number,
  topic: string,
  partitions: readonly { partition: number; timestamp: number }[],
  isolationLevel: number,
): void {
  w.int32(-1);
  if (version >= 2) w.int8(isolationLevel);
  w.int32(1).string(topic);
  w.array(partitions, (w, p) => {
    w.int32(p.partition);
    if (version >= 4) w.int32(-1);
    w.int64(p.timestamp);
  });
}

export function parseListOffsets(r: WireReader, version: number): ListedOffset[] {
  if (version >= 2) r.int32();
  return r
    .array((r) => {
      r.string();
      return r.array((r) => {
        const p: ListedOffset = { partition: r.int32(), errorCode: r.int16(), offset: 0 };
        r.int64(); // timestamp
        p.offset = r.int64();
        if (version >= 4) r.int32();
        return p;
      });
    })
    .flat();
}
