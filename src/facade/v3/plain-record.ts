// The quick read of a v3 record's JSON text, for the shape nearly every client sends: compact JSON (no
// whitespace), members `key`, `value` and `partition_id`, each part `{"type":"STRING"|"JSON","data":…}`.
// It gives exactly what JSON.parse + parseV3Record give, without building the parsed tree: the key and value
// bytes are the text of the data itself. Parsing and re-serializing each record was most of v3 streaming's
// cost.
//
// It accepts only what it can read that way. A JSON value whose JSON.stringify would differ from its text
// (whitespace, escapes, fractions, exponents, numbers past 15 digits, -0, a repeated or integer-like object
// key, a lone surrogate), any other member or type, or anything malformed makes it return undefined, and the
// caller parses the record the ordinary way (which also words the errors).
// test/facade/v3/plain-record.test.ts compares both on random records.
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
let text = '';
let pos = 0;
/** No character past U+007F so far: byte offsets are character offsets. */
let ascii = true;
/** Start and end of the object keys in the objects being read (a stack: each object its own slice). */
const keyStarts = new Int32Array(MAX_DEPTH * MAX_KEYS);
const keyEnds = new Int32Array(MAX_DEPTH * MAX_KEYS);

/** A string token with nothing JSON.stringify writes otherwise; pos moves past it. False: not plain. */
function plainString(): boolean {
  pos++; // the opening quote
  for (;;) {
    const c = text.charCodeAt(pos++);
    if (c === QUOTE) return true;
    if (c < 0x20 || c === BACKSLASH || Number.isNaN(c)) return false;
    if (c >= 0x80) {
      ascii = false;
      if (c >= 0xd800 && c <= 0xdfff) {
        // A surrogate pair is printed as it is; a lone surrogate is escaped by JSON.stringify.
        const low = text.charCodeAt(pos);
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return false;
        pos++;
      }
    }
  }
}

/** An integer printed as JSON.stringify prints it. */
function plainNumber(): boolean {
  const negative = text.charCodeAt(pos) === MINUS;
  if (negative) pos++;
  const first = pos;
  const c = text.charCodeAt(pos);
  if (c === ZERO) {
    if (negative) return false; // -0 is printed 0
    pos++;
  } else if (c > ZERO && c <= NINE) {
    do pos++;
    while (text.charCodeAt(pos) >= ZERO && text.charCodeAt(pos) <= NINE);
  } else return false;
  return pos - first <= MAX_DIGITS;
}

function literal(word: string): boolean {
  if (!text.startsWith(word, pos)) return false;
  pos += word.length;
  return true;
}

/** The key [start, end) is a canonical array index's text (all digits): JSON.parse would move it first. */
function allDigits(start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return end > start;
}

function sameText(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (text.charCodeAt(aStart + i) !== text.charCodeAt(bStart + i)) return false;
  return true;
}

function plainObject(depth: number): boolean {
  pos++; // {
  if (text.charCodeAt(pos) === RBRACE) {
    pos++;
    return true;
  }
  const base = depth * MAX_KEYS;
  for (let n = 0; ; n++) {
    if (n === MAX_KEYS || text.charCodeAt(pos) !== QUOTE) return false;
    const start = pos + 1;
    if (!plainString()) return false;
    const end = pos - 1;
    if (allDigits(start, end)) return false;
    for (let k = 0; k < n; k++) if (sameText(keyStarts[base + k]!, keyEnds[base + k]!, start, end)) return false;
    keyStarts[base + n] = start;
    keyEnds[base + n] = end;
    if (text.charCodeAt(pos++) !== COLON || !plainValue(depth + 1)) return false;
    const c = text.charCodeAt(pos++);
    if (c === RBRACE) return true;
    if (c !== COMMA) return false;
  }
}

function plainArray(depth: number): boolean {
  pos++; // [
  if (text.charCodeAt(pos) === RBRACKET) {
    pos++;
    return true;
  }
  for (;;) {
    if (!plainValue(depth + 1)) return false;
    const c = text.charCodeAt(pos++);
    if (c === RBRACKET) return true;
    if (c !== COMMA) return false;
  }
}

/** A JSON value whose text is what JSON.stringify(JSON.parse(text)) gives; pos moves past it. */
function plainValue(depth: number): boolean {
  if (depth >= MAX_DEPTH) return false;
  const c = text.charCodeAt(pos);
  if (c === QUOTE) return plainString();
  if (c === LBRACE) return plainObject(depth);
  if (c === LBRACKET) return plainArray(depth);
  if (c === MINUS || (c >= ZERO && c <= NINE)) return plainNumber();
  return literal('true') || literal('false') || literal('null');
}

