// The quick read of a v3 record's JSON bytes, for the shape nearly every client sends: compact JSON (no
// whitespace), members `key`, `value` and `partition_id`, each part `{"type":"STRING"|"JSON","data":…}`.
// It gives exactly what JSON.parse + parseV3Record give for the record's UTF-8 bytes, without building the
// parsed tree or a string: the key and value are views of the record's own bytes. Parsing and re-serializing
// each record was most of v3 streaming's cost.
//
// It accepts only what it can read that way. A JSON value whose JSON.stringify would differ from its text
// (whitespace, escapes, fractions, exponents, numbers past 15 digits, -0, a repeated or integer-like object
// key), bytes that are not UTF-8, any other member or type, or anything malformed makes it return undefined,
// and the caller parses the record the ordinary way (which also words the errors).
// test/facade/v3/plain-record.test.ts compares both on random records.
import { isUtf8 } from 'node:buffer';
import type { DataType, ParsedV3 } from './produce-request.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** Deeper values are left to JSON.parse. */
const MAX_DEPTH = 64;
/** Object keys checked for repeats per object; objects with more are left to JSON.parse. */
const MAX_KEYS = 64;
/** Digits of an integer that is exact as a number and printed back the same. */
const MAX_DIGITS = 15;

// Scanner state, module-wide: a read is synchronous and never re-entered.
const EMPTY = Buffer.alloc(0);
let text: Buffer = EMPTY;
let pos = 0;
/** A byte past 0x7F was seen (in a string): the record must be UTF-8, as its text would be decoded. */
let nonAscii = false;

/** The byte at i, or -1 past the end. */
const at = (i: number): number => (i < text.length ? text[i]! : -1);

