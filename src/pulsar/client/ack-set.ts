// Batch-index bit sets as the broker sends and expects them (java.util.BitSet.toLongArray layout:
// bit i lives in word i/64 at position i%64; a set bit = that index is still unacknowledged).
// Bits are built in 32-bit halves with plain numbers; BigInt only joins the halves of each word.

export function isSet(words: readonly bigint[], index: number): boolean {
  const word = words[index >> 6];
  if (word === undefined) return false;
  return ((BigInt.asUintN(64, word) >> BigInt(index & 63)) & 1n) === 1n;
}

function toWords(halves: Uint32Array): bigint[] {
  const words = new Array<bigint>(halves.length / 2);
  for (let w = 0; w < words.length; w++) {
    words[w] = BigInt.asIntN(64, (BigInt(halves[2 * w + 1]!) << 32n) | BigInt(halves[2 * w]!));
  }
  return words;
}

function halvesFor(size: number): Uint32Array {
  return new Uint32Array(Math.ceil(size / 64) * 2);
}

/** Words with bits [from, to) set, as signed 64-bit values (the wire type is int64). */
export function rangeSet(size: number, from: number, to: number): bigint[] {
  const halves = halvesFor(size);
  for (let i = from; i < to; i++) halves[i >>> 5]! |= 1 << (i & 31);
  return toWords(halves);
}

/** All `size` bits set except those in `cleared`. */
export function allExcept(size: number, cleared: Iterable<number>): bigint[] {
  const halves = halvesFor(size);
  for (let i = 0; i < size; i++) halves[i >>> 5]! |= 1 << (i & 31);
  for (const i of cleared) halves[i >>> 5]! &= ~(1 << (i & 31));
  return toWords(halves);
}
