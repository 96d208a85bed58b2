// Key → partition hashing as the Java client does it (the reference for Pulsar routing; the C++ and Go
// clients hash differently).

/** Java String.hashCode() over UTF-16 code units, & 0x7fffffff (Pulsar's JavaStringHash). */
export function javaStringHash(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(31, h) + key.charCodeAt(i)) | 0;
  return h & 0x7fffffff;
}

/** Murmur3 x86_32, seed 0, over the UTF-8 bytes (or given bytes), & 0x7fffffff (Pulsar's Murmur3_32Hash). */
export function murmur3Hash(key: string | Uint8Array): number {
  return murmur3_32(typeof key === 'string' ? javaUtf8(key) : key, 0) & 0x7fffffff;
}

/**
 * UTF-8 as Java's String.getBytes(UTF_8) makes it (what Murmur3_32Hash hashes): an unpaired surrogate
 * becomes '?' (0x3f), where Buffer.from(key, 'utf8') would write U+FFFD (ef bf bd).
 */
function javaUtf8(key: string): Buffer {
  return Buffer.from(key.replace(/\p{Cs}/gu, '?'), 'utf8');
}

/** Plain Murmur3 x86_32 (unsigned result). */
export function murmur3_32(data: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const len = data.length;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= data[blocks + 2]! << 16;
    if (tail >= 2) k ^= data[blocks + 1]! << 8;
    k ^= data[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export type HashingScheme = 'JavaStringHash' | 'Murmur3_32Hash';

/** Partition for a key under the Java client's hashing schemes. */
export function partitionForKey(
  key: string,
  numPartitions: number,
  scheme: HashingScheme = 'JavaStringHash',
): number {
  const h = scheme === 'Murmur3_32Hash' ? murmur3Hash(key) : javaStringHash(key);
  return h % numPartitions;
}
