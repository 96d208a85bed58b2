// The HTTP server: fastify with one catch-all body parser, Confluent-style errors, optional auth and TLS,
// the v2 and v3 routes and the facade's admin routes.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAdminRoutes } from './admin-routes.js';
import type { FacadeCore } from './facade.js';
import { authenticate, type FacadeAuth } from './http/auth.js';
import { frameworkError, installErrorHandlers } from './http/errors.js';
import { facadeOpenApi } from './openapi.js';
import type { EmbeddedFormat } from './http/media-types.js';
import { recordEncoder } from './consumers/record-formats.js';
import { registerV2ConsumerRoutes } from './v2/consumer-routes.js';
import { registerV2TopicRoutes } from './v2/topic-routes.js';
import { registerV3ClusterRoutes } from './v3/cluster-routes.js';
import { registerV3RecordRoutes } from './v3/records-routes.js';

export interface FacadeHttpOptions {
  /** Largest request body (bytes); larger ones get 413. Default 16 MiB (v3 streams: per record). */
  bodyLimit?: number;
  auth?: FacadeAuth;
  /** Prefix of the facade's own admin routes. Default `/k2p`. */
  adminPrefix?: string;
  /** Opt-in v2 extensions: headers and timestamps on produce and consume. Default off. */
  v2Extensions?: boolean;
  /** TLS: PEM key and certificate (HTTPS instead of HTTP). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * A pino logger (secrets are the caller's logger's business: the CLI's scrubs them). Per-request lines
   * ("incoming request", "request completed") only at level debug: two lines per produce request at info
   * would cost more than the request itself.
   */
  logger?: FastifyBaseLogger;
}

export const SUPPORTED_FORMATS: readonly EmbeddedFormat[] = ['binary', 'json', 'avro', 'jsonschema', 'protobuf'];
/** Formats a v2 consumer instance can be created with. */
export const CONSUMER_FORMATS: readonly EmbeddedFormat[] = ['binary', 'json', 'avro', 'jsonschema', 'protobuf'];

const verbose = (log: FastifyBaseLogger) => log.level === 'debug' || log.level === 'trace';
/** Request logs only when the request's logger is at debug (or finer). */
const quietRequests = new LogController({ disableRequestLogging: (req) => !verbose(req.log) });
/**
 * A child logger per request (with its reqId) only at debug: above it a request logs at most its failure, and
 * building a child of a logger with redaction costs more than the no-op route's whole request.
 */
const requestLogger = (logger: FastifyBaseLogger, ...child: Parameters<FastifyBaseLogger['child']>): FastifyBaseLogger => (verbose(logger) ? logger.child(...child) : logger);

export function buildFacadeApp(core: FacadeCore, options: FacadeHttpOptions = {}, extend?: (app: FastifyInstance) => void): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? 16 * 1024 * 1024;
  const logging = options.logger ? { loggerInstance: options.logger, logController: quietRequests, childLoggerFactory: requestLogger } : { logger: false };
  const base = { bodyLimit, ...logging, keepAliveTimeout: 65_000, forceCloseConnections: true, routerOptions: { maxParamLength: 1024 }, frameworkErrors: frameworkError } as const;
  const app = (options.tls ? Fastify({ ...base, https: { key: options.tls.key, cert: options.tls.cert } }) : Fastify(base)) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
  installErrorHandlers(app);
  const auth = options.auth ?? { kind: 'none' };
  if (auth.kind !== 'none') app.addHook('onRequest', async (req) => authenticate(auth, req));

  let cluster: Promise<string> | undefined;
  const clusterId = (): Promise<string> => {
    cluster ??= core.kafka.brokers().then(
      (c) => c.clusterId,
      (err: unknown) => {
        cluster = undefined;
        throw err;
      },
    );
    return cluster;
  };
  registerV2TopicRoutes(app, core, { formats: SUPPORTED_FORMATS, extensions: options.v2Extensions ?? false });
  if (core.consumers) registerV2ConsumerRoutes(app, core.consumers, { formats: CONSUMER_FORMATS, extensions: options.v2Extensions ?? false, bodyLimit, encode: recordEncoder(core) });
  registerV3ClusterRoutes(app, core, clusterId);
  registerV3RecordRoutes(app, core, clusterId, bodyLimit);
  const openApi = facadeOpenApi();
  app.get('/openapi.json', async () => openApi);
  extend?.(app);
  registerAdminRoutes(app, core, options.adminPrefix ?? '/k2p');
  return app;
}
