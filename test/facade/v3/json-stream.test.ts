// The splitter of v3 streaming bodies: concatenated JSON objects in, the bytes of each object out, whatever
// the chunking; anything else at the top level stops it with the junk it saw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonObjectSplitter } from '../../../src/facade/v3/json-stream.js';
import { rng } from '../../helpers/random.js';

function split(bytes: Buffer, chunkSizes: () => number): { out: string[]; splitter: JsonObjectSplitter } {
  const splitter = new JsonObjectSplitter();
  const out: string[] = [];
  // Copies of the chunks: a view must stay right when the chunk it came from is gone.
  for (let i = 0; i < bytes.length; ) {
    const size = Math.max(1, chunkSizes());
    out.push(...splitter.push(Buffer.from(bytes.subarray(i, i + size))).map((b) => b.toString('utf8')));
    i += size;
  }
  return { out, splitter };
}

test('records are cut across chunk boundaries, strings with braces and escaped quotes included', () => {
  const records = [{ a: '}{"' }, { b: [1, { c: '\\' }] }, { d: 'é' }];
  const bytes = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n'));
  for (let size = 1; size <= bytes.length; size++) {
    const { out, splitter } = split(bytes, () => size);
    assert.deepEqual(out.map((t) => JSON.parse(t) as unknown), records, `chunks of ${size} bytes`);
    assert.equal(splitter.incomplete, false);
  }
});

/** A random JSON value: nested objects and arrays, strings with braces, quotes, backslashes and non-ASCII. */
function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 4 : 6));
  const text = () => Array.from({ length: Math.floor(r() * 8) }, () => '{}[]"\\aé😀 \n,:'[Math.floor(r() * 14)]).join('');
  switch (k) {
    case 0:
      return Math.floor(r() * 1e6) - 5e5;
    case 1:
      return text();
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [text(), value(r, depth + 1)]));
  }
}

test('random objects, pretty-printed or not, with any whitespace between them, in random chunks', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const records = Array.from({ length: 1 + Math.floor(r() * 20) }, () => ({ v: value(r, 0) }));
    const gaps = ['', '\n', ' ', '\r\n', '\t\n  '];
    const text = records.map((rec) => (r() < 0.3 ? JSON.stringify(rec, null, 2) : JSON.stringify(rec)) + gaps[Math.floor(r() * gaps.length)]).join('');
    const { out, splitter } = split(Buffer.from(text), () => Math.floor(r() * 40));
    assert.deepEqual(out.map((t) => JSON.parse(t) as unknown), records, `seed ${seed}`);
    assert.equal(splitter.incomplete, false, `seed ${seed}`);
    assert.equal(splitter.junk, undefined, `seed ${seed}`);
  }
});

test('something other than an object at the top level stops the splitter: the objects before it are given, nothing after', () => {
  for (const [body, objects, junk] of [
    ['{"a":1}\n[1,2]{"b":2}', 1, '[1,2]{"b":2}'],
    ['{"a":1} x {"b":2}', 1, 'x {"b":2}'],
    ['"text"', 0, '"text"'],
  ] as const) {
    for (let size = 1; size <= body.length; size++) {
      const { out, splitter } = split(Buffer.from(body), () => size);
      assert.equal(out.length, objects, `${body} in chunks of ${size}`);
      assert.ok(splitter.junk && junk.startsWith(splitter.junk), `${body} in chunks of ${size}: junk ${splitter.junk}`);
      assert.equal(splitter.push(Buffer.from('{"late":1}')).length, 0, 'nothing is split after junk');
    }
  }
});

test('a body that ends inside an object is incomplete', () => {
  const { out, splitter } = split(Buffer.from('{"a":1}{"b":"}'), () => 3);
  assert.equal(out.length, 1);
  assert.equal(splitter.incomplete, true);
});
