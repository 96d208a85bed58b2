// Collects messages for one batch entry and turns them into (metadata, payload) once full or due.
// A batch of one message is sent as a plain message: consumers then see a message id without batch index.
import {
  compress,
  encodeBatch,
  type BatchMessageInput,
  type CompressionType,
  type KeyValue,
  type MessageMetadata,
  type SingleMessageMetadata,
} from '../protocol/index.js';
import type { OutgoingMessage } from './message.js';

export interface BatchLimits {
  maxMessages: number;
  maxBytes: number;
}

/** What the producer puts on the wire for one entry. */
export interface BuiltEntry {
  metadata: MessageMetadata;
  payload: Buffer;
  sequenceId: bigint;
  highestSequenceId: bigint;
  numMessages: number;
  /** Uncompressed size, for the max-message-size check before chunking. */
  uncompressedSize: number;
}

export function propertiesList(properties: Record<string, string> | undefined): KeyValue[] | undefined {
  if (!properties) return undefined;
  // A loop over the keys: Object.entries + map build two arrays per pair, and this runs for every message.
  const keys = Object.keys(properties);
  if (keys.length === 0) return undefined;
  const list = new Array<KeyValue>(keys.length);
  for (let i = 0; i < keys.length; i++) list[i] = { key: keys[i]!, value: properties[keys[i]!]! };
  return list;
}

function orderingKeyBytes(key: string | Uint8Array | undefined): Uint8Array | undefined {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
}

/**
 * The per-message fields shared by MessageMetadata and SingleMessageMetadata, built as one literal
 * (spreading into per-message objects is slow on V8 and this runs for every message).
 */
function perMessageFields(msg: OutgoingMessage, sequenceId?: bigint): SingleMessageMetadata {
  const key = msg.key;
  const binaryKey = key !== undefined && typeof key !== 'string';
  return {
    partitionKey: key === undefined ? undefined : binaryKey ? Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64') : key,
    partitionKeyB64Encoded: binaryKey ? true : undefined,
    properties: propertiesList(msg.properties),
    orderingKey: orderingKeyBytes(msg.orderingKey),
    eventTime: msg.eventTime || undefined,
    nullValue: msg.payload === null ? true : undefined,
    sequenceId,
    payloadSize: msg.payload?.length ?? 0,
  };
}

/** One message on its own (not in a batch): all its fields go into MessageMetadata. */
export function buildSingle(
  msg: OutgoingMessage,
  sequenceId: bigint,
  producerName: string,
  compression: CompressionType,
  schemaVersion: Uint8Array | undefined,
): BuiltEntry {
  const raw = msg.payload ?? Buffer.alloc(0);
  const fields = perMessageFields(msg);
  const metadata: MessageMetadata = {
    producerName,
    sequenceId,
    publishTime: Date.now(),
    partitionKey: fields.partitionKey,
    partitionKeyB64Encoded: fields.partitionKeyB64Encoded,
    properties: fields.properties,
    orderingKey: fields.orderingKey,
    eventTime: fields.eventTime,
    nullValue: fields.nullValue,
  };
  const version = msg.schemaVersion ?? schemaVersion;
  if (version) metadata.schemaVersion = version;
  const payload = compress(compression, raw);
  if (compression !== 'NONE') {
    metadata.compression = compression;
    metadata.uncompressedSize = raw.length;
  }
  return { metadata, payload, sequenceId, highestSequenceId: sequenceId, numMessages: 1, uncompressedSize: raw.length };
}

export class BatchBuilder {
  private messages: OutgoingMessage[] = [];
  private sequenceIds: bigint[] = [];
  private bytes = 0;
  private schemaVersion: Uint8Array | undefined;

  constructor(private readonly limits: BatchLimits) {}

  get size(): number {
    return this.messages.length;
  }

  /** False when the message cannot join this batch (different schema version); flush first. */
  canAdd(msg: OutgoingMessage, defaultSchemaVersion: Uint8Array | undefined): boolean {
    if (this.messages.length === 0) return true;
    const version = msg.schemaVersion ?? defaultSchemaVersion;
    return sameBytes(version, this.schemaVersion);
  }

  add(msg: OutgoingMessage, sequenceId: bigint, defaultSchemaVersion: Uint8Array | undefined): void {
    if (this.messages.length === 0) this.schemaVersion = msg.schemaVersion ?? defaultSchemaVersion;
    this.messages.push(msg);
    this.sequenceIds.push(sequenceId);
    this.bytes += msg.payload?.length ?? 0;
  }

  get full(): boolean {
    return this.messages.length >= this.limits.maxMessages || this.bytes >= this.limits.maxBytes;
  }

  /** Builds the entry and empties the builder. */
  build(producerName: string, compression: CompressionType): BuiltEntry {
    const messages = this.messages;
    const sequenceIds = this.sequenceIds;
    const schemaVersion = this.schemaVersion;
    this.messages = [];
    this.sequenceIds = [];
    this.bytes = 0;
    this.schemaVersion = undefined;
    if (messages.length === 1) return buildSingle(messages[0]!, sequenceIds[0]!, producerName, compression, schemaVersion);

    const inputs: BatchMessageInput[] = messages.map((msg, i) => ({
      metadata: perMessageFields(msg, sequenceIds[i]!),
      payload: msg.payload,
    }));
    const raw = encodeBatch(inputs);
    const sequenceId = sequenceIds[0]!;
    const highestSequenceId = sequenceIds[sequenceIds.length - 1]!;
    const metadata: MessageMetadata = {
      producerName,
      sequenceId,
      publishTime: Date.now(),
      numMessagesInBatch: messages.length,
      highestSequenceId,
    };
    if (schemaVersion) metadata.schemaVersion = schemaVersion;
    const payload = compress(compression, raw);
    if (compression !== 'NONE') {
      metadata.compression = compression;
      metadata.uncompressedSize = raw.length;
    }
    return { metadata, payload, sequenceId, highestSequenceId, numMessages: messages.length, uncompressedSize: raw.length };
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return Buffer.compare(a, b) === 0;
}