/** Member names of the record and of its parts, as flags. */
const MEMBER = { key: 1, value: 2, partition_id: 4, type: 8, data: 16 } as const;
type Name = keyof typeof MEMBER;
const RECORD_MEMBERS: readonly Name[] = ['key', 'value', 'partition_id'];
const PART_MEMBERS: readonly Name[] = ['type', 'data'];

/** A member name `"…":` that is one of `names`: pos moves past the colon; its flag, or 0. */
function memberName(names: readonly Name[]): number {
  if (text.charCodeAt(pos) !== QUOTE) return 0;
  for (const name of names) {
    const end = pos + 1 + name.length;
    if (text.charCodeAt(end) === QUOTE && text.charCodeAt(end + 1) === COLON && text.startsWith(name, pos + 1)) {
      pos = end + 2;
      return MEMBER[name];
    }
  }
  return 0;
}

/** A part read by plainPart: its type and the bytes' [start, end) in the text. */
let partType: DataType = 'JSON';
let dataStart = 0;
let dataEnd = 0;

/** `{"type":"STRING"|"JSON","data":…}`, members in either order. */
function plainPart(): boolean {
  if (text.charCodeAt(pos++) !== LBRACE) return false;
  let seen = 0;
  let type: DataType | undefined;
  let start = 0;
  let isString = false;
  for (;;) {
    const name = memberName(PART_MEMBERS);
    if (name === 0 || (seen & name) !== 0) return false;
    seen |= name;
    if (name === MEMBER.type) {
      if (literal('"STRING"')) type = 'STRING';
      else if (literal('"JSON"')) type = 'JSON';
      else return false;
    } else {
      start = pos;
      isString = text.charCodeAt(pos) === QUOTE;
      if (!plainValue(0)) return false;
      dataEnd = pos;
      if (dataEnd - start === 4 && text.startsWith('null', start)) return false; // data null: no bytes at all
    }
    const c = text.charCodeAt(pos++);
    if (c === RBRACE) break;
    if (c !== COMMA) return false;
  }
  if (type === undefined || (seen & MEMBER.data) === 0) return false;
  if (type === 'STRING') {
    if (!isString) return false;
    dataStart = start + 1; // the string's characters, without its quotes
    dataEnd -= 1;
  } else dataStart = start;
  partType = type;
  return true;
}

/** A small non-negative integer (a partition). */
function plainPartition(): number {
  const first = pos;
  const c = text.charCodeAt(pos);
  if (c === ZERO) pos++;
  else if (c > ZERO && c <= NINE) {
    do pos++;
    while (text.charCodeAt(pos) >= ZERO && text.charCodeAt(pos) <= NINE);
  } else return -1;
  return pos - first > 9 ? -1 : Number(text.slice(first, pos));
}

function bytesOf(whole: Buffer | undefined, start: number, end: number): Buffer {
  return whole ? whole.subarray(start, end) : Buffer.from(text.slice(start, end), 'utf8');
}

/** What JSON.parse + parseV3Record give for this record text, or undefined when it is not plain (see above). */
export function readPlainRecord(input: string): ParsedV3 | undefined {
  text = input;
  pos = 0;
  ascii = true;
  try {
    return read();
  } finally {
    text = ''; // do not hold on to the record
  }
}

function read(): ParsedV3 | undefined {
  if (text.charCodeAt(pos++) !== LBRACE) return undefined;
  let seen = 0;
  let keyType: DataType | undefined;
  let keyStart = 0;
  let keyEnd = 0;
  let valueType: DataType | undefined;
  let valueStart = 0;
  let valueEnd = 0;
  let partition = -1;
  if (text.charCodeAt(pos) === RBRACE) pos++;
  else {
    for (;;) {
      const name = memberName(RECORD_MEMBERS);
      if (name === 0 || (seen & name) !== 0) return undefined;
      seen |= name;
      if (name === MEMBER.partition_id) {
        partition = plainPartition();
        if (partition < 0) return undefined;
      } else {
        if (!plainPart()) return undefined;
        if (name === MEMBER.key) {
          keyType = partType;
          keyStart = dataStart;
          keyEnd = dataEnd;
        } else {
          valueType = partType;
          valueStart = dataStart;
          valueEnd = dataEnd;
        }
      }
      const c = text.charCodeAt(pos++);
      if (c === RBRACE) break;
      if (c !== COMMA) return undefined;
    }
  }
  if (pos !== text.length) return undefined;
  // ASCII text: one buffer of the whole record, the key and value views of it.
  const whole = ascii && (keyType !== undefined || valueType !== undefined) ? Buffer.from(text, 'latin1') : undefined;
  const record: ParsedV3['record'] = {
    key: keyType === undefined ? null : bytesOf(whole, keyStart, keyEnd),
    value: valueType === undefined ? null : bytesOf(whole, valueStart, valueEnd),
    headers: [],
  };
  if (partition >= 0) record.partition = partition;
  return { record, keyType, valueType };
}
