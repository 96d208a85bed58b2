// One JSON-over-HTTP call to the Pulsar admin REST API, with the token, a timeout and errors that say
// which call failed and what the broker answered.
import { K2pError } from '../../errors.js';

export interface AdminHttpOptions {
  /** e.g. http://localhost:8080 */
  readonly url: string;
  /** Bearer token (from the environment, never from a file in the repo). */
  readonly token?: string;
  readonly timeoutMs?: number;
}

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** Status codes that mean "try again" rather than "you asked for something wrong". */
const RETRIABLE = new Set([429, 500, 502, 503, 504]);

export class AdminHttp {
  private readonly base: string;
  private readonly timeoutMs: number;
  // An ES private field: util.inspect and console.log of the admin client do not show it.
  readonly #token: string | undefined;

  constructor(options: AdminHttpOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#token = options.token;
  }

  async call<T = unknown>(method: Method, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await res.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  /** Like call(), for endpoints that answer bytes (peek). */
  async raw(method: Method, path: string): Promise<{ headers: Headers; body: Buffer }> {
    const res = await this.send(method, path);
    return { headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  private async send(method: Method, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new K2pError('K2P_PLS_ADMIN', `${method} ${path} did not reach the broker: ${(cause as Error).message}`, { method, path }, { cause, canRetry: true });
    }
    if (!res.ok) {
      const answer = await res.text();
      let reason = answer;
      try {
        reason = (JSON.parse(answer) as { reason?: string }).reason ?? answer;
      } catch {
        /* not JSON */
      }
      throw new K2pError(
        'K2P_PLS_ADMIN',
        `${method} ${path} → ${res.status}: ${reason || res.statusText}`,
        { method, path, status: res.status, reason },
        { canRetry: RETRIABLE.has(res.status) },
      );
    }
    return res;
  }
}

export function isHttpStatus(err: unknown, status: number): boolean {
  return err instanceof K2pError && err.code === 'K2P_PLS_ADMIN' && err.details.status === status;
}
