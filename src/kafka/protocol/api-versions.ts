// ApiVersions v0 (key 18): which versions of each API the broker accepts. Empty request; response:
// error_code int16, api_keys [api_key int16, min_version int16, max_version int16].
import type { WireReader } from './wire.js';

export interface ApiVersionRange {
  min: number;
  max: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  versions: Map<number, ApiVersionRange>;
}

export function parseApiVersions(r: WireReader): ApiVersionsResponse {
  const errorCode = r.int16();
  const versions = new Map<number, ApiVersionRange>();
  const n = r.int32();
  for (let i = 0; i < n; i++) {
    const key = r.int16();
    versions.set(key, { min: r.int16(), max: r.int16() });
  }
  return { errorCode, versions };
}

/** The highest version both sides speak, or undefined. */
export function commonVersion(
  ours: { min: number; max: number },
  theirs: ApiVersionRange | undefined,
): number | undefined {
  if (!theirs) return undefined;
  const v = Math.min(ours.max, theirs.max);
  return v >= Math.max(ours.min, theirs.min) ? v : undefined;
}
