// A Confluent-compatible Schema Registry client (REST, JSON): schemas by id and by subject/version, subjects,
// compatibility levels. Schemas by id and by numbered version never change, so they are cached for the life
// of the client (the hot path asks once per id); a failed lookup is not cached. Basic auth, a timeout per
// call and retries with backoff for what can succeed later (network errors, 429, 5xx).
import { K2pError } from '../errors.js';

export type RegistrySchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface SchemaReference {
  /** Avro: the referenced type's full name; JSON Schema: the $ref URL; Protobuf: the import path. */
  name: string;
  subject: string;
  version: number;
}

export interface RegisteredSchema {
  id: number;
  schemaType: RegistrySchemaType;
  /** The schema text as registered (.avsc JSON, JSON Schema, .proto text or base64 FileDescriptorProto). */
  schema: string;
  references: SchemaReference[];
}

export interface SubjectVersion extends RegisteredSchema {
  subject: string;
  version: number;
}

/** A referenced schema with what it references in turn, resolved depth first. */
export interface ResolvedSchema extends RegisteredSchema {
  /** Every schema referenced, directly or not, by reference name; dependencies before their dependents. */
  resolved: { name: string; schema: SubjectVersion }[];
}

export interface RegistryClientOptions {
  /** Base URL of the Confluent-compatible API (e.g. http://localhost:8081 or .../apis/ccompat/v7). */
  url: string;
  basicAuth?: { username: string; password: string };
  /** Per HTTP call. Default 5000 ms. */
  timeoutMs?: number;
  /** Further attempts for retriable failures. Default 3. */
  retries?: number;
  /** First backoff; doubles per attempt. Default 200 ms. */
  retryDelayMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const RETRIABLE = new Set([408, 429, 500, 502, 503, 504]);

interface SchemaAnswer {
  id?: number;
  subject?: string;
  version?: number;
  schema: string;
  schemaType?: RegistrySchemaType;
  references?: SchemaReference[];
}

class NotFound extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export class RegistryClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  readonly #authorization: string | undefined;
  private readonly byId = new Map<number, Promise<RegisteredSchema>>();
  private readonly byVersion = new Map<string, Promise<SubjectVersion>>();
  /** Calls made (tests and benchmarks check the cache with it). */
  calls = 0;

  constructor(options: RegistryClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.#authorization = options.basicAuth ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}` : undefined;
  }

  get url(): string {
    return this.base;
  }

  /** The schema with this id. K2P_SCH_UNKNOWN_ID when the registry does not know it, K2P_SCH_REGISTRY when it cannot be asked. */
  schemaById(id: number): Promise<RegisteredSchema> {
    return this.cached(this.byId, id, async () => {
      try {
        const a = await this.get<SchemaAnswer>(`/schemas/ids/${id}`);
        return { id, schemaType: a.schemaType ?? 'AVRO', schema: a.schema, references: a.references ?? [] };
      } catch (err) {
        if (err instanceof NotFound) {
          throw new K2pError('K2P_SCH_UNKNOWN_ID', `schema id ${id} is not known to the registry at ${this.base} (${err.message})`, { schemaId: id, status: err.status, registryErrorCode: err.errorCode });
        }
        throw err;
      }
    });
  }

  /** A subject's version (a number, or 'latest', which is not cached). */
  subjectVersion(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    const load = async (): Promise<SubjectVersion> => {
      try {
        const a = await this.get<SchemaAnswer>(`/subjects/${encodeURIComponent(subject)}/versions/${version}`);
        return { id: a.id!, subject, version: a.version!, schemaType: a.schemaType ?? 'AVRO', schema: a.schema, references: a.references ?? [] };
      } catch (err) {
        if (err instanceof NotFound) {
          // Confluent answers 40401 for an unknown subject, Apicurio 40402: both mean "not there".
          throw new K2pError('K2P_SCH_UNKNOWN_ID', `subject "${subject}" version ${version} is not in the registry (${err.message})`, { subject, version, status: err.status, registryErrorCode: err.errorCode });
        }
        throw err;
      }
    };
    return version === 'latest' ? load() : this.cached(this.byVersion, `${subject}\u0000${version}`, load);
  }

  async subjects(): Promise<string[]> {
    return this.get<string[]>('/subjects');
  }

  /** The versions of a subject, oldest first; [] when the subject does not exist. */
  async versions(subject: string): Promise<number[]> {
    try {
      return await this.get<number[]>(`/subjects/${encodeURIComponent(subject)}/versions`);
    } catch (err) {
      if (err instanceof NotFound) return [];
      throw err;
    }
  }

