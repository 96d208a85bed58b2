// Authentication providers for CONNECT (and AUTH_CHALLENGE refreshes). The token comes from the caller
// (in the gateway: from an environment variable); it is never logged.
export interface Authentication {
  /** CONNECT.auth_method_name, e.g. "token". */
  readonly methodName: string;
  /** The credentials to send; called on every connect and on every refresh challenge. */
  authData(): Promise<Uint8Array>;
}

/** JWT token authentication. A function lets long-running clients pick up a rotated token. */
export function tokenAuth(token: string | (() => string | Promise<string>)): Authentication {
  return {
    methodName: 'token',
    async authData() {
      const value = typeof token === 'function' ? await token() : token;
      return Buffer.from(value, 'utf8');
    },
    // Keep the secret out of console.log / util.inspect of the client options.
    toString: () => 'tokenAuth(***)',
    [Symbol.for('nodejs.util.inspect.custom')]: () => 'tokenAuth(***)',
  } as Authentication;
}
