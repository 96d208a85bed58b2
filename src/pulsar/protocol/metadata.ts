// Hand-written decoders for the metadata every received message carries: SingleMessageMetadata (one per
// message of a batch) and MessageMetadata (one per entry). They run once per message read, so they are a
// tight loop over the tags of the known fields instead of the table-driven decoder (codec.ts), which
// spends most of its time looking fields up and dispatching on their kinds.
//
// They are exact: the object they build is the one decodeMessage(…Spec) builds (the same fields, set only
// when present, in field-number order; last value wins; unknown fields skipped; bytes as views). Anything
// off the common path — a known field with another wire type, a missing required field, a truncated or
// overlong varint, a field running past its message, encryption keys — is handed to the table-driven
// decoder, which then returns the same result or throws its own error. test/pulsar/protocol/metadata.test.ts
// compares both on random and corrupted inputs.
import { decodeMessage } from './codec.js';
import { CompressionTypeEnum, type CompressionType } from './enums.js';
import {
  MessageMetadataSpec,
  SingleMessageMetadataSpec,
  type KeyValue,
  type MessageMetadata,
  type SingleMessageMetadata,
} from './messages.js';

const TWO_32 = 4294967296;

/** Thrown inside the fast path only: "let the table-driven decoder do it". Never escapes this module. */
const FALLBACK = new Error('fall back to the table-driven decoder');

let fallbacks = 0;

/** How many decodes went to the table-driven decoder so far (tests check the fast path does the work). */
export function metadataFallbacks(): number {
  return fallbacks;
}

// Reader state, module-wide: decoding is synchronous and never re-entered.
let pos = 0;
/** Halves of the last varint read. */
let lo = 0;
let hi = 0;

/** Reads a varint at `pos` into lo/hi, as ProtoReader.varint64 does (at most 10 bytes, before `end`). */
function varint(buf: Buffer, end: number): void {
  let b = 0;
  let l = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw FALLBACK;
    b = buf[pos++]!;
    l |= (b & 0x7f) << shift;
    if (b < 0x80) {
      lo = l >>> 0;
      hi = 0;
      return;
    }
  }
  if (pos >= end) throw FALLBACK;
  b = buf[pos++]!;
  l |= (b & 0x0f) << 28;
  let h = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= end) throw FALLBACK;
      b = buf[pos++]!;
      h |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    if (b >= 0x80) throw FALLBACK;
  }
  lo = l >>> 0;
  hi = h >>> 0;
}

/** A varint's low 32 bits, unsigned (ProtoReader.uint32). */
function uint32(buf: Buffer, end: number): number {
  if (pos < end) {
    const b = buf[pos]!;
    if (b < 0x80) {
      pos++;
      return b;
    }
  }
  varint(buf, end);
  return lo;
}

