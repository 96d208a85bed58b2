// Several ordered streams merged by time: always the item with the smallest time among the streams' heads.
// (Each stream is read one item ahead; memory: one item per stream.)

export interface Timed<T> {
  time: number;
  side: number;
  item: T;
}

export async function* mergeByTime<T>(
  streams: { side: number; next(): Promise<T | undefined>; time(item: T): number }[],
): AsyncGenerator<Timed<T>, void, undefined> {
  const heads: (Timed<T> | undefined)[] = await Promise.all(
    streams.map(async (s) => {
      const item = await s.next();
      return item === undefined ? undefined : { time: s.time(item), side: s.side, item };
    }),
  );
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (best < 0 || h.time < heads[best]!.time)) best = i;
    }
    if (best < 0) return;
    const out = heads[best]!;
    const s = streams[best]!;
    const item = await s.next();
    heads[best] = item === undefined ? undefined : { time: s.time(item), side: s.side, item };
    yield out;
  }
}

/** Flattens a stream of batches into items, for mergeByTime. */
export function flatten<T>(it: AsyncIterator<T[]>): () => Promise<T | undefined> {
  let batch: T[] = [];
  let i = 0;
  return async () => {
    while (i >= batch.length) {
      const r = await it.next();
      if (r.done) return undefined;
      batch = r.value;
      i = 0;
    }
    return batch[i++];
  };
}
