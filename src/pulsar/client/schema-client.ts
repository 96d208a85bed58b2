// Topic schemas over the binary protocol: GetSchema and GetOrCreateSchema.
import { K2pError } from '../../errors.js';
import type { Schema } from '../protocol/index.js';
import type { ClientContext } from './context.js';
import { serverError } from './server-errors.js';

export class SchemaClient {
  constructor(private readonly ctx: ClientContext) {}

  /** The topic's schema (latest, or a given version); undefined when the topic has none. */
  async get(topic: string, version?: Uint8Array): Promise<{ schema: Schema; version: Buffer } | undefined> {
    const conn = await this.ctx.connectionFor(topic);
    const res = await conn.request({ type: 'GET_SCHEMA', requestId: conn.newRequestId(), topic, schemaVersion: version }, 'GET_SCHEMA_RESPONSE');
    if (res.errorCode === 'TopicNotFound' || (res.errorCode && /not found/i.test(res.errorMessage ?? ''))) return undefined;
    if (res.errorCode) throw serverError(res.errorCode, res.errorMessage, { topic, request: 'GET_SCHEMA' });
    if (!res.schema) return undefined;
    return { schema: res.schema, version: Buffer.from(res.schemaVersion ?? []) };
  }

  /** Registers the schema on the topic if it is new (and compatible); answers its version. */
  async getOrCreate(topic: string, schema: Schema): Promise<Buffer> {
    const conn = await this.ctx.connectionFor(topic);
    const res = await conn.request({ type: 'GET_OR_CREATE_SCHEMA', requestId: conn.newRequestId(), topic, schema }, 'GET_OR_CREATE_SCHEMA_RESPONSE');
    if (res.errorCode) throw serverError(res.errorCode, res.errorMessage, { topic, request: 'GET_OR_CREATE_SCHEMA' });
    if (!res.schemaVersion) throw new K2pError('K2P_PLS_DECODE', `GET_OR_CREATE_SCHEMA for ${topic} answered no version`, { topic });
    return Buffer.from(res.schemaVersion);
  }
}
