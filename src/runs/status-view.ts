// Everything `k2p status <run>` and the admin API show of one run, read from Redis only: the run, its
// topics' lag (last sample), group states (the offsets module's store) and operations, verifications.
import type { Redis } from 'ioredis';
import { RedisGroupStateStore, type GroupState } from '../offsets/group-state.js';
import { selects } from './group-selection.js';
import type { RunStore } from './run-store.js';
import type { GroupOperation, GroupSelection, LagSnapshot, Run, VerifyResult } from './types.js';

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

/**
 * The run's group selection: stored on the run since its creation; for a run created before that, derived
 * from its files (loading the config module only then).
 */
async function selectionOf(run: Pick<Run, 'id' | 'files' | 'groupSelection'>): Promise<GroupSelection | undefined> {
  if (run.groupSelection) return run.groupSelection;
  const [{ loadRunConfig }, { groupSelectionOf }] = await Promise.all([import('./config-files.js'), import('./group-selection.js')]);
  return groupSelectionOf(loadRunConfig(run.id, run.files));
}

export async function groupViews(redis: Redis, store: RunStore, run: Pick<Run, 'id' | 'files' | 'groupSelection'>): Promise<GroupView[]> {
  const selection = await selectionOf(run);
  const [states, ops] = await Promise.all([selection ? new RedisGroupStateStore(redis, selection.scope).list() : Promise.resolve([]), store.groupOperations(run.id)]);
  // The scope is shared with other runs of the same clusters: show the groups this run's mappings take.
  const byGroup = new Map<string, GroupView>();
  for (const s of states) if (selection && selects(selection, s.group)) byGroup.set(s.group, { group: s.group, state: s });
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
