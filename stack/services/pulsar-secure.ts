// A second Pulsar standalone with TLS (pulsar+ssl://) and JWT token authentication + authorization, for the
// tests of our client's auth and TLS paths. Same jars, conf base and launch as stack/services/pulsar.ts; its
// own ports, bookie and data. The CA, the broker certificate and the token secret are made at install time
// (openssl CLI, node:crypto) into its service folder under .stack/ — never into the repository.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { newSecretKey, roleToken } from '../jwt.js';
import { stackDirectory } from '../paths.js';
import { makeCaAndBrokerCertificate, tlsFiles } from '../tls.js';
import type { StackContext, StackOptions, StackService } from '../service.js';
import { installStandalone, prepareStandalone, pulsarRoundTrip, standaloneLaunch, type StandaloneParams } from './pulsar.js';

const run = promisify(execFile);

export const PULSAR_SECURE = 'pulsar-secure';
/** The superuser role: the broker's own client uses it, and so do the stack probe and the tests' admin. */
export const SECURE_ADMIN_ROLE = 'admin';

function secureFiles(serviceDir: string) {
  return {
    ...tlsFiles(serviceDir),
    secret: join(serviceDir, 'token-secret.key'),
  };
}

function readSecret(serviceDir: string): Buffer {
  const file = secureFiles(serviceDir).secret;
  if (!existsSync(file)) {
    throw new Error(
      `${file} does not exist: start the service first (npx tsx stack/cli.ts up ${PULSAR_SECURE})`,
    );
  }
  return readFileSync(file);
}

async function ensureOpenssl(ctx: StackContext): Promise<void> {
  const present = await run('openssl', ['version']).then(
    () => true,
    () => false,
  );
  if (present) return;
  ctx.log('installing openssl from Debian packages');
  await run('apt-get', ['update', '-qq'], { maxBuffer: 16 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '-qq', 'openssl'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** A CA and a broker certificate it signed (for localhost and 127.0.0.1); made once, kept across restarts. */
async function ensureCertificates(ctx: StackContext): Promise<void> {
  const f = secureFiles(ctx.serviceDir);
  if ([f.caCert, f.brokerKey, f.brokerCert].every((file) => existsSync(file))) return;
  await ensureOpenssl(ctx);
  ctx.log('making a CA and a broker certificate with openssl');
  await makeCaAndBrokerCertificate(ctx.serviceDir, { caName: 'k2p local stack CA' });
}

/** The HS256 secret the broker checks tokens with; made once, kept across restarts. */
async function ensureSecret(serviceDir: string): Promise<Buffer> {
  const file = secureFiles(serviceDir).secret;
  if (!existsSync(file)) await writeFile(file, newSecretKey(), { mode: 0o600 });
  return readSecret(serviceDir);
}

function params(ctx: StackContext, adminToken: string): StandaloneParams {
  const f = secureFiles(ctx.serviceDir);
  const o = ctx.options;
  return {
    serviceDir: ctx.serviceDir,
    stackDir: ctx.stackDir,
    brokerPort: o.pulsarSecurePort,
    webPort: o.pulsarSecureAdminPort,
    bookiePort: o.pulsarSecureBookiePort,
    zookeeperPort: o.pulsarSecureBookiePort - 1000, // 2182 by default, beside the first standalone's 2181
    writtenBy: 'stack/services/pulsar-secure.ts (holds a token: keep it out of the repository)',
    // Half the first standalone's memory: it carries test traffic only.
    memory: { minHeap: '256m', maxHeap: '512m', maxDirect: '512m' },
    overrides: {
      // Without it the standalone's bookie takes a random port on a fresh data dir (BKCluster only binds
      // --bookkeeper-port when ephemeral ports are allowed) and the cookie's port on later starts.
      allowEphemeralPorts: 'true',
      brokerServicePortTls: String(o.pulsarSecureTlsPort),
      tlsCertificateFilePath: f.brokerCert,
      tlsKeyFilePath: f.brokerKey,
      tlsTrustCertsFilePath: f.caCert,
      authenticationEnabled: 'true',
      authenticationProviders: 'org.apache.pulsar.broker.authentication.AuthenticationProviderToken',
      tokenSecretKey: `file://${f.secret}`,
      authorizationEnabled: 'true',
      superUserRoles: SECURE_ADMIN_ROLE,
      // How often the broker looks for expired tokens and challenges the client for a fresh one (default 60 s):
      // short, so that the tests see a refresh within seconds.
      authenticationRefreshCheckSeconds: '2',
      // The standalone's own client (namespace setup, system topics) talks to itself as the superuser.
      brokerClientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
      brokerClientAuthenticationParameters: `token:${adminToken}`,
    },
  };
}

function adminUrl(options: StackOptions): string {
  return `http://localhost:${options.pulsarSecureAdminPort}`;
}

/** The TLS port presents a certificate our CA signed, valid for localhost. */
function tlsHandshake(port: number, ca: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: 'localhost', port, ca, servername: 'localhost' }, () => {
      socket.end();
      resolve();
    });
    socket.setTimeout(10_000, () =>
      socket.destroy(new Error(`pulsar-secure probe: no TLS handshake on port ${port}`)),
    );
    socket.once('error', (err) =>
      reject(new Error(`pulsar-secure probe: TLS on port ${port}: ${err.message}`)),
    );
  });
}

