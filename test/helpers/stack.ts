// Where the local stack's services are, for tests (same environment variables as stack/cli.ts).
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { stackOptions } from '../../stack/cli.js';
import { registryUrl } from '../../stack/services/registry.js';

const options = stackOptions();

export const STACK = {
  kafkaBrokers: [`localhost:${options.kafkaPort}`],
  pulsarServiceUrl: `pulsar://localhost:${options.pulsarPort}`,
  pulsarAdminUrl: `http://localhost:${options.pulsarAdminPort}`,
  registryUrl: registryUrl(options.registryPort),
  redisUrl: `redis://127.0.0.1:${options.redisPort}`,
  kafkaVersion: options.kafkaVersion,
} as const;

/** A name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Registers a cleanup that runs after the current test file, whatever happened. */
export function cleanup(fn: () => Promise<unknown> | unknown): void {
  after(async () => {
    await fn();
  });
}

/**
 * A base for record timestamps written to Kafka: an hour before this test file started. Never a fixed date
 * long past — Kafka's retention check (every 5 minutes, 7 days by default) deletes records that old at a
 * random moment, which made tests lose their data now and then.
 */
export const RECENT_TIMESTAMP = Date.now() - 3_600_000;
