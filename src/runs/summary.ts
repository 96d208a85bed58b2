// A run as people read it: one line of progress, and the rows `k2p status` prints. Pure functions of what
// the store holds (no cluster is asked), so status answers at once however many topics a run has.
import type { LagSnapshot, Run } from './types.js';

/**
 * 1234567 → "1,234,567". Not toLocaleString: its first call loads ICU data, about 15 ms of a `k2p status`
 * process that must answer in well under 200 ms.
 */
export function groupDigits(x: number): string {
  if (!Number.isInteger(x)) return String(x);
  return String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
const n = groupDigits;

export interface RunSummary {
  id: string;
  name?: string;
  status: Run['status'];
  step: Run['step'];
  stepStatus: string;
  note?: string;
  topics: number;
  lag?: number;
  mirrored?: number;
  total?: number;
  backfillPercent?: number;
  error?: string;
  updatedAt: number;
}

export function summarize(run: Run, lag: LagSnapshot | undefined): RunSummary {
  const s = run.steps[run.step];
  const out: RunSummary = { id: run.id, status: run.status, step: run.step, stepStatus: s.status, topics: lag?.topics.length ?? 0, updatedAt: run.updatedAt };
  if (run.name !== undefined) out.name = run.name;
  if (s.note !== undefined) out.note = s.note;
  if (lag) {
    out.lag = lag.lag;
    out.mirrored = lag.mirrored;
    out.total = lag.total;
    out.backfillPercent = lag.total === 0 ? 100 : Math.min(100, Math.floor((lag.mirrored / lag.total) * 1000) / 10);
  }
  const error = run.error ?? s.error;
  if (error) out.error = `${error.code}: ${error.message}`;
  return out;
}

/** `[#########-----------]` for a percentage (people's progress lines). */
export function progressBar(percent: number, width = 20): string {
  const full = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

export function progressLine(s: RunSummary, rate?: number, bar = false): string {
  const parts = [`run ${s.id}${s.name ? ` (${s.name})` : ''}: ${s.status}, step ${s.step} (${s.stepStatus})`];
  if (s.total !== undefined) parts.push(`${bar ? `${progressBar(s.backfillPercent!)} ` : ''}${s.backfillPercent!.toFixed(1)}% of ${n(s.total)} records mirrored, lag ${n(s.lag ?? 0)}`);
  if (rate !== undefined) parts.push(`${n(rate)} records/s`);
  if (s.note) parts.push(s.note);
  if (s.error) parts.push(s.error);
  return parts.join(' — ');
}
