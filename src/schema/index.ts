// Schema translation: registry client, wire-format detection, one translator per format.
export { HEADER_BYTES, MAGIC_BYTE, encodeMessageIndexes, frameHeader, isFramed, readFrame, readProtobufFrame, type Frame, type ProtobufFrame } from './wire-format.js';
export { RegistryClient, type RegisteredSchema, type RegistryClientOptions, type RegistrySchemaType, type ResolvedSchema, type SchemaReference, type SubjectVersion } from './registry-client.js';
export { SUBJECT_STRATEGIES, subjectName, topicSubjects, type SubjectStrategy } from './subjects.js';
export { PULSAR_STRATEGIES, pulsarStrategy, type PulsarStrategy } from './compatibility.js';
export { schemaKey, type PulsarSchemaInfo, type PulsarSchemaType } from './pulsar-schema.js';
export { avroBodyValid, avroToPulsar, avroType } from './avro.js';
export { jsonSchemaToAvro, jsonSchemaToPulsar } from './json-schema.js';
export { fileDescriptors, messageName, protobufToPulsar, protobufType } from './protobuf.js';
export { SchemaTranslator, translateSchema, type Translation } from './translate.js';
export { JAVA_SCHEMA_TYPE, canonicalText, keyDecoder, keyValueSchemaInfo, splitKeyValueSchemaData } from './keys.js';
