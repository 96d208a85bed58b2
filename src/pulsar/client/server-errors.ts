// Broker errors (CommandError / CommandSendError / lookup failures) as K2pErrors, named by the broker's
// ServerError and flagged retriable where waiting and trying again is what the official clients do.
import { K2pError } from '../../errors.js';
import type { ServerError } from '../protocol/index.js';

const RETRIABLE: ReadonlySet<string> = new Set([
  'ServiceNotReady', // topic being loaded, unloaded or moved: look it up again
  'MetadataError',
  'PersistenceError',
  'TooManyRequests',
  'ConsumerBusy', // an exclusive consumer's previous session is still closing
  'ProducerBusy', // same for a named producer reconnecting
  'UnknownError',
  'TransactionCoordinatorNotFound',
]);

export function serverError(
  error: ServerError | string | undefined,
  message: string | undefined,
  context: Record<string, unknown>,
): K2pError {
  const name = error ?? 'UnknownError';
  return new K2pError('K2P_PLS_SERVER', `${name}: ${message ?? '(no message)'}`, { serverError: name, ...context }, { canRetry: RETRIABLE.has(name) });
}

export function isServerError(err: unknown, name: ServerError): boolean {
  return err instanceof K2pError && err.code === 'K2P_PLS_SERVER' && err.details.serverError === name;
}
