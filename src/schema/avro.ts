// Avro (.avsc) registry schemas → Pulsar AVRO schemas. The body of a record is Avro binary already, as Pulsar
// wants it: only the schema moves, never the data. Schema references (named types defined in other subjects)
// are inlined, so the Pulsar schema stands alone as Pulsar's clients need it.
import avro from 'avsc';
import { K2pError } from '../errors.js';
import type { PulsarSchemaInfo } from './pulsar-schema.js';
import type { ResolvedSchema } from './registry-client.js';

type AvroType = ReturnType<typeof avro.Type.forSchema>;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new K2pError('K2P_SCH_TRANSLATE', `${what} is not valid JSON: ${(err as Error).message}`, { what });
  }
}

/** The avsc type of a registry schema with its references (to validate bodies, or to encode JSON values). */
export function avroType(schema: Pick<ResolvedSchema, 'schema' | 'resolved' | 'id'>): AvroType {
  const registry: Record<string, AvroType> = {};
  try {
    for (const ref of schema.resolved) avro.Type.forSchema(parseJson(ref.schema.schema, `referenced schema ${ref.name}`) as avro.Schema, { registry });
    return avro.Type.forSchema(parseJson(schema.schema, `schema id ${schema.id}`) as avro.Schema, { registry });
  } catch (err) {
    if (err instanceof K2pError) throw err;
    throw new K2pError('K2P_SCH_TRANSLATE', `schema id ${schema.id} is not a valid Avro schema: ${(err as Error).message}`, { schemaId: schema.id });
  }
}

function fullName(schema: unknown): string {
  if (typeof schema === 'string') return schema;
  if (schema && typeof schema === 'object' && !Array.isArray(schema)) {
    const s = schema as { name?: string; namespace?: string; type?: unknown };
    if (typeof s.name === 'string') return s.name.includes('.') || !s.namespace ? s.name : `${s.namespace}.${s.name}`;
    if (typeof s.type === 'string') return s.type;
  }
  return 'union';
}

/**
 * The Pulsar AVRO schema for a registry Avro schema. Without references the registered text is used as it is
 * (validated); with references, avsc's canonical export, which defines each named type where it is first used.
 */
export function avroToPulsar(schema: ResolvedSchema): PulsarSchemaInfo {
  const type = avroType(schema);
  const data = schema.resolved.length === 0 ? schema.schema : JSON.stringify(type.schema({ exportAttrs: true }));
  return { type: 'Avro', name: fullName(parseJson(schema.schema, `schema id ${schema.id}`)), data: Buffer.from(data, 'utf8'), properties: {} };
}

/** True when `body` is exactly one value of `type` (no bytes missing, none left over). */
export function avroBodyValid(type: AvroType, body: Buffer): boolean {
  try {
    const { offset } = type.decode(body, 0);
    return offset === body.length;
  } catch {
    return false;
  }
}
