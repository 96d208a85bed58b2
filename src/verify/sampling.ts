// Sampling for huge topics: random partitions, then windows of `windowSize` Kafka offsets drawn uniformly
// without replacement from every window of those partitions, and the bound the result supports: when the n
// windows checked (of N) are all clean, the largest number D of divergent windows for which missing all of
// them still had probability >= 1 - confidence (hypergeometric: C(N-D, n) / C(N, n)).
import type { PartitionExtent } from './bounds.js';
import type { SampleOptions } from './options.js';
import type { OffsetRange } from './ranges.js';
import type { SampleReport } from './types.js';

export interface SamplePlan {
  plans: Map<number, OffsetRange[]>;
  population: number;
  windows: number;
  windowSize: number;
  partitionsSampled: number;
  partitionsTotal: number;
  recordsChecked: bigint;
  recordsTotal: bigint;
}

/** mulberry32: small, seedable, good enough to pick windows. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k distinct integers from [0, n) (Floyd's algorithm: O(k) memory). */
function pick(n: number, k: number, rnd: () => number): number[] {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(rnd() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

export function planSample(
  extents: readonly PartitionExtent[],
  options: SampleOptions,
  seed: number,
): SamplePlan {
  const rnd = random(seed);
  const size = BigInt(options.windowSize ?? 1000);
  const nonEmpty = extents.filter((e) => e.range.to > e.range.from);
  const k = Math.min(options.partitions ?? nonEmpty.length, nonEmpty.length);
  const parts = pick(nonEmpty.length, k, rnd).map((i) => nonEmpty[i]!);
  // Window w of the population: partition parts[i] holds windows [base_i, base_i + count_i).
  const counts = parts.map((e) => Number((e.range.to - e.range.from + size - 1n) / size));
  const population = counts.reduce((a, b) => a + b, 0);
  const n = Math.min(options.windows, population);
  const plans = new Map<number, OffsetRange[]>();
  let recordsChecked = 0n;
  let i = 0;
  let base = 0;
  for (const w of pick(population, n, rnd)) {
    while (w >= base + counts[i]!) base += counts[i++]!;
    const e = parts[i]!;
    const from = e.range.from + BigInt(w - base) * size;
    const to = from + size < e.range.to ? from + size : e.range.to;
    const list = plans.get(e.partition) ?? [];
    const prev = list[list.length - 1];
    if (prev && prev.to === from)
      prev.to = to; // adjacent windows read as one range
    else list.push({ from, to });
    plans.set(e.partition, list);
    recordsChecked += to - from;
  }
  return {
    plans,
    population,
    windows: n,
    windowSize: Number(size),
    partitionsSampled: parts.length,
    partitionsTotal: extents.length,
    recordsChecked,
    recordsTotal: extents.reduce((s, e) => s + (e.range.to - e.range.from), 0n),
  };
}

/** P(a sample of n windows out of N misses all D divergent ones). */
function missProbability(N: number, n: number, D: number): number {
  if (D + n > N) return 0;
  let log = 0;
  for (let i = 0; i < n; i++) log += Math.log((N - D - i) / (N - i));
  return Math.exp(log);
}

/** The largest D still consistent (at `confidence`) with a clean sample of n of N windows. */
export function maxDivergentWindows(N: number, n: number, confidence: number): number {
  const alpha = 1 - confidence;
  let lo = 0;
  let hi = N - n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (missProbability(N, n, mid) >= alpha) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function sampleReport(
  topic: string,
  plan: SamplePlan,
  divergentWindows: number,
  confidence: number,
): SampleReport {
  const max =
    divergentWindows > 0 ? plan.population : maxDivergentWindows(plan.population, plan.windows, confidence);
  const pct = (x: number) => `${(x * 100).toPrecision(3)}%`;
  const statement =
    divergentWindows > 0
      ? `${divergentWindows} of ${plan.windows} sampled windows diverge: the topic is not identical`
      : plan.windows === plan.population
        ? `every window was checked (${plan.windows}): no divergence`
        : `no divergence in ${plan.windows} random windows of ${plan.windowSize} offsets (of ${plan.population}, on ${plan.partitionsSampled} of ${plan.partitionsTotal} partitions): with ${pct(confidence)} confidence at most ${max} windows (${pct(max / plan.population)}) of those partitions hold a divergence`;
  return {
    topic,
    windows: plan.windows,
    population: plan.population,
    windowSize: plan.windowSize,
    partitionsSampled: plan.partitionsSampled,
    partitionsTotal: plan.partitionsTotal,
    recordsChecked: Number(plan.recordsChecked),
    recordsTotal: Number(plan.recordsTotal),
    confidence,
    divergentWindows,
    maxDivergentWindows: max,
    statement,
  };
}
