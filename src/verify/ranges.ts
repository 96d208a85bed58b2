// Kafka offset ranges [from, to) compared on one partition (one for a full run, several windows when sampling).

export interface OffsetRange {
  from: bigint;
  to: bigint;
}

/** Index of the range holding `offset`, -1 when it falls before, between or after them. Ranges are sorted. */
export function rangeOf(ranges: readonly OffsetRange[], offset: bigint): number {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (offset < r.from) return -1;
    if (offset < r.to) return i;
  }
  return -1;
}

export function afterAll(ranges: readonly OffsetRange[], offset: bigint): boolean {
  const last = ranges[ranges.length - 1];
  return last === undefined || offset >= last.to;
}

export function rangeRecords(ranges: readonly OffsetRange[]): bigint {
  return ranges.reduce((n, r) => n + (r.to > r.from ? r.to - r.from : 0n), 0n);
}

export function printable(ranges: readonly OffsetRange[]): { from: string; to: string }[] {
  return ranges.map((r) => ({ from: r.from.toString(), to: r.to.toString() }));
}
