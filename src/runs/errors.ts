// A thrown error as a run keeps it: code, message, whether retrying can help.
import { isK2pError } from '../errors.js';
import type { RunError } from './types.js';

export function runError(err: unknown): RunError {
  if (isK2pError(err)) return { code: err.code, message: err.message, canRetry: err.canRetry };
  // Not ours (a client library's error, a bug): retried, as most such errors are network trouble.
  return { code: 'K2P_RUN_STEP_FAILED', message: err instanceof Error ? err.message : String(err), canRetry: true };
}