function uint64(buf: Buffer, end: number): bigint {
  varint(buf, end);
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

function uint64n(buf: Buffer, end: number): number {
  varint(buf, end);
  return hi * TWO_32 + lo;
}

function int64n(buf: Buffer, end: number): number {
  varint(buf, end);
  if (hi & 0x80000000) return Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
  return hi * TWO_32 + lo;
}

/** Length of a length-delimited field, checked against `end`. */
function length(buf: Buffer, end: number): number {
  const len = uint32(buf, end);
  if (len > end - pos) throw FALLBACK;
  return len;
}

function bytes(buf: Buffer, end: number): Buffer {
  const len = length(buf, end);
  const start = pos;
  pos += len;
  return buf.subarray(start, pos);
}

function string(buf: Buffer, end: number): string {
  const len = length(buf, end);
  const start = pos;
  pos += len;
  return buf.toString('utf8', start, pos);
}

function skip(wireType: number, buf: Buffer, end: number): void {
  switch (wireType) {
    case 0:
      varint(buf, end);
      return;
    case 1:
      if (end - pos < 8) throw FALLBACK;
      pos += 8;
      return;
    case 2: {
      const len = length(buf, end); // not `pos += length(…)`: that adds to pos as it was before the length
      pos += len;
      return;
    }
    case 5:
      if (end - pos < 4) throw FALLBACK;
      pos += 4;
      return;
    default:
      throw FALLBACK;
  }
}

// Property keys and values repeat from message to message (the same names, often the same values): the
// string decoded last for each position is kept with its bytes, and bytes equal to them give it again.
const SLOTS = 32;
const SLOT_BYTES = 48;
const cachedText: string[] = new Array<string>(2 * SLOTS).fill('');
const cachedLength = new Int32Array(2 * SLOTS).fill(-1);
const cachedBytes = new Uint8Array(2 * SLOTS * SLOT_BYTES);

/** A string field, given again from `slot`'s cache when its bytes are the ones decoded last there. */
function cachedString(buf: Buffer, end: number, slot: number): string {
  const len = length(buf, end);
  const start = pos;
  pos += len;
  if (len > SLOT_BYTES) return buf.toString('utf8', start, pos);
  const base = slot * SLOT_BYTES;
  if (cachedLength[slot] === len) {
    let i = 0;
    while (i < len && cachedBytes[base + i] === buf[start + i]) i++;
    if (i === len) return cachedText[slot]!;
  }
  const text = buf.toString('utf8', start, pos);
  cachedText[slot] = text;
  cachedLength[slot] = len;
  for (let i = 0; i < len; i++) cachedBytes[base + i] = buf[start + i]!;
  return text;
}

/** A KeyValue (both fields required); its strings cached in slots `slot` and `slot + 1` (-1: not cached). */
function keyValue(buf: Buffer, outerEnd: number, slot: number): KeyValue {
  const len = length(buf, outerEnd);
  const end = pos + len;
  let key: string | undefined;
  let value: string | undefined;
  while (pos < end) {
    const tag = uint32(buf, end);
    if (tag === 0x0a) key = slot >= 0 ? cachedString(buf, end, slot) : string(buf, end);
    else if (tag === 0x12) value = slot >= 0 ? cachedString(buf, end, slot + 1) : string(buf, end);
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) throw FALLBACK;
    else skip(tag & 7, buf, end);
  }
  if (key === undefined || value === undefined) throw FALLBACK;
  return { key, value };
}

/** Properties given by decodeSingleMessageMetadataInto: the same list and objects every time. */
const reusedProperties: KeyValue[] = [];

/** A property into the reused list at `index` (its object rewritten). */
function reusedKeyValue(buf: Buffer, end: number, index: number): void {
  const kv = keyValue(buf, end, index < SLOTS ? 2 * index : -1);
  const at = reusedProperties[index];
  if (at === undefined) reusedProperties[index] = kv;
  else {
    at.key = kv.key;
    at.value = kv.value;
  }
}

/**
 * Decodes into `into` (every field set, undefined when absent; properties in a list reused by the next
 * call) when given, else into a new object holding only the fields present.
 */
