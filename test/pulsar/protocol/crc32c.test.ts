import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CRC32C_IMPLEMENTATION, crc32c as crcInUse, crc32cJs } from '../../../src/pulsar/protocol/crc32c.js';

function bitwise(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

// Both implementations: the native one (when @node-rs/crc32 is installed) and our JavaScript fallback.
const implementations = [
  ['in use (' + CRC32C_IMPLEMENTATION + ')', crcInUse],
  ['javascript', crc32cJs],
] as const;

for (const [name, crc32c] of implementations) {
  test(`${name}: known CRC32C vectors`, () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    // RFC 3720 (iSCSI) B.4 test patterns
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
  });

  test(`${name}: slicing-by-8 agrees with the bit-by-bit definition at every length and alignment`, () => {
    const data = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 131 + 7) & 0xff));
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= data.length; end += 7) {
        assert.equal(crc32c(data, 0, start, end), bitwise(data.subarray(start, end)), `${start}..${end}`);
      }
    }
  });

  test(`${name}: incremental update equals one pass`, () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog, twice over.');
    const whole = crc32c(data);
    for (let cut = 0; cut <= data.length; cut++) {
      assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), whole);
    }
  });
}
