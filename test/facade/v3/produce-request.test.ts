// reportText must write exactly what JSON.stringify(report(...)) writes: streams answer with the former,
// records:batch with the latter, and clients parse both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordResult } from '../../../src/facade/records.js';
import { CODES, RestError } from '../../../src/facade/rest-error.js';
import { parseV3Record, report, reportPrefix, reportText, type ParsedV3 } from '../../../src/facade/v3/produce-request.js';

const cases: { name: string; parsed: () => ParsedV3; result: RecordResult }[] = [
  {
    name: 'string key, JSON value',
    parsed: () => parseV3Record({ key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { n: 1, text: 'h"é' } } }),
    result: { partition: 3, offset: 41n, timestamp: 1_700_000_000_123 },
  },
  {
    name: 'no key, binary value, a large offset',
    parsed: () => parseV3Record({ value: { type: 'BINARY', data: 'AAEC' } }),
    result: { partition: 0, offset: 9_007_199_254_740_991n, timestamp: 0 },
  },
  {
    name: 'null value of a type, no key',
    parsed: () => parseV3Record({ value: { type: 'STRING' } }),
    result: { partition: 1, offset: 0n, timestamp: 1 },
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
    result: { partition: 0, offset: null, timestamp: 5, error: new RestError(CODES.KAFKA_RETRIABLE, 'broker "down"') },
  },
];

for (const c of cases) {
  test(`reportText equals JSON.stringify(report): ${c.name}`, () => {
    for (const [cluster, topic] of [
      ['cluster-1', 'orders'],
      ['c"\\', 'tö\npic'],
    ] as const) {
      const parsed = c.parsed();
      assert.equal(reportText(reportPrefix(cluster, topic), parsed, c.result), JSON.stringify(report(cluster, topic, parsed, c.result)));
    }
  });
}
