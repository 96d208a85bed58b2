// What a translator produces: a Pulsar SchemaInfo described without protocol types (the mirror hands it to
// the Pulsar client's GetOrCreateSchema). `type` uses the names of Pulsar's Schema.Type enum.
export type PulsarSchemaType = 'Avro' | 'Json' | 'ProtobufNative' | 'String' | 'KeyValue';

export interface PulsarSchemaInfo {
  type: PulsarSchemaType;
  /** Pulsar requires a name; we use the record / message full name. */
  name: string;
  /** Schema data as Pulsar stores it (Avro JSON text, JSON's Avro-form definition, ProtobufNativeSchemaData JSON, ...). */
  data: Buffer;
  properties: Record<string, string>;
}

/** The stable identity of a schema (type + data + properties): equal keys register as the same Pulsar version. */
export function schemaKey(info: PulsarSchemaInfo): string {
  const props = Object.keys(info.properties)
    .sort()
    .map((k) => `${k}=${info.properties[k]}`)
    .join('&');
  return `${info.type}\u0000${info.data.toString('base64')}\u0000${props}`;
}
