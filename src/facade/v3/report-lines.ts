// The lines a v3 stream answers with, written straight into one buffer per run of records. A string per
// report cost ~0.7 µs a record (a tenth of the facade's work for a streamed record): built from a dozen pieces,
// flattened again by join, then scanned and encoded as UTF-8 on its way to the socket. A success report is
// cached bytes and digits instead (~0.45 µs); anything else (failures, schema parts) is report()'s own JSON.
// Each line is exactly JSON.stringify(report(...)), what records:batch answers (test/facade/v3/report-lines.test.ts).
import type { RecordResult } from '../records.js';
import { report, type DataType, type ParsedV3 } from './produce-request.js';

// A success line is: prefix, partition, OFFSET, offset, the time's bytes (`,"timestamp":"…","key":`), the key
// (KEY_START, size, `}`; or `null`), then the value (VALUE_START, size, `}}\n`; or `,"value":null}\n`). Pieces
// that always follow each other are one constant: every copy is a call.
const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const TYPES = ['BINARY', 'JSON', 'STRING', 'AVRO', 'JSONSCHEMA', 'PROTOBUF'] as const;
const OFFSET = ascii(',"offset":');
const KEY_START = new Map<DataType, Buffer>(TYPES.map((t) => [t, ascii(`{"type":"${t}","size":`)]));
const NULL_KEY = ascii('null');
const VALUE_START = new Map<DataType, Buffer>(TYPES.map((t) => [t, ascii(`,"value":{"type":"${t}","size":`)]));
const NULL_VALUE_END = ascii(',"value":null}\n');
/**
 * Room for a success report beyond its prefix: at most 186 bytes (two 10-digit numbers, a 16-digit offset,
 * a 27-character time, two parts of the longest type with 10-digit sizes, and the names between them).
 */
const REPORT_BYTES = 200;

/** One stream's cluster and topic, and the bytes every success report of it starts with. */
export class ReportFormat {
  readonly prefixBytes: Buffer;

  constructor(
    readonly clusterId: string,
    readonly topic: string,
  ) {
    this.prefixBytes = Buffer.from(`{"error_code":200,"cluster_id":${JSON.stringify(clusterId)},"topic_name":${JSON.stringify(topic)},"partition_id":`, 'utf8');
  }
}

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

let lastTime = NaN;
let lastTimeBytes: Buffer = Buffer.alloc(0);
/** `,"timestamp":"<ISO 8601>","key":` of a time in ms; records of a stream mostly share their millisecond. */
function timeBytes(ms: number): Buffer {
  if (ms !== lastTime) {
    lastTimeBytes = ascii(`,"timestamp":"${new Date(ms).toISOString()}","key":`);
    lastTime = ms;
  }
  return lastTimeBytes;
}

/** A run's report lines, each ending in a newline. */
export class ReportLines {
  private buf: Buffer;
  private pos = 0;
  /** Reports written. */
  count = 0;
  /** error_code of the first report (a stream of one record answers with it). */
  firstStatus = 0;

  constructor(
    private readonly format: ReportFormat,
    reports: number,
  ) {
    this.buf = Buffer.allocUnsafe(reports * (format.prefixBytes.length + REPORT_BYTES));
  }

  /** A record's report and a newline. */
  report(parsed: ParsedV3, result: RecordResult): void {
    const offset = Number(result.offset);
    if (result.error || !isCount(offset) || !isCount(result.partition) || parsed.keySchema || parsed.valueSchema) {
      // Failures, schema parts, offsets past 2^53: rare, so the report object's own JSON.
      return this.text(JSON.stringify(report(this.format.clusterId, this.format.topic, parsed, result)), result.error?.status ?? 200);
    }
    this.counted(200);
    this.ensure(this.format.prefixBytes.length + REPORT_BYTES);
    this.bytes(this.format.prefixBytes);
    this.digits(result.partition);
    this.bytes(OFFSET);
    this.digits(offset);
    this.bytes(timeBytes(result.timestamp));
    const buf = this.buf;
    if (parsed.keyType === undefined) this.bytes(NULL_KEY);
    else {
      this.bytes(KEY_START.get(parsed.keyType)!);
      this.digits(parsed.record.key?.length ?? 0);
      buf[this.pos++] = 0x7d; // }
    }
    if (parsed.valueType === undefined) return this.bytes(NULL_VALUE_END);
    this.bytes(VALUE_START.get(parsed.valueType)!);
    this.digits(parsed.record.value?.length ?? 0);
    buf[this.pos++] = 0x7d; // }
    buf[this.pos++] = 0x7d;
    buf[this.pos++] = 0x0a; // \n
  }

  /** A report given as its JSON text and its error_code. */
  text(line: string, status: number): void {
    this.counted(status);
    const most = Buffer.byteLength(line, 'utf8') + 1;
    this.ensure(most);
    this.pos += this.buf.write(line, this.pos, 'utf8');
    this.buf[this.pos++] = 0x0a;
  }

  /** The lines written. */
  lines(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private counted(status: number): void {
    if (this.count++ === 0) this.firstStatus = status;
  }

  private bytes(b: Buffer): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A safe non-negative integer in decimal (the room is ensured: at most 16 digits). */
  private digits(n: number): void {
    let width = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) width++;
    let at = this.pos + width;
    this.pos = at;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      this.buf[--at] = 0x30 + (n - q * 10);
      n = q;
    }
    this.buf[--at] = 0x30 + n;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
