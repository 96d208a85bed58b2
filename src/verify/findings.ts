// Collects divergences as they are found: every one is counted, the first `max` are kept with coordinates.
import type { Counts, Divergence } from './types.js';

export class Findings {
  readonly listed: Divergence[] = [];
  count = 0;

  /** Sees every divergence (listed or not), e.g. to count the sampled windows that hold one. */
  observer: ((d: Divergence) => void) | undefined;

  constructor(readonly max: number) {}

  /** Counts `records` divergences of `d.kind` in `counts` (when it has that counter) and keeps `d` if room. */
  add(d: Divergence, counts?: Counts, records = 1): void {
    this.count += records;
    this.observer?.(d);
    if (counts && d.kind !== 'position') counts[d.kind] += records;
    if (this.listed.length < this.max) this.listed.push(d);
  }

  get full(): boolean {
    return this.listed.length >= this.max;
  }
}
