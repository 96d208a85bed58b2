// Kafka record batches walked into plain data, for tests of the walker and of what the broker sends.
import { RecordCursor, recordsOf, splitBatches, type RecordBatchView } from '../../src/kafka/protocol/record-batch.js';

export interface WalkedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

const text = (buf: Buffer, start: number, len: number) => (len < 0 ? null : buf.toString('latin1', start, start + len));

/** Every record of every whole batch, as plain data. */
export async function walk(
  records: Buffer,
  keep: (b: RecordBatchView) => boolean = () => true,
): Promise<{ batches: RecordBatchView[]; records: WalkedRecord[] }> {
  const { batches } = splitBatches(records);
  const out: WalkedRecord[] = [];
  const c = new RecordCursor();
  for (const b of batches) {
    if (!keep(b)) continue;
    c.reset(b, await recordsOf(b));
    while (c.next()) {
      const headers: [string, string | null][] = [];
      while (c.nextHeader()) headers.push([c.buf.toString('utf8', c.nameStart, c.nameStart + c.nameLength), text(c.buf, c.headerValueStart, c.headerValueLength)]);
      out.push({ offset: c.offset, timestamp: c.timestamp, key: text(c.buf, c.keyStart, c.keyLength), value: text(c.buf, c.valueStart, c.valueLength), headers });
    }
  }
  return { batches, records: out };
}

