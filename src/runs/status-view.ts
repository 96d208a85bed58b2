// Everything `k2p status <run>` and the admin API show of one run, read from Redis only: the run, its
// topics' lag (last sample), group states (the offsets module's store) and operations, verifications.
import type { Redis } from 'ioredis';
import { RedisGroupStateStore, type GroupState } from '../offsets/group-state.js';
import { loadRunConfig } from './config-files.js';
import type { RunStore } from './run-store.js';
import type { GroupOperation, LagSnapshot, Run, VerifyResult } from './types.js';

export interface RunView {
  run: Omit<Run, 'files'> & { files: string[] };
  lag?: LagSnapshot;
  groups: GroupView[];
  verifications: VerifyResult[];
}

export interface GroupView {
  group: string;
  /** The offsets module's state: phase, partitions placed, note. */
  state?: GroupState;
  /** The last cutover or rollback asked for through the run. */
  operation?: GroupOperation;
}

/** The offsets store scope of a run's group mappings (as offsetsFromConfig names it). */
export function groupScope(run: Pick<Run, 'id' | 'files'>): string | undefined {
  const config = loadRunConfig(run.id, run.files);
  const m = config.mappings.find((f) => f.groups.length > 0);
  return m ? `${m.source}→${m.target}` : undefined;
}

export async function groupViews(redis: Redis, store: RunStore, run: Pick<Run, 'id' | 'files'>): Promise<GroupView[]> {
  const scope = groupScope(run);
  const [states, ops] = await Promise.all([scope ? new RedisGroupStateStore(redis, scope).list() : Promise.resolve([]), store.groupOperations(run.id)]);
  // The scope is shared with other runs of the same clusters: show the groups this run's mappings take.
  const config = loadRunConfig(run.id, run.files);
  const mapped = (g: string) => config.mappings.some((m) => m.groups.some((gm) => (gm.match.regex ? gm.match.regex.test(g) : gm.match.name === g)));
  const byGroup = new Map<string, GroupView>();
  for (const s of states) if (mapped(s.group)) byGroup.set(s.group, { group: s.group, state: s });
  for (const op of ops) byGroup.set(op.group, { ...(byGroup.get(op.group) ?? { group: op.group }), operation: op });
  return [...byGroup.values()].sort((a, b) => a.group.localeCompare(b.group));
}

export async function runView(redis: Redis, store: RunStore, id: string): Promise<RunView | undefined> {
  const [run, lag, verifications] = await Promise.all([store.get(id), store.lag(id), store.verifications(id)]);
  if (!run) return undefined;
  const groups = await groupViews(redis, store, run);
  const view: RunView = { run: { ...run, files: run.files.map((f) => f.name) }, groups, verifications };
  if (lag) view.lag = lag;
  return view;
}
