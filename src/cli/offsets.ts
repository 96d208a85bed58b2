// `k2p cutover | rollback --group G -c <files>`, `k2p offsets status | sync | check -c <files>`: thin
// wrappers over src/offsets (load config, call, print).
import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { cutover, groupStatus, OffsetSync, offsetsFromConfig, rollback, syncGroups, type OffsetsSetup } from '../offsets/index.js';
import { assertBrokerSettings, checkBrokerSettings } from '../offsets/broker-settings.js';
import type { PartitionState } from '../offsets/group-state.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface Common {
  config: string[];
  redis?: string;
  mirrorGroup?: string;
  json?: boolean;
}

async function withSetup<T>(opts: Common, fn: (s: OffsetsSetup, adminUrl: { url: string; token?: string }) => Promise<T>): Promise<T> {
  const config = loadConfig(opts.config);
  const setup = offsetsFromConfig(config, { redis: opts.redis, mirrorGroup: opts.mirrorGroup, log: (event, fields) => console.error(JSON.stringify({ event, ...fields })) });
  const pulsar = Object.values(config.connectors).find((c) => c.kind === 'pulsar');
  try {
    return await fn(setup, { url: pulsar && pulsar.kind === 'pulsar' ? pulsar.adminUrl : '', token: pulsar && pulsar.kind === 'pulsar' ? pulsar.token : undefined });
  } finally {
    await setup.close();
  }
}

function printPartitions(rows: PartitionState[], json: boolean, extra: Record<string, unknown>): void {
  if (json) {
    console.log(JSON.stringify({ ...extra, partitions: rows }));
    return;
  }
  for (const [k, v] of Object.entries(extra)) console.log(`${k}: ${String(v)}`);
  for (const r of rows) {
    const first = r.nextId ? ` (first message ${r.nextId}, Kafka offset ${r.nextOffset})` : ' (nothing stored there yet)';
    console.log(`  ${r.topic}[${r.partition}]  Kafka offset ${r.kafkaOffset} → Pulsar ${r.position}${first}`);
  }
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption('-c, --config <file>', 'connector / mapping file or folder (repeatable)', collect, [])
    .option('--redis <connector>', 'redis connector holding the group state and the offset index (default: the only one)')
    .option('--mirror-group <id>', "the mirror's Kafka group (default k2p-mirror-<source>-<target>, as k2p mirror names it)")
    .option('--json', 'machine-readable output');
}

export function registerOffsetsCommands(program: Command): void {
  common(program.command('cutover'))
    .description('move a stopped Kafka consumer group onto its Pulsar subscription: every partition starts exactly at its committed offset')
    .requiredOption('--group <id>', 'Kafka consumer group')
    .option('--wait <ms>', 'how long to wait for the mirror to catch up', (v) => Number(v), 60_000)
    .option('--again', 'place the subscription again although the group is cut over (no Pulsar consumer may be attached)')
    .addHelpText('after', '\nExample:\n  k2p cutover --group billing -c connectors/local.yaml -c mappings/examples/shop.yaml')
    .action(async (opts: Common & { group: string; wait: number; again?: boolean }) => {
      await withSetup(opts, async (s, adminUrl) => {
        await assertBrokerSettings(adminUrl);
        const r = await cutover(s.deps, s.groupTarget(opts.group), { waitMs: opts.wait, again: opts.again });
        printPartitions(r.partitions, opts.json ?? false, { group: r.group, subscription: r.subscription, result: r.already ? 'already cut over (nothing changed)' : 'cut over' });
      });
    });

  common(program.command('rollback'))
    .description("move a cut-over group back to Kafka: its committed offsets become its Pulsar subscription's position")
    .requiredOption('--group <id>', 'Kafka consumer group')
    .action(async (opts: Common & { group: string }) => {
      await withSetup(opts, async (s) => {
        const r = await rollback(s.deps, s.groupTarget(opts.group));
        printPartitions(r.partitions, opts.json ?? false, { group: r.group, subscription: r.subscription, result: r.already ? 'already rolled back (nothing changed)' : 'rolled back' });
      });
    });

  const offsets = program.command('offsets').description('consumer-group offset translation: status, continuous sync, broker check');

  common(offsets.command('status'))
    .description('per mapped group: phase (syncing, cut over, rolled back), translated lag, last sync time')
    .action(async (opts: Common) => {
      await withSetup(opts, async (s) => {
        const rows = [];
        for (const g of await s.mappedGroups()) rows.push(await groupStatus(s.deps, g));
        if (opts.json) console.log(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
        else
          for (const r of rows)
            console.log(`${r.group} → ${r.subscription}: ${r.phase}, translated lag ${r.translatedLag}, last sync ${r.lastSyncAt ? new Date(r.lastSyncAt).toISOString() : 'never'}${r.note ? ` — ${r.note}` : ''}`);
      });
    });

  common(offsets.command('sync'))
    .description('keep the subscriptions of mapped groups at their committed offsets (forward only) until interrupted')
    .option('--interval <ms>', 'time between rounds', (v) => Number(v), 5000)
    .option('--once', 'one round, then exit')
    .action(async (opts: Common & { interval: number; once?: boolean }) => {
      await withSetup(opts, async (s, adminUrl) => {
        await assertBrokerSettings(adminUrl);
        const print = (outcomes: Awaited<ReturnType<typeof syncGroups>>) => {
          for (const o of outcomes) console.log(JSON.stringify(o));
        };
        if (opts.once) {
          print(await syncGroups(s.deps, await s.mappedGroups()));
          return;
        }
        const sync = new OffsetSync(s.deps, () => s.mappedGroups(), opts.interval, print);
        sync.start();
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await sync.stop();
      });
    });

  common(offsets.command('check'))
    .description('check the Pulsar broker settings exact translation needs (changes nothing)')
    .action(async (opts: Common) => {
      await withSetup(opts, async (_s, adminUrl) => {
        const c = await checkBrokerSettings(adminUrl);
        console.log(c.ok ? 'broker settings: ok (acknowledgmentAtBatchIndexLevelEnabled=true)' : c.problems.join('\n'));
        if (!c.ok) process.exitCode = 1;
      });
    });
}
