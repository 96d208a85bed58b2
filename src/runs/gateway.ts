// One gateway process's share of the runs: the store, the queue, a worker taking jobs, the supervisor
// running mirrors, and the service the CLI and the admin API call. Every process started on the same Redis
// (and prefix) works on the same runs.
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { MirrorMetrics } from '../mirror/metrics.js';
import { GatewaySteps } from './gateway-steps.js';
import { RunQueue } from './queue.js';
import { bullConnection } from './redis-connection.js';
import { RedisRunStore } from './redis-run-store.js';
import { RunResources } from './resources.js';
import type { RunSteps } from './run-steps.js';
import { RunService } from './service.js';
import { Supervisor } from './supervisor.js';
import { RunWorker } from './worker.js';

export interface GatewayOptions {
  redisUrl: string;
  /** Namespace of every key (runs and queue). Default `k2p`. */
  prefix?: string;
  /** Work jobs and run mirrors here (default), or only read and command (e.g. `k2p status`). */
  work?: boolean;
  /** The steps; default the real ones (GatewaySteps). */
  steps?: (resources: RunResources, store: RedisRunStore) => RunSteps;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  tickMs?: number;
  sampleMs?: number;
  pollMs?: number;
  registry?: Registry;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export const QUEUE_NAME = 'k2p-runs';

export class Gateway {
  readonly redis: Redis;
  readonly store: RedisRunStore;
  readonly queue: RunQueue;
  readonly service: RunService;
  readonly resources = new RunResources();
  readonly registry: Registry;
  readonly metrics: MirrorMetrics;
  readonly worker: RunWorker | undefined;
  readonly supervisor: Supervisor | undefined;

  constructor(o: GatewayOptions) {
    const prefix = o.prefix ?? 'k2p';
    this.redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 3 });
    this.store = new RedisRunStore(this.redis, `${prefix}:runs:`);
    const connection = bullConnection(o.redisUrl);
    this.queue = new RunQueue(connection, QUEUE_NAME, `${prefix}:bull`);
    this.service = new RunService(this.store, this.queue);
    this.registry = o.registry ?? new Registry();
    this.metrics = new MirrorMetrics(this.registry);
    if (o.work ?? true) {
      const steps = o.steps?.(this.resources, this.store) ?? new GatewaySteps(this.resources, this.store, { pollMs: o.pollMs });
      this.worker = new RunWorker({
        connection,
        queueName: QUEUE_NAME,
        prefix: `${prefix}:bull`,
        store: this.store,
        queue: this.queue,
        steps,
        concurrency: o.concurrency,
        lockDurationMs: o.lockDurationMs,
        stalledIntervalMs: o.stalledIntervalMs,
        log: o.log,
      });
      this.supervisor = new Supervisor({ store: this.store, queue: this.queue, resources: this.resources, observer: this.metrics, tickMs: o.tickMs, sampleMs: o.sampleMs, log: o.log });
    }
  }

  start(): this {
    this.worker?.start();
    this.supervisor?.start();
    return this;
  }

  /** Stops taking jobs (the ones in progress finish or are taken over later), stops the mirrors cleanly. */
  async stop(): Promise<void> {
    await this.worker?.close();
    await this.supervisor?.stop();
    await this.resources.closeAll();
    await this.queue.close();
    await this.store.close();
    this.redis.disconnect();
  }
}
