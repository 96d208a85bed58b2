// kafkajs errors turned into catalog errors that name the connector and the operation.
import { K2pError } from '../errors.js';

interface KafkajsErrorLike {
  name?: string;
  message?: string;
  retriable?: boolean;
  type?: string;
  cause?: unknown;
  originalError?: unknown;
}

const CONNECTION_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSBrokerNotFound', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);

/** Node's TLS verification failures (the broker's certificate is not trusted or not for this host). */
export const TLS_CERTIFICATE_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The error and its causes (kafkajs wraps protocol errors in retry errors), outermost first. */
export function causeChain(err: unknown): KafkajsErrorLike[] {
  const out: KafkajsErrorLike[] = [];
  let e: unknown = err;
  while (e && typeof e === 'object' && out.length < 8) {
    const k = e as KafkajsErrorLike;
    out.push(k);
    e = k.cause ?? k.originalError;
  }
  return out;
}

/** The Kafka protocol error type (e.g. UNKNOWN_TOPIC_OR_PARTITION) anywhere in the chain. */
export function kafkaErrorType(err: unknown): string | undefined {
  return causeChain(err).find((e) => typeof e.type === 'string')?.type;
}

export function kafkaAdminError(connector: string, op: string, err: unknown, details: Record<string, unknown> = {}): K2pError {
  if (err instanceof K2pError) return err;
  const chain = causeChain(err);
  const innermost = chain[chain.length - 1] ?? {};
  const why = innermost.message ?? String(err);
  const type = kafkaErrorType(err);
  const all = { connector, op, ...details, ...(type ? { kafkaError: type } : {}) };
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
    return new K2pError('K2P_KFK_AUTH', `${connector}: Kafka refused the SASL credentials: ${why}`, all, { cause: err });
  }
  const tlsCode = chain.map((e) => (e as { code?: unknown }).code).find((c): c is string => typeof c === 'string' && TLS_CERTIFICATE_ERRORS.has(c));
  if (tlsCode) {
    return new K2pError('K2P_KFK_TLS', `${connector}: the Kafka broker's TLS certificate is not trusted: ${why}`, { ...all, tlsError: tlsCode }, { cause: err });
  }
  if (!type && chain.some((e) => e.name && CONNECTION_ERRORS.has(e.name))) {
    return new K2pError('K2P_KFK_CONNECT', `${connector}: ${op} could not reach Kafka: ${why}`, all, { cause: err });
  }
  const canRetry = chain.some((e) => e.retriable === true);
  return new K2pError('K2P_KFK_ADMIN', `${connector}: ${op} failed: ${why}`, all, { cause: err, canRetry });
}