function singleFast(
  buf: Buffer,
  start: number,
  end: number,
  into?: SingleMessageMetadataFields,
): SingleMessageMetadata {
  pos = start;
  let count = 0;
  let properties: KeyValue[] | undefined;
  let partitionKey: string | undefined;
  let payloadSize: number | undefined;
  let compactedOut: boolean | undefined;
  let eventTime: number | undefined;
  let partitionKeyB64Encoded: boolean | undefined;
  let orderingKey: Buffer | undefined;
  let sequenceId: bigint | undefined;
  let nullValue: boolean | undefined;
  let nullPartitionKey: boolean | undefined;
  while (pos < end) {
    const tag = uint32(buf, end);
    switch (tag) {
      case 0x0a: // 1 properties
        // Cached by place in the list: the n-th property of one message is most often the n-th of the last.
        if (into !== undefined) reusedKeyValue(buf, end, count);
        else if (properties === undefined) properties = [keyValue(buf, end, 0)];
        else properties.push(keyValue(buf, end, count < SLOTS ? 2 * count : -1));
        count++;
        break;
      case 0x12: // 2 partition_key
        partitionKey = string(buf, end);
        break;
      case 0x18: // 3 payload_size
        payloadSize = uint32(buf, end) | 0;
        break;
      case 0x20: // 4 compacted_out
        compactedOut = uint32(buf, end) !== 0;
        break;
      case 0x28: // 5 event_time
        eventTime = uint64n(buf, end);
        break;
      case 0x30: // 6 partition_key_b64_encoded
        partitionKeyB64Encoded = uint32(buf, end) !== 0;
        break;
      case 0x3a: // 7 ordering_key
        orderingKey = bytes(buf, end);
        break;
      case 0x40: // 8 sequence_id
        sequenceId = uint64(buf, end);
        break;
      case 0x48: // 9 null_value
        nullValue = uint32(buf, end) !== 0;
        break;
      case 0x50: // 10 null_partition_key
        nullPartitionKey = uint32(buf, end) !== 0;
        break;
      default: {
        const no = tag >>> 3;
        if (no >= 1 && no <= 10) throw FALLBACK; // a known field with another wire type
        skip(tag & 7, buf, end);
      }
    }
  }
  if (payloadSize === undefined) throw FALLBACK;
  if (into !== undefined) {
    reusedProperties.length = count;
    into.properties = count > 0 ? reusedProperties : undefined;
    into.partitionKey = partitionKey;
    into.payloadSize = payloadSize;
    into.compactedOut = compactedOut;
    into.eventTime = eventTime;
    into.partitionKeyB64Encoded = partitionKeyB64Encoded;
    into.orderingKey = orderingKey;
    into.sequenceId = sequenceId;
    into.nullValue = nullValue;
    into.nullPartitionKey = nullPartitionKey;
    return into as unknown as SingleMessageMetadata;
  }
  const out = {} as SingleMessageMetadata;
  if (properties !== undefined) out.properties = properties;
  if (partitionKey !== undefined) out.partitionKey = partitionKey;
  out.payloadSize = payloadSize;
  if (compactedOut !== undefined) out.compactedOut = compactedOut;
  if (eventTime !== undefined) out.eventTime = eventTime;
  if (partitionKeyB64Encoded !== undefined) out.partitionKeyB64Encoded = partitionKeyB64Encoded;
  if (orderingKey !== undefined) out.orderingKey = orderingKey;
  if (sequenceId !== undefined) out.sequenceId = sequenceId;
  if (nullValue !== undefined) out.nullValue = nullValue;
  if (nullPartitionKey !== undefined) out.nullPartitionKey = nullPartitionKey;
  return out;
}

/** SingleMessageMetadata in `buf[start, end)`: what decodeMessage(SingleMessageMetadataSpec, …) gives. */
export function decodeSingleMessageMetadata(buf: Buffer, start = 0, end = buf.length): SingleMessageMetadata {
  try {
    return singleFast(buf, start, end);
  } catch {
    fallbacks++;
    return decodeMessage(SingleMessageMetadataSpec, buf, start, end);
  }
}

/** Every field of SingleMessageMetadata, set or undefined: what decodeSingleMessageMetadataInto fills. */
type Fields = keyof SingleMessageMetadata;
export type SingleMessageMetadataFields = { [K in Fields]: SingleMessageMetadata[K] | undefined };

/** A SingleMessageMetadataFields to reuse, every field undefined (one shape for all messages). */
export function emptySingleMessageMetadata(): SingleMessageMetadataFields {
  return {
    properties: undefined,
    partitionKey: undefined,
    payloadSize: undefined,
    compactedOut: undefined,
    eventTime: undefined,
    partitionKeyB64Encoded: undefined,
    orderingKey: undefined,
    sequenceId: undefined,
    nullValue: undefined,
    nullPartitionKey: undefined,
  };
}

/**
 * The same as decodeSingleMessageMetadata, without a new object per message: the fields go into `into`
 * (absent ones set to undefined) and the properties into a list and objects the next call reuses — read
 * them before decoding the next message. Returns `into`'s fields (or, for metadata off the fast path, the
 * table-driven decoder's new object).
 */
