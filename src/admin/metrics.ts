// Run metrics next to the mirror's (same registry): runs per status, and per run the lag, records mirrored
// and backfill %, read from the store when Prometheus scrapes (whichever process sampled them).
import { Gauge, type Registry } from 'prom-client';
import type { RunStore } from '../runs/index.js';

export function registerRunMetrics(registry: Registry, store: RunStore): void {
  if (registry.getSingleMetric('k2p_runs')) return;
  const registers = [registry];
  const lag = new Gauge({ name: 'k2p_run_lag_records', help: 'Kafka end offsets minus what the run mirrored, all partitions (last sample)', labelNames: ['run'], registers });
  const mirrored = new Gauge({ name: 'k2p_run_mirrored_records', help: 'Records of the run mirrored into Pulsar (of those Kafka still holds)', labelNames: ['run'], registers });
  const backfill = new Gauge({ name: 'k2p_run_backfill_ratio', help: 'Mirrored over total records Kafka holds for the run (0-1)', labelNames: ['run'], registers });
  new Gauge({
    name: 'k2p_runs',
    help: 'Runs by status',
    labelNames: ['status'],
    registers,
    async collect() {
      const runs = await store.list();
      this.reset();
      lag.reset();
      mirrored.reset();
      backfill.reset();
      for (const s of ['active', 'live', 'paused', 'failed', 'cancelled']) this.set({ status: s }, runs.filter((r) => r.status === s).length);
      for (const r of runs) {
        if (r.status === 'cancelled') continue;
        const l = await store.lag(r.id);
        if (!l) continue;
        lag.set({ run: r.id }, l.lag);
        mirrored.set({ run: r.id }, l.mirrored);
        backfill.set({ run: r.id }, l.total === 0 ? 1 : l.mirrored / l.total);
      }
    },
  });
}
