// Schemas registered on a topic (the broker's schema registry).
import { parseTopicName, topicRestPath } from '../client/topic-name.js';
import type { AdminHttp } from './http.js';

export interface SchemaInfoJson {
  /** AVRO, JSON, PROTOBUF_NATIVE, STRING, KEY_VALUE, ... */
  type: string;
  /** Schema definition as a string (Avro / JSON schema text; base64 descriptor for PROTOBUF_NATIVE). */
  schema: string;
  properties?: Record<string, string>;
}

export interface StoredSchema extends SchemaInfoJson {
  version: number;
  timestamp?: number;
}

/** What the broker answers: the definition is in `data` (uploads send it as `schema`). */
interface SchemaResponse {
  version: number;
  type: string;
  timestamp?: number;
  data: string;
  properties?: Record<string, string>;
}

function stored(res: SchemaResponse): StoredSchema {
  return { version: res.version, type: res.type, timestamp: res.timestamp, schema: res.data, properties: res.properties ?? {} };
}

function schemaPath(topic: string): string {
  const t = parseTopicName(topic);
  // Schemas belong to the partitioned topic, not to its partitions.
  const local = t.partition >= 0 ? t.base.slice(t.base.lastIndexOf('/') + 1) : t.local;
  return `/admin/v2/schemas/${t.tenant}/${t.namespace}/${encodeURIComponent(local)}`;
}

/** Topic policies belong to the partitioned topic, not to its partitions. */
function policyPath(topic: string): string {
  const t = parseTopicName(topic);
  return `/admin/v2/${topicRestPath(t.partition >= 0 ? t.base : t.full)}`;
}

export class Schemas {
  constructor(private readonly http: AdminHttp) {}

  /** The latest schema, or undefined when the topic has none. */
  async latest(topic: string): Promise<StoredSchema | undefined> {
    try {
      return stored(await this.http.call<SchemaResponse>('GET', `${schemaPath(topic)}/schema`));
    } catch (err) {
      if ((err as { details?: { status?: number } }).details?.status === 404) return undefined;
      throw err;
    }
  }

  async version(topic: string, version: number): Promise<StoredSchema> {
    return stored(await this.http.call<SchemaResponse>('GET', `${schemaPath(topic)}/schema/${version}`));
  }

  /** Every version, oldest first. */
  async all(topic: string): Promise<StoredSchema[]> {
    const res = await this.http.call<{ getSchemaResponses: SchemaResponse[] }>('GET', `${schemaPath(topic)}/schemas`);
    return res.getSchemaResponses.map(stored);
  }

  /** Uploads a schema; answers the version the broker gave it. */
  async upload(topic: string, schema: SchemaInfoJson): Promise<number> {
    const res = await this.http.call<{ version: { version: number } | number }>('POST', `${schemaPath(topic)}/schema`, {
      type: schema.type,
      schema: schema.schema,
      properties: schema.properties ?? {},
    });
    return typeof res.version === 'number' ? res.version : res.version.version;
  }

  /**
   * The topic's schema compatibility strategy (a topic-level policy): ALWAYS_COMPATIBLE, ALWAYS_INCOMPATIBLE,
   * BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE, FULL_TRANSITIVE; UNDEFINED when unset.
   */
  async compatibility(topic: string): Promise<string> {
    const res = await this.http.call<string | undefined>('GET', `${policyPath(topic)}/schemaCompatibilityStrategy`);
    return res ?? 'UNDEFINED';
  }

  async setCompatibility(topic: string, strategy: string): Promise<void> {
    await this.http.call('PUT', `${policyPath(topic)}/schemaCompatibilityStrategy`, strategy);
  }

  async delete(topic: string): Promise<void> {
    await this.http.call('DELETE', `${schemaPath(topic)}/schema`);
  }
}
