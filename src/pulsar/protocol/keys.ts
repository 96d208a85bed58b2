// Message keys: Pulsar keys are strings; binary keys travel base64-encoded with partition_key_b64_encoded.
// Works for MessageMetadata and SingleMessageMetadata alike (same field names).

export interface KeyFields {
  partitionKey?: string;
  partitionKeyB64Encoded?: boolean;
  nullPartitionKey?: boolean;
}

/** Fields to set for a key: strings as they are, bytes as base64, null as "no key". */
export function keyFields(key: string | Uint8Array | null | undefined): KeyFields {
  if (key === undefined) return {};
  if (key === null) return { nullPartitionKey: true };
  if (typeof key === 'string') return { partitionKey: key };
  return {
    partitionKey: Buffer.from(key.buffer, key.byteOffset, key.length).toString('base64'),
    partitionKeyB64Encoded: true,
  };
}

/** The key as bytes (base64-decoded when flagged), or null when there is none. */
export function keyBytes(meta: KeyFields): Buffer | null {
  if (meta.partitionKey === undefined || meta.nullPartitionKey) return null;
  return meta.partitionKeyB64Encoded
    ? Buffer.from(meta.partitionKey, 'base64')
    : Buffer.from(meta.partitionKey, 'utf8');
}