export const pulsarSecure: StackService = {
  name: PULSAR_SECURE,
  startTimeoutSeconds: 180,
  port: (options) => options.pulsarSecurePort,

  async install(ctx) {
    await ensureCertificates(ctx);
    const secret = await ensureSecret(ctx.serviceDir);
    await installStandalone(params(ctx, roleToken(secret, SECURE_ADMIN_ROLE)), ctx.log);
  },

  async prepare(ctx) {
    await prepareStandalone(params(ctx, roleToken(readSecret(ctx.serviceDir), SECURE_ADMIN_ROLE)), ctx.log);
  },

  async launch(ctx) {
    return standaloneLaunch(params(ctx, roleToken(readSecret(ctx.serviceDir), SECURE_ADMIN_ROLE)));
  },

  async probe(ctx) {
    const url = adminUrl(ctx.options);
    // Authentication is really on: no token, no answer.
    const anonymous = await fetch(`${url}/admin/v2/tenants`, { signal: AbortSignal.timeout(15_000) });
    if (anonymous.status !== 401)
      throw new Error(
        `pulsar-secure probe: GET /admin/v2/tenants without a token → ${anonymous.status}, expected 401`,
      );
    await pulsarRoundTrip(url, roleToken(readSecret(ctx.serviceDir), SECURE_ADMIN_ROLE));
    await tlsHandshake(ctx.options.pulsarSecureTlsPort, readFileSync(secureFiles(ctx.serviceDir).caCert));
  },
};

/** Where the secure standalone is and how to get in, for tests. */
export interface SecureStackInfo {
  /** pulsar+ssl://localhost:<tls port> */
  readonly serviceUrl: string;
  /** pulsar://localhost:<port>: no TLS, still token authentication. */
  readonly plainServiceUrl: string;
  /** http://localhost:<admin port> (token authentication). */
  readonly adminUrl: string;
  /** PEM file of the CA that signed the broker's certificate. */
  readonly caFile: string;
  readonly adminRole: string;
  /** The CA certificate (PEM). */
  ca(): Buffer;
  /** A token the broker accepts, for `role`. */
  token(role: string, expiresInSeconds?: number): string;
}

export function secureStackInfo(options: StackOptions, stackDir = stackDirectory()): SecureStackInfo {
  const serviceDir = join(stackDir, PULSAR_SECURE);
  const caFile = secureFiles(serviceDir).caCert;
  return {
    serviceUrl: `pulsar+ssl://localhost:${options.pulsarSecureTlsPort}`,
    plainServiceUrl: `pulsar://localhost:${options.pulsarSecurePort}`,
    adminUrl: adminUrl(options),
    caFile,
    adminRole: SECURE_ADMIN_ROLE,
    ca: () => readFileSync(caFile),
    token: (role, expiresInSeconds) => roleToken(readSecret(serviceDir), role, expiresInSeconds),
  };
}
