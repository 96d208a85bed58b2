// Hand-written encoder for SingleMessageMetadata, which every message of a batch carries: the producer writes
// one per message sent, so it is straight-line code over the known fields instead of the table-driven
// encoder (codec.ts), which looks each field up and dispatches on its kind. It writes exactly the bytes
// encodeFields(SingleMessageMetadataSpec, …) writes (the same fields in field-number order, set ones only);
// a required field missing goes to encodeFields, which throws its own error.
// test/pulsar/protocol/metadata-encoder.test.ts compares both on random metadata.
import { encodeFields } from './codec.js';
import { SingleMessageMetadataSpec, type SingleMessageMetadata } from './messages.js';
import { WIRE_LEN, WIRE_VARINT, type ProtoWriter } from './protobuf.js';

const isSet = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;

export function encodeSingleMessageMetadata(w: ProtoWriter, m: SingleMessageMetadata): void {
  if (!isSet(m.payloadSize)) return encodeFields(w, SingleMessageMetadataSpec, m);
  const properties = m.properties;
  if (isSet(properties)) {
    for (let i = 0; i < properties.length; i++) {
      const kv = properties[i]!;
      // A property without its key or value: encodeFields throws its error (the batch is not sent).
      if (!isSet(kv) || !isSet(kv.key) || !isSet(kv.value)) return encodeFields(w, SingleMessageMetadataSpec, m);
      w.fork(1);
      w.tag(1, WIRE_LEN);
      w.string(kv.key);
      w.tag(2, WIRE_LEN);
      w.string(kv.value);
      w.join();
    }
  }
  if (isSet(m.partitionKey)) {
    w.tag(2, WIRE_LEN);
    w.string(m.partitionKey);
  }
  w.tag(3, WIRE_VARINT);
  w.int32(m.payloadSize);
  if (isSet(m.compactedOut)) {
    w.tag(4, WIRE_VARINT);
    w.bool(m.compactedOut);
  }
  if (isSet(m.eventTime)) {
    w.tag(5, WIRE_VARINT);
    w.uint64n(m.eventTime);
  }
  if (isSet(m.partitionKeyB64Encoded)) {
    w.tag(6, WIRE_VARINT);
    w.bool(m.partitionKeyB64Encoded);
  }
  if (isSet(m.orderingKey)) {
    w.tag(7, WIRE_LEN);
    w.bytes(m.orderingKey);
  }
  if (isSet(m.sequenceId)) {
    w.tag(8, WIRE_VARINT);
    w.uint64(m.sequenceId);
  }
  if (isSet(m.nullValue)) {
    w.tag(9, WIRE_VARINT);
    w.bool(m.nullValue);
  }
  if (isSet(m.nullPartitionKey)) {
    w.tag(10, WIRE_VARINT);
    w.bool(m.nullPartitionKey);
  }
}
