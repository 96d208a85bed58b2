// The quick read of v3 records (plain-record.ts) against the ordinary one (JSON.parse + parseV3Record): on
// random record texts, canonical and not, whenever the quick read answers it must answer exactly what the
// ordinary read gives; and it must answer the plain records clients send, or it would never be used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseV3Record } from '../../../src/facade/v3/produce-request.js';
import { readPlainRecord } from '../../../src/facade/v3/plain-record.js';
import { rng } from '../../helpers/random.js';

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

/** What the stream does with a record's bytes that are not read quickly. */
function ordinary(bytes: Buffer): unknown {
  try {
    return parseV3Record(JSON.parse(bytes.toString('utf8')));
  } catch (err) {
    return { failed: (err as Error).message };
  }
}

// Texts of JSON values, some printed as JSON.stringify prints them and some not.
const NUMBERS = ['0', '1', '-1', '42', '123456789012345', '-123456789012345', '1234567890123456', '-0', '1.5', '1e3', '01', '1E2', '-', '0.0'];
const STRINGS = ['"\ud83dx"', '""', '"a"', '"hello world"', '"é"', '"日本"', '"😀"', '"\\n"', '"\\u0041"', '"a\\"b"', '"\\/"', '"\u007f"', '"\u2028"', '"\ud800"', '"\udc00x"', '"tab\there"', '"{}[],:"'];
const KEYS = ['"a"', '"b"', '"n"', '"text"', '"1"', '"01"', '"-1"', '"__proto__"', '"constructor"', '"é"', '""', '"a b"', '"\\u0061"'];
const GAPS = ['', '', '', '', ' ', '\n', '\t'];

function jsonText(r: Rand, depth: number): string {
  const g = () => (r() < 0.1 ? pick(r, GAPS) : '');
  const k = Math.floor(r() * (depth > 3 ? 5 : 7));
  switch (k) {
    case 0:
      return pick(r, NUMBERS);
    case 1:
      return pick(r, STRINGS);
    case 2:
      return pick(r, ['true', 'false', 'null', 'tru', 'nul']);
    case 3:
    case 4:
      return JSON.stringify(pick(r, [0, 7, 'x', 'ünï', { n: 1, text: 'hello' }, [1, 'a', null], { a: { b: [true] } }]));
    case 5:
      return `[${g()}${Array.from({ length: Math.floor(r() * 4) }, () => jsonText(r, depth + 1)).join(`${g()},${g()}`)}${g()}]`;
    default:
      return `{${g()}${Array.from({ length: Math.floor(r() * 4) }, () => `${pick(r, KEYS)}${g()}:${g()}${jsonText(r, depth + 1)}`).join(`${g()},${g()}`)}${g()}}`;
  }
}

function partText(r: Rand): string {
  if (r() < 0.05) return pick(r, ['null', '{}', '"x"', '{"type":"BINARY","data":"aGk="}', '{"data":"x"}', '{"type":"JSON"}', '{"type":"STRING","data":null}', '{"type":"JSON","data":null}']);
  const type = r() < 0.9 ? pick(r, ['"STRING"', '"JSON"']) : pick(r, ['"BINARY"', '"AVRO"', '"string"', 'null']);
  const data = type === '"STRING"' && r() < 0.8 ? pick(r, STRINGS) : jsonText(r, 0);
  const members = [`"type":${type}`, `"data":${data}`];
  if (r() < 0.05) members.push(pick(r, ['"type":"JSON"', '"schema_id":1', '"data":1']));
  if (r() < 0.3) members.reverse();
  return `{${members.join(',')}}`;
}

function recordText(r: Rand): string {
  const members: string[] = [];
  if (r() < 0.8) members.push(`"key":${partText(r)}`);
  if (r() < 0.9) members.push(`"value":${partText(r)}`);
  if (r() < 0.2) members.push(`"partition_id":${pick(r, ['0', '2', '17', '-1', '1.5', '"1"', 'null', '1234567890', '999999999', '01'])}`);
  if (r() < 0.05) members.push(pick(r, ['"headers":[]', '"timestamp":"2024-01-01T00:00:00Z"', '"key":null', '"value":{"type":"STRING","data":"again"}', '"other":1']));
  for (let i = members.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [members[i], members[j]] = [members[j]!, members[i]!];
  }
  const gap = r() < 0.05 ? ' ' : '';
  return `{${gap}${members.join(`,${gap}`)}}`;
}

