// A consumed record's key or value in its instance's embedded format: binary, json and string as bytes go
// (src/facade/v2/embedded.ts); avro, jsonschema and protobuf decoded to JSON through the registry (framed
// bytes, as Kafka holds them) or, for a Pulsar message carrying a schema version (a schema topic as the mirror
// writes it: the body without its registry header), with the topic's Pulsar schema of that version.
import type { FacadeCore } from '../facade.js';
import { isSchemaFormat } from '../schema/codecs.js';
import { CODES, RestError } from '../rest-error.js';
import { encodeEmbedded } from '../v2/embedded.js';
import type { ConsumedRecord, InstanceState } from './types.js';

export type RecordEncoder = (state: InstanceState, record: ConsumedRecord, part: 'key' | 'value') => Promise<unknown>;

export function recordEncoder(core: FacadeCore): RecordEncoder {
  return async (state, record, part) => {
    const bytes = record[part];
    if (!isSchemaFormat(state.format) || bytes === null) return encodeEmbedded(state.format, bytes);
    const schemas = core.schemas;
    if (!schemas) throw new RestError(CODES.UNSUPPORTED_MEDIA_TYPE, `the ${state.format} format needs a schema registry`);
    const what = `${record.topic}[${record.partition}]@${record.offset} ${part}`;
    if (part === 'value' && record.schemaVersion && record.pulsarTopic) return schemas.decodePulsar(record.pulsarTopic, record.schemaVersion, state.format, bytes, what);
    return schemas.decodeFramed(core.routes.lookup(record.topic), state.format, bytes, what);
  };
}