  /** The compatibility level of a subject, or the global one when the subject has none. */
  async compatibility(subject?: string): Promise<string> {
    if (subject !== undefined) {
      try {
        const a = await this.get<{ compatibilityLevel?: string; compatibility?: string }>(`/config/${encodeURIComponent(subject)}`);
        const level = a.compatibilityLevel ?? a.compatibility;
        if (level) return level;
      } catch (err) {
        if (!(err instanceof NotFound)) throw err;
      }
    }
    const global = await this.get<{ compatibilityLevel?: string; compatibility?: string }>('/config');
    return global.compatibilityLevel ?? global.compatibility ?? 'BACKWARD';
  }

  /**
   * Registers a schema under a subject (or finds it there): its id. A schema the registry refuses (invalid, or
   * incompatible with the subject's versions) is K2P_SCH_TRANSLATE with the registry's status and message.
   */
  async register(subject: string, schema: string, schemaType: RegistrySchemaType = 'AVRO', references: SchemaReference[] = []): Promise<number> {
    const body: Record<string, unknown> = { schema };
    if (schemaType !== 'AVRO') body.schemaType = schemaType;
    if (references.length > 0) body.references = references;
    try {
      const a = await this.request<{ id: number }>(`/subjects/${encodeURIComponent(subject)}/versions`, JSON.stringify(body));
      return a.id;
    } catch (err) {
      if (err instanceof NotFound || (err instanceof K2pError && !err.canRetry && typeof err.details.status === 'number' && (err.details.status as number) < 500)) {
        const status = err instanceof NotFound ? err.status : (err as K2pError).details.status;
        throw new K2pError('K2P_SCH_TRANSLATE', `the registry refused the schema for subject "${subject}": ${err.message}`, { subject, status });
      }
      throw err;
    }
  }

  /** Where a schema stands under a subject (its id and version), or undefined when the subject does not hold it. */
  async lookup(subject: string, schema: Pick<RegisteredSchema, 'schema' | 'schemaType' | 'references'>): Promise<{ id: number; version: number } | undefined> {
    const body: Record<string, unknown> = { schema: schema.schema };
    if (schema.schemaType !== 'AVRO') body.schemaType = schema.schemaType;
    if (schema.references.length > 0) body.references = schema.references;
    try {
      const a = await this.request<{ id: number; version: number }>(`/subjects/${encodeURIComponent(subject)}`, JSON.stringify(body));
      return { id: a.id, version: a.version };
    } catch (err) {
      if (err instanceof NotFound) return undefined;
      throw err;
    }
  }

  /** The schema and everything it references (transitively), dependencies first. */
  async resolve(schema: RegisteredSchema): Promise<ResolvedSchema> {
    const resolved: { name: string; schema: SubjectVersion }[] = [];
    const seen = new Set<string>();
    const visit = async (refs: SchemaReference[], path: string[]) => {
      for (const ref of refs) {
        const key = `${ref.subject}\u0000${ref.version}`;
        if (path.includes(key)) throw new K2pError('K2P_SCH_TRANSLATE', `schema references form a cycle through ${ref.subject} version ${ref.version}`, { subject: ref.subject, version: ref.version });
        if (seen.has(key)) continue;
        const target = await this.subjectVersion(ref.subject, ref.version);
        await visit(target.references, [...path, key]);
        seen.add(key);
        resolved.push({ name: ref.name, schema: target });
      }
    };
    await visit(schema.references, []);
    return { ...schema, resolved };
  }

  private cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let p = cache.get(key);
    if (!p) {
      p = load();
      cache.set(key, p);
      p.catch(() => cache.delete(key)); // failures are asked again next time
    }
    return p;
  }

  private get<T>(path: string): Promise<T> {
    return this.request<T>(path);
  }

  /** GET, or POST of a JSON body; retried while the failure can pass. */
  private async request<T>(path: string, body?: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(path, body);
      } catch (err) {
        if (!(err instanceof K2pError) || !err.canRetry || attempt >= this.retries) throw err;
        await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** attempt));
      }
    }
  }

  private async once<T>(path: string, payload?: string): Promise<T> {
    this.calls++;
    const method = payload === undefined ? 'GET' : 'POST';
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (payload !== undefined) headers['content-type'] = CONTENT_TYPE;
    if (this.#authorization) headers.authorization = this.#authorization;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      throw new K2pError('K2P_SCH_REGISTRY', `${method} ${path} did not reach the schema registry at ${this.base}: ${(cause as Error).message}`, { path, url: this.base }, { cause, canRetry: true });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    if (res.ok) return body as T;
    const answer = body as { error_code?: number; message?: string } | undefined;
    const message = `${res.status}${answer?.error_code ? ` / ${answer.error_code}` : ''}: ${answer?.message ?? text.slice(0, 200)}`;
    if (res.status === 404) throw new NotFound(res.status, answer?.error_code, message);
    throw new K2pError('K2P_SCH_REGISTRY', `${method} ${path} → ${message}`, { path, url: this.base, status: res.status, registryErrorCode: answer?.error_code }, { canRetry: RETRIABLE.has(res.status) });
  }
}