test('whenever the quick read answers, it answers what JSON.parse + parseV3Record give', () => {
  let quick = 0;
  const total = 20_000;
  for (let seed = 1; seed <= total; seed++) {
    const r = rng(seed);
    const text = recordText(r);
    const bytes = Buffer.from(text);
    // Now and then bytes that are not UTF-8 (a lead byte without its continuation): decoded, they differ.
    const broken = bytes.indexOf(Buffer.from('é'));
    if (broken >= 0 && r() < 0.3) bytes[broken + 1] = 0x28;
    const fast = readPlainRecord(bytes);
    if (fast === undefined) continue;
    quick++;
    assert.deepStrictEqual(fast, ordinary(bytes), `seed ${seed}: ${text}`);
  }
  // Both ways are exercised: a good share is read quickly, and many records are left to JSON.parse.
  assert.ok(quick > total * 0.1 && quick < total * 0.9, `${quick} of ${total} read quickly`);
});

test('the records clients send, printed by JSON.stringify, are read quickly', () => {
  const values: unknown[] = [0, -7, 123456789012345, 'text', 'ünïcødé ✓ 😀', '', true, null, [], {}, { n: 1, text: 'hello' }, [1, [2, [3]]], { a: { b: { c: 'd' } }, e: [null, false] }, { __proto__x: 1, constructor: 'c' }];
  for (const v of values) {
    for (const record of [
      { key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: v } },
      { value: { data: v, type: 'JSON' }, partition_id: 3 },
      { partition_id: 0, key: { type: 'JSON', data: v } },
      { key: { type: 'STRING', data: 'ключ' }, value: { type: 'STRING', data: 'v a l' } },
    ]) {
      const text = JSON.stringify(record);
      if (v === null && text.includes('"data":null')) continue; // data null: no bytes at all, left to JSON.parse
      const fast = readPlainRecord(Buffer.from(text));
      assert.notEqual(fast, undefined, text);
      assert.deepStrictEqual(fast, ordinary(Buffer.from(text)), text);
    }
  }
});

test('what JSON.stringify would print otherwise is left to JSON.parse', () => {
  const value = (data: string) => `{"value":{"type":"JSON","data":${data}}}`;
  const cases = [
    value('{"a":1,"a":2}'), // repeated key: the last value at the first place
    value('{"b":1,"1":2}'), // integer-like key: moved first
    value('1.5'),
    value('1e3'),
    value('-0'),
    value('1234567890123456'),
    value('"\\u0041"'),
    value('"a\\nb"'),
    value('{ "a":1}'),
    value('[1, 2]'),
    value('null'),
    '{"value":{"type":"STRING","data":"\\u00e9"}}',
    '{"value":{"type":"BINARY","data":"aGk="}}',
    '{"value":{"type":"STRING","data":"x"},"headers":[]}',
    '{"value":{"type":"STRING","data":"x"},"timestamp":"2024-01-01T00:00:00Z"}',
    '{"value":{"type":"STRING","data":"x"},"value":{"type":"STRING","data":"y"}}',
    '{"value":{"data":"x"}}',
    '{"value":{"type":"STRING","data":"x","type":"JSON"}}',
    '{"partition_id":-1,"value":{"type":"STRING","data":"x"}}',
    '{"partition_id":01,"value":{"type":"STRING","data":"x"}}',
    '{"key":null}',
    '{"kez":{"type":"STRING","data":"x"}}', // names like the known ones: first letter and length
    '{"value":{"tipe":"STRING","data":"x"}}',
    '{"value":{"type":"STRING","dada":"x"}}',
    `{"partition_id":${'9'.repeat(400)},"value":{"type":"STRING","data":"x"}}`, // Infinity: refused by parseV3Record
    '{"value":{"type":"STRING","data":"x"}} ',
    '{"value":{"type":"STRING","data":"x"}}}',
  ];
  for (const text of cases) assert.equal(readPlainRecord(Buffer.from(text)), undefined, text);
  const notUtf8 = Buffer.from('{"value":{"type":"STRING","data":"é"}}');
  notUtf8[notUtf8.indexOf(0xc3) + 1] = 0x28;
  assert.equal(readPlainRecord(notUtf8), undefined, 'bytes that are not UTF-8');
});
