// What one gateway process holds open for a run: its loaded config, Kafka/Pulsar clients per source →
// target pair, a Kafka admin per pair and the offsets dependencies. Built on first use, shared by the
// steps, the lag sampler and the mirror supervisor, closed when the process lets go of the run.
import type { GatewayConfig } from '../config/index.js';
import { KafkajsAdmin } from '../kafka/index.js';
import { closePair, mirrorPairs, type MirrorPair } from '../mirror/setup.js';
import { offsetsFromConfig, type OffsetsSetup } from '../offsets/index.js';
import { loadRunConfig } from './config-files.js';
import type { Run } from './types.js';

export type PairClients = Omit<MirrorPair, 'plans' | 'topics'>;

/** The Kafka consumer group a run's mirror processes share for one pair. */
export function mirrorGroupOf(runId: string, pair: { source: { name: string }; target: { name: string } }): string {
  return `k2p-run-${runId}-${pair.source.name}-${pair.target.name}`;
}

export class LoadedRun {
  readonly pairs: PairClients[];
  private readonly admins = new Map<string, Promise<KafkajsAdmin>>();
  private offsetsSetup: OffsetsSetup | undefined;

  constructor(
    readonly runId: string,
    readonly config: GatewayConfig,
  ) {
    this.pairs = mirrorPairs(config);
  }

  /** `source→target`, as topics name their pair. */
  static pairName(p: { source: { name: string }; target: { name: string } }): string {
    return `${p.source.name}→${p.target.name}`;
  }

  kafkaAdmin(pair: PairClients): Promise<KafkajsAdmin> {
    const key = LoadedRun.pairName(pair);
    let a = this.admins.get(key);
    if (!a) {
      const admin = new KafkajsAdmin(pair.kafka, pair.source.name);
      a = admin.connect().then(() => admin);
      this.admins.set(key, a);
      a.catch(() => this.admins.delete(key));
    }
    return a;
  }

  /** Offsets dependencies for the pair the group mappings name; undefined when no mapping has groups. */
  offsets(): OffsetsSetup | undefined {
    const withGroups = this.config.mappings.find((m) => m.groups.length > 0);
    if (!withGroups) return undefined;
    this.offsetsSetup ??= offsetsFromConfig(this.config, {
      mirrorGroup: mirrorGroupOf(this.runId, { source: { name: withGroups.source }, target: { name: withGroups.target } }),
    });
    return this.offsetsSetup;
  }

  async close(): Promise<void> {
    const admins = [...this.admins.values()];
    this.admins.clear();
    await Promise.allSettled(admins.map(async (a) => (await a).close()));
    await this.offsetsSetup?.close().catch(() => undefined);
    await Promise.allSettled(this.pairs.map(closePair));
  }
}

/** One LoadedRun per run in this process. */
export class RunResources {
  private readonly loaded = new Map<string, LoadedRun>();

  get(run: Pick<Run, 'id' | 'files'>): LoadedRun {
    let l = this.loaded.get(run.id);
    if (!l) {
      l = new LoadedRun(run.id, loadRunConfig(run.id, run.files));
      this.loaded.set(run.id, l);
    }
    return l;
  }

  async release(runId: string): Promise<void> {
    const l = this.loaded.get(runId);
    this.loaded.delete(runId);
    await l?.close();
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.loaded.keys()].map((id) => this.release(id)));
  }
}