/** The bytes at `start` are the ASCII of `word`. */
function startsWith(word: string, start: number): boolean {
  if (start + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) if (text[start + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Start and end of the object keys in the objects being read (a stack: each object its own slice). */
const keyStarts = new Int32Array(MAX_DEPTH * MAX_KEYS);
const keyEnds = new Int32Array(MAX_DEPTH * MAX_KEYS);

/** A string token with nothing JSON.stringify writes otherwise; pos moves past it. False: not plain. */
function plainString(): boolean {
  pos++; // the opening quote
  for (;;) {
    const c = at(pos++);
    if (c === QUOTE) return true;
    if (c < 0x20 || c === BACKSLASH) return false; // also the end (-1)
    if (c >= 0x80) nonAscii = true; // UTF-8 checked once at the end (valid UTF-8 holds no lone surrogate)
  }
}

/** `0` or digits without a leading zero; pos moves past them. */
function unsignedInteger(): boolean {
  const c = at(pos);
  if (c === ZERO) pos++;
  else if (c > ZERO && c <= NINE) {
    do pos++;
    while (at(pos) >= ZERO && at(pos) <= NINE);
  } else return false;
  return true;
}

/** An integer printed as JSON.stringify prints it. */
function plainNumber(): boolean {
  const negative = at(pos) === MINUS;
  if (negative) pos++;
  const first = pos;
  if (negative && at(pos) === ZERO) return false; // -0 is printed 0
  return unsignedInteger() && pos - first <= MAX_DIGITS;
}

function literal(word: string): boolean {
  if (!startsWith(word, pos)) return false;
  pos += word.length;
  return true;
}

/** The key [start, end) is a canonical array index's text (all digits): JSON.parse would move it first. */
function allDigits(start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = at(i);
    if (c < ZERO || c > NINE) return false;
  }
  return end > start;
}

function sameText(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (text[aStart + i] !== text[bStart + i]) return false;
  return true;
}

function plainObject(depth: number): boolean {
  pos++; // {
  if (at(pos) === RBRACE) {
    pos++;
    return true;
  }
  const base = depth * MAX_KEYS;
  for (let n = 0; ; n++) {
    if (n === MAX_KEYS || at(pos) !== QUOTE) return false;
    const start = pos + 1;
    if (!plainString()) return false;
    const end = pos - 1;
    if (allDigits(start, end)) return false;
    for (let k = 0; k < n; k++) if (sameText(keyStarts[base + k]!, keyEnds[base + k]!, start, end)) return false;
    keyStarts[base + n] = start;
    keyEnds[base + n] = end;
    if (at(pos++) !== COLON || !plainValue(depth + 1)) return false;
    const c = at(pos++);
    if (c === RBRACE) return true;
    if (c !== COMMA) return false;
  }
}

function plainArray(depth: number): boolean {
  pos++; // [
  if (at(pos) === RBRACKET) {
    pos++;
    return true;
  }
  for (;;) {
    if (!plainValue(depth + 1)) return false;
    const c = at(pos++);
    if (c === RBRACKET) return true;
    if (c !== COMMA) return false;
  }
}

/** A JSON value whose text is what JSON.stringify(JSON.parse(text)) gives; pos moves past it. */
function plainValue(depth: number): boolean {
  if (depth >= MAX_DEPTH) return false;
  const c = at(pos);
  if (c === QUOTE) return plainString();
  if (c === LBRACE) return plainObject(depth);
  if (c === LBRACKET) return plainArray(depth);
  if (c === MINUS || (c >= ZERO && c <= NINE)) return plainNumber();
  return literal('true') || literal('false') || literal('null');
}

/** A member name the quick read knows, and its flag. */
interface Member {
  name: string;
  flag: number;
}
const KEY = 1;
const VALUE = 2;
const PARTITION = 4;
const TYPE = 8;
const DATA = 16;
/** The names of each list start with different letters: the first letter picks the one to compare. */
const RECORD_MEMBERS: readonly Member[] = [
  { name: 'key', flag: KEY },
  { name: 'value', flag: VALUE },
  { name: 'partition_id', flag: PARTITION },
];
const PART_MEMBERS: readonly Member[] = [
  { name: 'type', flag: TYPE },
  { name: 'data', flag: DATA },
];

/** A member name `"…":` that is one of `members`: pos moves past the colon; its flag, or 0. */
function memberName(members: readonly Member[]): number {
  if (at(pos) !== QUOTE) return 0;
  const first = at(pos + 1);
  for (let k = 0; k < members.length; k++) {
    const { name, flag } = members[k]!;
    if (name.charCodeAt(0) !== first) continue;
    const end = pos + 1 + name.length;
    if (at(end) !== QUOTE || at(end + 1) !== COLON || !startsWith(name, pos + 1)) return 0;
    pos = end + 2;
    return flag;
  }
  return 0;
}

/** A part read by plainPart: its type and the bytes' [start, end) in the text. */
let partType: DataType = 'JSON';
let dataStart = 0;
let dataEnd = 0;

/** `{"type":"STRING"|"JSON","data":…}`, members in either order. */
function plainPart(): boolean {
  if (at(pos++) !== LBRACE) return false;
  let seen = 0;
  let type: DataType | undefined;
  let start = 0;
  let isString = false;
  for (;;) {
    const name = memberName(PART_MEMBERS);
    if (name === 0 || (seen & name) !== 0) return false;
    seen |= name;
    if (name === TYPE) {
      if (literal('"STRING"')) type = 'STRING';
      else if (literal('"JSON"')) type = 'JSON';
      else return false;
    } else {
      start = pos;
      isString = at(pos) === QUOTE;
      if (!plainValue(0)) return false;
      dataEnd = pos;
      if (dataEnd - start === 4 && startsWith('null', start)) return false; // data null: no bytes at all
    }
    const c = at(pos++);
    if (c === RBRACE) break;
    if (c !== COMMA) return false;
  }
  if (type === undefined || (seen & DATA) === 0) return false;
  if (type === 'STRING') {
    if (!isString) return false;
    dataStart = start + 1; // the string's characters, without its quotes
    dataEnd -= 1;
  } else dataStart = start;
  partType = type;
  return true;
}

/** A small non-negative integer (a partition), or -1. */
function plainPartition(): number {
  const first = pos;
  if (!unsignedInteger() || pos - first > 9) return -1;
  let n = 0;
  for (let i = first; i < pos; i++) n = n * 10 + (text[i]! - ZERO);
  return n;
}

/** What JSON.parse + parseV3Record give for this record's bytes, or undefined when it is not plain (see above). */
export function readPlainRecord(input: Buffer): ParsedV3 | undefined {
  text = input;
  pos = 0;
  nonAscii = false;
  try {
    return read();
  } finally {
    text = EMPTY; // do not hold on to the record
  }
}

function read(): ParsedV3 | undefined {
  if (at(pos++) !== LBRACE) return undefined;
  let seen = 0;
  let keyType: DataType | undefined;
  let keyStart = 0;
  let keyEnd = 0;
  let valueType: DataType | undefined;
  let valueStart = 0;
  let valueEnd = 0;
  let partition = -1;
  if (at(pos) === RBRACE) pos++;
  else {
    for (;;) {
      const name = memberName(RECORD_MEMBERS);
      if (name === 0 || (seen & name) !== 0) return undefined;
      seen |= name;
      if (name === PARTITION) {
        partition = plainPartition();
        if (partition < 0) return undefined;
      } else {
        if (!plainPart()) return undefined;
        if (name === KEY) {
          keyType = partType;
          keyStart = dataStart;
          keyEnd = dataEnd;
        } else {
          valueType = partType;
          valueStart = dataStart;
          valueEnd = dataEnd;
        }
      }
      const c = at(pos++);
      if (c === RBRACE) break;
      if (c !== COMMA) return undefined;
    }
  }
  if (pos !== text.length || (nonAscii && !isUtf8(text))) return undefined;
  const record: ParsedV3['record'] = {
    key: keyType === undefined ? null : text.subarray(keyStart, keyEnd),
    value: valueType === undefined ? null : text.subarray(valueStart, valueEnd),
    headers: [],
  };
  if (partition >= 0) record.partition = partition;
  return { record, keyType, valueType };
}
