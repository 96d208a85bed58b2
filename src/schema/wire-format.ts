// The Confluent Schema Registry wire format, bytes only, no I/O:
//   [0x00 magic][int32 big-endian schema id][body]                         Avro, JSON Schema
//   [0x00 magic][int32 big-endian schema id][message indexes][body]         Protobuf
// Protobuf message indexes: a zig-zag varint count, then that many zig-zag varints (the path of the message
// type inside the .proto: top-level index, then nested indexes). The common case "first message" [0] is
// written as one 0x00 byte (count 0).
import { K2pError } from '../errors.js';

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export interface Frame {
  schemaId: number;
  /** Where the body starts (5, or later for Protobuf message indexes). */
  bodyOffset: number;
}

export interface ProtobufFrame extends Frame {
  /** Message index path; [0] is the first message type of the file. */
  messageIndexes: number[];
}

/** True when the bytes start like a registry-framed value (magic byte 0 and room for a schema id). */
export function isFramed(value: Uint8Array | null): boolean {
  return value !== null && value.length >= HEADER_BYTES && value[0] === MAGIC_BYTE;
}

function frameError(message: string, details: Record<string, unknown>): K2pError {
  return new K2pError('K2P_SCH_FRAME', message, details);
}

/** Reads the 5-byte header. Throws K2P_SCH_FRAME when the value is not in the registry wire format. */
export function readFrame(value: Uint8Array): Frame {
  if (value.length < HEADER_BYTES) {
    throw frameError(`value of ${value.length} bytes is shorter than the 5-byte schema registry header`, { length: value.length, expected: 'magic byte 0 + 4-byte schema id' });
  }
  if (value[0] !== MAGIC_BYTE) {
    throw frameError(`value starts with byte 0x${value[0]!.toString(16).padStart(2, '0')}, not the schema registry magic byte 0x00`, { firstByte: value[0], expected: 'magic byte 0' });
  }
  const schemaId = ((value[1]! << 24) | (value[2]! << 16) | (value[3]! << 8) | value[4]!) >>> 0;
  return { schemaId, bodyOffset: HEADER_BYTES };
}

/** Reads one zig-zag varint (int32 range) at `pos`; answers the value and the position after it. */
function readZigZag(value: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= value.length) throw frameError('truncated varint in the Protobuf message indexes', { offset: pos });
    const byte = value[pos++]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw frameError('varint longer than 5 bytes in the Protobuf message indexes', { offset: pos });
  }
  return [(result >>> 1) ^ -(result & 1), pos];
}

/** Reads the header and the Protobuf message indexes after it. */
export function readProtobufFrame(value: Uint8Array): ProtobufFrame {
  const frame = readFrame(value);
  const [count, start] = readZigZag(value, frame.bodyOffset);
  let pos = start;
  if (count === 0) return { ...frame, bodyOffset: pos, messageIndexes: [0] };
  if (count < 0 || count > 100) throw frameError(`${count} Protobuf message indexes (expected 1..100)`, { count });
  const messageIndexes: number[] = [];
  for (let i = 0; i < count; i++) {
    let index: number;
    [index, pos] = readZigZag(value, pos);
    if (index < 0) throw frameError(`negative Protobuf message index ${index}`, { index });
    messageIndexes.push(index);
  }
  return { ...frame, bodyOffset: pos, messageIndexes };
}

/** The 5-byte header for a schema id (tests, tools). */
export function frameHeader(schemaId: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = MAGIC_BYTE;
  header.writeUInt32BE(schemaId >>> 0, 1);
  return header;
}

/** Protobuf message indexes as written after the header ([0] → a single 0 byte). */
export function encodeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  const zigzag = (n: number) => {
    let v = ((n << 1) ^ (n >> 31)) >>> 0;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  };
  zigzag(indexes.length);
  for (const i of indexes) zigzag(i);
  return Buffer.from(out);
}
