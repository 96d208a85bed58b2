// Batch-index bit sets as the broker sends and expects them (java.util.BitSet.toLongArray layout:
// bit i lives in word i/64 at position i%64; a set bit = that index is still unacknowledged).
const MASK64 = (1n << 64n) - 1n;

export function isSet(words: readonly bigint[], index: number): boolean {
  const word = words[index >> 6];
  if (word === undefined) return false;
  return ((BigInt.asUintN(64, word) >> BigInt(index & 63)) & 1n) === 1n;
}

/** Words with bits [from, to) set, as signed 64-bit values (the wire type is int64). */
export function rangeSet(size: number, from: number, to: number): bigint[] {
  const words = new Array<bigint>(Math.ceil(size / 64)).fill(0n);
  for (let i = from; i < to; i++) words[i >> 6] = words[i >> 6]! | (1n << BigInt(i & 63));
  return words.map((w) => BigInt.asIntN(64, w & MASK64));
}

/** All `size` bits set except those in `cleared`. */
export function allExcept(size: number, cleared: Iterable<number>): bigint[] {
  const words = rangeSet(size, 0, size).map((w) => BigInt.asUintN(64, w));
  for (const i of cleared) words[i >> 6] = words[i >> 6]! & ~(1n << BigInt(i & 63));
  return words.map((w) => BigInt.asIntN(64, w));
}