export function decodeSingleMessageMetadataInto(
  buf: Buffer,
  start: number,
  end: number,
  into: SingleMessageMetadataFields,
): SingleMessageMetadata {
  try {
    return singleFast(buf, start, end, into);
  } catch {
    fallbacks++;
    return decodeMessage(SingleMessageMetadataSpec, buf, start, end);
  }
}

const compressionByValue = CompressionTypeEnum.byValue;
const metadataFields = MessageMetadataSpec.byNo;

function metadataFast(buf: Buffer, start: number, end: number): MessageMetadata {
  pos = start;
  let producerName: string | undefined;
  let sequenceId: bigint | undefined;
  let publishTime: number | undefined;
  let properties: KeyValue[] | undefined;
  let replicatedFrom: string | undefined;
  let partitionKey: string | undefined;
  let replicateTo: string[] | undefined;
  let compression: CompressionType | undefined;
  let uncompressedSize: number | undefined;
  let numMessagesInBatch: number | undefined;
  let eventTime: number | undefined;
  let encryptionAlgo: string | undefined;
  let encryptionParam: Buffer | undefined;
  let schemaVersion: Buffer | undefined;
  let partitionKeyB64Encoded: boolean | undefined;
  let orderingKey: Buffer | undefined;
  let deliverAtTime: number | undefined;
  let markerType: number | undefined;
  let txnidLeastBits: bigint | undefined;
  let txnidMostBits: bigint | undefined;
  let highestSequenceId: bigint | undefined;
  let nullValue: boolean | undefined;
  let uuid: string | undefined;
  let numChunksFromMsg: number | undefined;
  let totalChunkMsgSize: number | undefined;
  let chunkId: number | undefined;
  let nullPartitionKey: boolean | undefined;
  while (pos < end) {
    const tag = uint32(buf, end);
    switch (tag) {
      case 0x0a: // 1 producer_name
        producerName = string(buf, end);
        break;
      case 0x10: // 2 sequence_id
        sequenceId = uint64(buf, end);
        break;
      case 0x18: // 3 publish_time
        publishTime = uint64n(buf, end);
        break;
      case 0x22: // 4 properties
        if (properties === undefined) properties = [keyValue(buf, end, -1)];
        else properties.push(keyValue(buf, end, -1));
        break;
      case 0x2a: // 5 replicated_from
        replicatedFrom = string(buf, end);
        break;
      case 0x32: // 6 partition_key
        partitionKey = string(buf, end);
        break;
      case 0x3a: // 7 replicate_to
        if (replicateTo === undefined) replicateTo = [string(buf, end)];
        else replicateTo.push(string(buf, end));
        break;
      case 0x40: {
        // 8 compression: an unknown number leaves the field as it was (proto2 unknown enum value)
        const c = compressionByValue.get(uint32(buf, end) | 0);
        if (c !== undefined) compression = c;
        break;
      }
      case 0x48: // 9 uncompressed_size
        uncompressedSize = uint32(buf, end);
        break;
      case 0x58: // 11 num_messages_in_batch
        numMessagesInBatch = uint32(buf, end) | 0;
        break;
      case 0x60: // 12 event_time
        eventTime = uint64n(buf, end);
        break;
      case 0x72: // 14 encryption_algo
        encryptionAlgo = string(buf, end);
        break;
      case 0x7a: // 15 encryption_param
        encryptionParam = bytes(buf, end);
        break;
      case 0x82: // 16 schema_version
        schemaVersion = bytes(buf, end);
        break;
      case 0x88: // 17 partition_key_b64_encoded
        partitionKeyB64Encoded = uint32(buf, end) !== 0;
        break;
      case 0x92: // 18 ordering_key
        orderingKey = bytes(buf, end);
        break;
      case 0x98: // 19 deliver_at_time
        deliverAtTime = int64n(buf, end);
        break;
      case 0xa0: // 20 marker_type
        markerType = uint32(buf, end) | 0;
        break;
      case 0xb0: // 22 txnid_least_bits
        txnidLeastBits = uint64(buf, end);
        break;
      case 0xb8: // 23 txnid_most_bits
        txnidMostBits = uint64(buf, end);
        break;
      case 0xc0: // 24 highest_sequence_id
        highestSequenceId = uint64(buf, end);
        break;
      case 0xc8: // 25 null_value
        nullValue = uint32(buf, end) !== 0;
        break;
      case 0xd2: // 26 uuid
        uuid = string(buf, end);
        break;
      case 0xd8: // 27 num_chunks_from_msg
        numChunksFromMsg = uint32(buf, end) | 0;
        break;
      case 0xe0: // 28 total_chunk_msg_size
        totalChunkMsgSize = uint32(buf, end) | 0;
        break;
      case 0xe8: // 29 chunk_id
        chunkId = uint32(buf, end) | 0;
        break;
      case 0xf0: // 30 null_partition_key
        nullPartitionKey = uint32(buf, end) !== 0;
        break;
      default: {
        const no = tag >>> 3;
        // A known field with another wire type, or encryption_keys (13): the table-driven decoder's job.
        if (no < metadataFields.length && metadataFields[no] !== undefined) throw FALLBACK;
        skip(tag & 7, buf, end);
      }
    }
  }
  if (producerName === undefined || sequenceId === undefined || publishTime === undefined) throw FALLBACK;
  const out = { producerName, sequenceId, publishTime } as MessageMetadata;
  if (properties !== undefined) out.properties = properties;
  if (replicatedFrom !== undefined) out.replicatedFrom = replicatedFrom;
  if (partitionKey !== undefined) out.partitionKey = partitionKey;
  if (replicateTo !== undefined) out.replicateTo = replicateTo;
  if (compression !== undefined) out.compression = compression;
  if (uncompressedSize !== undefined) out.uncompressedSize = uncompressedSize;
  if (numMessagesInBatch !== undefined) out.numMessagesInBatch = numMessagesInBatch;
  if (eventTime !== undefined) out.eventTime = eventTime;
  if (encryptionAlgo !== undefined) out.encryptionAlgo = encryptionAlgo;
  if (encryptionParam !== undefined) out.encryptionParam = encryptionParam;
  if (schemaVersion !== undefined) out.schemaVersion = schemaVersion;
  if (partitionKeyB64Encoded !== undefined) out.partitionKeyB64Encoded = partitionKeyB64Encoded;
  if (orderingKey !== undefined) out.orderingKey = orderingKey;
  if (deliverAtTime !== undefined) out.deliverAtTime = deliverAtTime;
  if (markerType !== undefined) out.markerType = markerType;
  if (txnidLeastBits !== undefined) out.txnidLeastBits = txnidLeastBits;
  if (txnidMostBits !== undefined) out.txnidMostBits = txnidMostBits;
  if (highestSequenceId !== undefined) out.highestSequenceId = highestSequenceId;
  if (nullValue !== undefined) out.nullValue = nullValue;
  if (uuid !== undefined) out.uuid = uuid;
  if (numChunksFromMsg !== undefined) out.numChunksFromMsg = numChunksFromMsg;
  if (totalChunkMsgSize !== undefined) out.totalChunkMsgSize = totalChunkMsgSize;
  if (chunkId !== undefined) out.chunkId = chunkId;
  if (nullPartitionKey !== undefined) out.nullPartitionKey = nullPartitionKey;
  return out;
}

/** MessageMetadata in `buf[start, end)`: what decodeMessage(MessageMetadataSpec, …) gives. */
export function decodeMessageMetadata(buf: Buffer, start = 0, end = buf.length): MessageMetadata {
  try {
    return metadataFast(buf, start, end);
  } catch {
    fallbacks++;
    return decodeMessage(MessageMetadataSpec, buf, start, end);
  }
}
