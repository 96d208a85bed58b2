// Where runs are kept. The workers, the mirror supervisor, the admin API and `k2p status` all go through
// this interface; RedisRunStore is the implementation (state survives any gateway process).
import type { GroupOperation, HistoryPoint, LagSnapshot, Run, RunTopic, VerifyResult } from './types.js';

export interface RunStore {
  create(run: Run): Promise<void>;
  get(id: string): Promise<Run | undefined>;
  /** Newest first. */
  list(): Promise<Run[]>;
  /**
   * Reads, changes and writes a run atomically against concurrent writers (other processes). `change`
   * returns the new run, or undefined to leave it as it is; it may be called again if another writer won.
   * Returns the run as stored afterwards (undefined when there is no such run).
   */
  update(id: string, change: (run: Run) => Run | undefined): Promise<Run | undefined>;
  delete(id: string): Promise<void>;

  putTopics(id: string, topics: RunTopic[]): Promise<void>;
  topics(id: string): Promise<RunTopic[]>;

  putLag(id: string, snapshot: LagSnapshot): Promise<void>;
  lag(id: string): Promise<LagSnapshot | undefined>;
  /** Appends a point, keeping the last `keep`. */
  addHistory(id: string, point: HistoryPoint, keep: number): Promise<void>;
  history(id: string): Promise<HistoryPoint[]>;

  putVerify(id: string, result: VerifyResult): Promise<void>;
  verifications(id: string): Promise<VerifyResult[]>;

  putGroupOperation(id: string, op: GroupOperation): Promise<void>;
  groupOperations(id: string): Promise<GroupOperation[]>;

  /** A short lease for work one process should do at a time (e.g. sampling lag): true when taken. */
  lease(name: string, holder: string, ms: number): Promise<boolean>;
  close(): Promise<void>;
}
