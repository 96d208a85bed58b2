// The mirror of one run in this process: one Mirror per source → target pair, in the run's Kafka consumer
// group, so every gateway process running it takes its share of the partitions (and the partitions of a
// process that dies).
import type { MirrorObserver } from '../mirror/mirror.js';
import { Mirror } from '../mirror/mirror.js';
import { reportSchemaEvents } from '../mirror/schema-converter.js';
import { discoverer, planPair } from '../mirror/setup.js';
import { mirrorGroupOf, type LoadedRun } from './resources.js';

export interface RunMirrorOptions {
  observer?: MirrorObserver;
  discoveryIntervalMs?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export class RunMirror {
  private readonly mirrors: Mirror[] = [];

  private constructor(readonly runId: string) {}

  static async start(loaded: LoadedRun, options: RunMirrorOptions = {}): Promise<RunMirror> {
    const rm = new RunMirror(loaded.runId);
    const offsets = loaded.offsets();
    try {
      for (const pair of loaded.pairs) {
        const planned = await planPair(loaded.config, pair);
        const index = offsets && pair.source.name === groupSource(loaded) ? offsets.deps.index : undefined;
        const log = (event: string, fields: Record<string, unknown>) => options.log?.(event, { run: loaded.runId, source: pair.source.name, target: pair.target.name, ...fields });
        // Schema translation's own troubles (registry unreachable...) reach the same metrics and log.
        reportSchemaEvents(pair.pulsar, { error: (event, error) => options.observer?.error?.(event, error), log });
        const mirror = new Mirror({
          kafka: pair.kafka,
          kafkaConnector: pair.source,
          pulsar: pair.pulsar,
          topics: planned.topics,
          groupId: mirrorGroupOf(loaded.runId, pair),
          discover: discoverer(loaded.config, planned),
          discoveryIntervalMs: options.discoveryIntervalMs ?? 10_000,
          observer: options.observer,
          // The offset index makes cutover scans short; a failure only costs a longer scan.
          onStored: index ? (batch) => index.record(batch) : undefined,
          log,
        });
        await mirror.start();
        rm.mirrors.push(mirror);
      }
    } catch (err) {
      await rm.stop();
      throw err;
    }
    return rm;
  }

  status(): ReturnType<Mirror['status']> {
    return this.mirrors.flatMap((m) => m.status());
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.mirrors.map((m) => m.stop()));
    this.mirrors.length = 0;
  }
}

function groupSource(loaded: LoadedRun): string | undefined {
  return loaded.config.mappings.find((m) => m.groups.length > 0)?.source;
}
