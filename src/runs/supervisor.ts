// What each gateway process does besides working jobs, once per tick: run the mirror of every run that
// needs one (and stop it when the run is paused, cancelled or failed), make sure each active run has its
// step job (a crash between finishing a step and queueing the next one), and — one process at a time,
// through a lease — sample the lag into the store and keep the groups' subscriptions in sync.
import { randomUUID } from 'node:crypto';
import type { MirrorObserver } from '../mirror/mirror.js';
import { syncGroups } from '../offsets/index.js';
import { sampleLag } from './lag.js';
import type { RunQueue } from './queue.js';
import type { RunResources } from './resources.js';
import { RunMirror } from './run-mirror.js';
import type { RunStore } from './run-store.js';
import { STEPS, type HistoryPoint, type LagSnapshot, type Run } from './types.js';

export interface SupervisorOptions {
  store: RunStore;
  queue: RunQueue;
  resources: RunResources;
  observer?: MirrorObserver;
  tickMs?: number;
  /** How often the lag is sampled (by one process). Default 2000 ms. */
  sampleMs?: number;
  /** How often the groups' subscriptions follow their offsets after the sync step. Default 5000 ms. */
  syncMs?: number;
  /** History points kept per run (charts). Default 300. */
  historyPoints?: number;
  /** Runs with at most this many topics keep per-topic history. Default 50. */
  historyTopics?: number;
  discoveryIntervalMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

const at = (step: Run['step']) => STEPS.indexOf(step);

/** A run whose topics are provisioned and that is not stopped: its mirror runs. */
export function wantsMirror(run: Run): boolean {
  return run.status === 'live' || (run.status === 'active' && at(run.step) >= at('backfill'));
}

export class Supervisor {
  readonly processId = randomUUID();
  private readonly mirrors = new Map<string, Promise<RunMirror | undefined>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private ticks = 0;
  private readonly lastSync = new Map<string, number>();

  constructor(private readonly o: SupervisorOptions) {}

  start(): void {
    const loop = async () => {
      this.ticking = this.tick().catch((err: Error) =>
        this.log('supervisor-tick-failed', { error: err.message }),
      );
      await this.ticking;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.o.tickMs ?? 1000);
    };
    void loop();
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.o.log?.(event, fields);
  }

  /** Runs whose mirror runs in this process. */
  mirroring(): string[] {
    return [...this.mirrors.keys()];
  }

  async mirrorOf(runId: string): Promise<RunMirror | undefined> {
    return this.mirrors.get(runId);
  }

  async tick(): Promise<void> {
    this.ticks++;
    const runs = await this.o.store.list();
    const seen = new Set<string>();
    for (const run of runs) {
      seen.add(run.id);
      // One run's trouble (files that do not load here, a cluster away) never holds up the others.
      await this.tickRun(run).catch((err: Error) =>
        this.log('supervisor-run-failed', { run: run.id, error: err.message }),
      );
    }
    for (const id of this.mirrors.keys()) if (!seen.has(id)) await this.stopMirror(id);
  }

  private async tickRun(run: Run): Promise<void> {
    if (wantsMirror(run)) this.ensureMirror(run);
    else await this.stopMirror(run.id);
    if (run.status === 'cancelled' || run.status === 'failed') return;
    if (run.status === 'active' && this.ticks % 5 === 1 && !(await this.o.queue.hasStep(run))) {
      this.log('step-requeued', { run: run.id, step: run.step, generation: run.generation });
      await this.o.queue.addStep(run);
    }
    if (wantsMirror(run)) {
      await this.sample(run).catch((err: Error) =>
        this.log('lag-sample-failed', { run: run.id, error: err.message }),
      );
      await this.syncRound(run).catch((err: Error) =>
        this.log('sync-failed', { run: run.id, error: err.message }),
      );
    }
  }

  private ensureMirror(run: Run): void {
    if (this.mirrors.has(run.id)) return;
    const started = Promise.resolve()
      .then(() =>
        RunMirror.start(this.o.resources.get(run), {
          observer: this.o.observer,
          log: this.o.log,
          discoveryIntervalMs: this.o.discoveryIntervalMs,
        }),
      )
      .then(
        (m) => {
          this.log('mirror-started', { run: run.id });
          return m;
        },
        (err: Error) => {
          // Tried again at a later tick.
          this.log('mirror-start-failed', { run: run.id, error: err.message });
          this.mirrors.delete(run.id);
          return undefined;
        },
      );
    this.mirrors.set(run.id, started);
  }

  private async stopMirror(runId: string): Promise<void> {
    const m = this.mirrors.get(runId);
    if (!m) return;
    this.mirrors.delete(runId);
    await (await m)?.stop();
    await this.o.resources.release(runId);
    this.log('mirror-stopped', { run: runId });
  }

  /** Lag sampled by whichever process holds the run's lease; written with a history point. */
  private async sample(run: Run): Promise<void> {
    const every = this.o.sampleMs ?? 2000;
    const last = await this.o.store.lag(run.id);
    if (last && Date.now() - last.at < every) return;
    if (!(await this.o.store.lease(`lag:${run.id}`, this.processId, every * 3))) return;
    const topics = await this.o.store.topics(run.id);
    if (topics.length === 0) return;
    const snapshot = await sampleLag(this.o.resources.get(run), topics);
    await this.o.store.putLag(run.id, snapshot);
    await this.o.store.addHistory(
      run.id,
      historyPoint(snapshot, last, this.o.historyTopics ?? 50),
      this.o.historyPoints ?? 300,
    );
  }

  /** After the sync step: the groups still on Kafka keep their subscriptions following (forward only). */
  private async syncRound(run: Run): Promise<void> {
    if (run.status !== 'live' && at(run.step) <= at('sync')) return;
    const every = this.o.syncMs ?? 5000;
    if (Date.now() - (this.lastSync.get(run.id) ?? 0) < every) return;
    this.lastSync.set(run.id, Date.now());
    if (!(await this.o.store.lease(`sync:${run.id}`, this.processId, every * 3))) return;
    const offsets = this.o.resources.get(run).offsets();
    if (!offsets) return;
    await syncGroups(offsets.deps, await offsets.mappedGroups());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.mirrors.keys()].map((id) => this.stopMirror(id)));
  }
}

export function historyPoint(
  now: LagSnapshot,
  previous: LagSnapshot | undefined,
  maxTopics: number,
): HistoryPoint {
  const seconds = previous ? Math.max(0.001, (now.at - previous.at) / 1000) : 0;
  const rate = (a: number, b: number | undefined) =>
    seconds > 0 && b !== undefined ? Math.max(0, Math.round((a - b) / seconds)) : 0;
  const point: HistoryPoint = {
    at: now.at,
    lag: now.lag,
    mirrored: now.mirrored,
    rate: rate(now.mirrored, previous?.mirrored),
  };
  if (now.topics.length <= maxTopics) {
    const before = new Map(previous?.topics.map((t) => [t.topic, t.mirrored]));
    point.topics = Object.fromEntries(
      now.topics.map((t) => [t.topic, { lag: t.lag, rate: rate(t.mirrored, before.get(t.topic)) }]),
    );
  }
  return point;
}
