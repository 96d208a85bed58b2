// The verification the runs call, loaded when first needed. src/verify is being built alongside (issue 7):
// until it is part of every checkout, the runs hold no compile-time dependency on it — only on the few
// fields used here. Once it is, this becomes a static import of `verify` from '../verify/index.js'.
import type { GatewayConfig } from '../config/index.js';
import { K2pError } from '../errors.js';

export interface RunVerifyReport {
  identical: boolean;
  divergenceCount: number;
  topics: { topic: string; matched: number }[];
}

export type RunVerify = (options: { config: GatewayConfig; topics: string[]; settleMs: number; positions: boolean; maxDivergences: number }) => Promise<RunVerifyReport>;

const MODULE = '../verify/index.js';

export async function loadVerify(): Promise<RunVerify> {
  try {
    const m = (await import(MODULE)) as { verify: RunVerify };
    return m.verify;
  } catch (err) {
    throw new K2pError('K2P_RUN_INPUT', `verification is not available in this build (${(err as Error).message})`, {}, { cause: err, canRetry: false });
  }
}
