// Dual-write mode pairs records by identity: the header / property the writer sets on both sides, else a
// digest of key and value (two records with the same key and value are then the same record).
import { createHash } from 'node:crypto';
import type { KafkaHeader } from '../mirror/record-mapping.js';
import type { DualWriteOptions } from './options.js';

export interface Identifiable {
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeader[];
}

export function identityFunction(options: DualWriteOptions): (r: Identifiable) => string {
  if (options.identity) return options.identity;
  const name = options.identityHeader ?? 'k2p-id';
  return (r) => {
    for (let i = r.headers.length - 1; i >= 0; i--) {
      const h = r.headers[i]!;
      if (h.key === name && h.value !== null) return `h:${h.value.toString('utf8')}`;
    }
    const hash = createHash('sha256');
    const part = (b: Buffer | null) => {
      const len = Buffer.alloc(5);
      if (b === null) len.writeInt8(-1, 0);
      else len.writeUInt32BE(b.length, 1);
      hash.update(len);
      if (b) hash.update(b);
    };
    part(r.key);
    part(r.value);
    return `d:${hash.digest('base64')}`;
  };
}
