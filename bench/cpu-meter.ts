// Where a benchmark phase's CPU went, per record: this process, and the local stack's broker processes (their
// pid files under the stack directory, read from /proc; absent elsewhere, the figure is then left out). On two
// shared cores, a phase bound by CPU is a sum of these; the figures show which part grew.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackDirectory } from '../stack/paths.js';

/** Linux counts a process's CPU time in /proc/<pid>/stat in clock ticks, 100 a second on every platform we run. */
const TICKS_PER_SECOND = 100;
const BROKERS = ['pulsar', 'kafka'] as const;
type Broker = (typeof BROKERS)[number];

/** CPU µs a broker process has used so far; undefined when it is not a local stack process. */
function brokerCpuMicros(broker: Broker): number | undefined {
  try {
    const pid = readFileSync(join(stackDirectory(), broker, 'service.pid'), 'utf8').trim();
    // Fields after "(comm) ": state is the first, utime the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU µs per record of each process over one or more metered spans. */
export class CpuMeter {
  private own = 0;
  private readonly brokers = new Map<Broker, number>();
  private records = 0;

  /** Runs `phase` and adds its CPU; `records` reads how many records it moved. */
  async measure<T>(phase: () => Promise<T>, records: (result: T) => number): Promise<T> {
    const own = process.cpuUsage();
    const before = BROKERS.map(brokerCpuMicros);
    const result = await phase();
    const used = process.cpuUsage(own);
    this.own += used.user + used.system;
    BROKERS.forEach((b, i) => {
      const now = brokerCpuMicros(b);
      if (now !== undefined && before[i] !== undefined) this.brokers.set(b, (this.brokers.get(b) ?? 0) + now - before[i]!);
    });
    this.records += records(result);
    return result;
  }

  /** This process's CPU µs per record. */
  get ownPerRecord(): number {
    return this.own / this.records;
  }

  /** "Pulsar broker 5.1, Kafka broker 0.2" (µs a record), or '' off the local stack. */
  brokersText(): string {
    return [...this.brokers].map(([b, us]) => `${b === 'pulsar' ? 'Pulsar' : 'Kafka'} broker ${(us / this.records).toFixed(1)}`).join(', ');
  }

  /** The JSON form: µs per record by process. */
  json(extra: Record<string, number> = {}): Record<string, number> {
    const out: Record<string, number> = { ...extra };
    for (const [b, us] of this.brokers) out[b] = us / this.records;
    return out;
  }
}
