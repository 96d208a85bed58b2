// A stream's report lines must be exactly JSON.stringify(report(...)), what records:batch answers for the same
// record: clients parse both. The bytes are written by hand (digits, cached pieces), so they are checked on the
// shapes a report takes and on many random ones, several to a run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordResult } from '../../../src/facade/records.js';
import { CODES, RestError } from '../../../src/facade/rest-error.js';
import { parseV3Record, report, type DataType, type ParsedV3 } from '../../../src/facade/v3/produce-request.js';
import { ReportFormat, ReportLines } from '../../../src/facade/v3/report-lines.js';

const cases: { name: string; parsed: () => ParsedV3; result: RecordResult }[] = [
  {
    name: 'string key, JSON value',
    parsed: () => parseV3Record({ key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { n: 1, text: 'h"é' } } }),
    result: { partition: 3, offset: 41n, timestamp: 1_700_000_000_123 },
  },
  {
    name: 'no key, binary value, the largest safe offset',
    parsed: () => parseV3Record({ value: { type: 'BINARY', data: 'AAEC' } }),
    result: { partition: 0, offset: 9_007_199_254_740_991n, timestamp: 0 },
  },
  {
    name: 'an offset beyond the safe integers (written as JSON.stringify writes the number)',
    parsed: () => parseV3Record({ value: { type: 'BINARY', data: 'AAEC' } }),
    result: { partition: 10, offset: 12_345_678_901_234_567_890n, timestamp: 1 },
  },
  {
    name: 'null value of a type, no key',
    parsed: () => parseV3Record({ value: { type: 'STRING' } }),
    result: { partition: 1, offset: 0n, timestamp: 1 },
  },
  {
    name: 'a time before 1970',
    parsed: () => parseV3Record({ key: { type: 'STRING', data: 'k' } }),
    result: { partition: 2, offset: 10n, timestamp: -1_000 },
  },
  {
    name: 'a time after year 9999',
    parsed: () => parseV3Record({ key: { type: 'STRING', data: 'k' } }),
    result: { partition: 2, offset: 99n, timestamp: 8_000_000_000_000_000 },
  },
  {
    name: 'schema parts: id only, and subject with version',
    parsed: () => {
      const p = parseV3Record({ key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: 1 } });
      p.keyType = 'AVRO';
      p.keySchema = { schema_id: 7 };
      p.valueType = 'PROTOBUF';
      p.valueSchema = { schema_id: 9, subject: 't-"value"', schema_version: 2 };
      return p;
    },
    result: { partition: 2, offset: 5n, timestamp: 1_800_000_000_000 },
  },
  {
    name: 'a failed record',
    parsed: () => parseV3Record({ value: { type: 'JSON', data: null } }),
    result: { partition: 0, offset: null, timestamp: 5, error: new RestError(CODES.KAFKA_RETRIABLE, 'broker "down" é'.repeat(40)) },
  },
];

const names = [
  ['cluster-1', 'orders'],
  ['c"\\', 'tö\npic'],
] as const;

const expected = (cluster: string, topic: string, parsed: ParsedV3, result: RecordResult) => `${JSON.stringify(report(cluster, topic, parsed, result))}\n`;

for (const c of cases) {
  test(`a report line equals JSON.stringify(report): ${c.name}`, () => {
    for (const [cluster, topic] of names) {
      const lines = new ReportLines(new ReportFormat(cluster, topic), 1);
      const parsed = c.parsed();
      lines.report(parsed, c.result);
      assert.equal(lines.lines().toString('utf8'), expected(cluster, topic, parsed, c.result));
      assert.equal(lines.count, 1);
      assert.equal(lines.firstStatus, c.result.error?.status ?? 200);
    }
  });
}

/** Deterministic random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: (DataType | undefined)[] = ['BINARY', 'JSON', 'STRING', 'AVRO', 'JSONSCHEMA', 'PROTOBUF', undefined];

test('runs of random reports, several to a buffer: every line equals JSON.stringify(report), in order', () => {
  const r = random(7);
  /** A number of any width from 1 to 16 digits, often at a power of ten's edge. */
  const number = () => {
    const base = 10 ** Math.floor(r() * 16);
    return Math.max(0, base + Math.floor(r() * 3) - 1);
  };
  for (const [cluster, topic] of names) {
    const format = new ReportFormat(cluster, topic);
    for (let run = 0; run < 50; run++) {
      const size = 1 + Math.floor(r() * 40);
      // Room for far fewer reports than the run holds: the buffer grows as it goes.
      const lines = new ReportLines(format, Math.ceil(size / 8));
      let want = '';
      for (let i = 0; i < size; i++) {
        const parsed = parseV3Record({});
        parsed.keyType = TYPES[Math.floor(r() * TYPES.length)];
        parsed.valueType = TYPES[Math.floor(r() * TYPES.length)];
        parsed.record.key = r() < 0.2 ? null : Buffer.alloc(Math.floor(r() * 3000));
        parsed.record.value = r() < 0.2 ? null : Buffer.alloc(Math.floor(r() * 300));
        if (r() < 0.1) parsed.valueSchema = { schema_id: number(), subject: `${topic}-value`, schema_version: 1 };
        const result: RecordResult =
          r() < 0.1
            ? { partition: 0, offset: null, timestamp: 0, error: new RestError(CODES.KAFKA_ERROR, `failed ${i}`) }
            : { partition: Math.floor(r() * 1200), offset: BigInt(number()), timestamp: Math.floor(r() * 4_000_000_000_000) - 100_000_000_000 };
        lines.report(parsed, result);
        want += expected(cluster, topic, parsed, result);
      }
      assert.equal(lines.lines().toString('utf8'), want);
      assert.equal(lines.count, size);
    }
  }
});

test('text lines keep their status, and the first report decides firstStatus', () => {
  const lines = new ReportLines(new ReportFormat('c', 't'), 2);
  lines.text('{"error_code":413,"message":"too large"}', 413);
  lines.report(parseV3Record({ value: { type: 'JSON', data: 1 } }), { partition: 0, offset: 3n, timestamp: 1 });
  assert.equal(lines.count, 2);
  assert.equal(lines.firstStatus, 413);
  assert.match(lines.lines().toString(), /^\{"error_code":413,"message":"too large"\}\n\{"error_code":200,.*"offset":3,.*\}\n$/);
});
