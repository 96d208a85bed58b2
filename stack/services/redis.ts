// Redis from Debian's redis-server package: the job queue's datastore. No persistence: test data only.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { StackService } from '../service.js';

const run = promisify(execFile);

async function hasRedisServer(): Promise<boolean> {
  return run('redis-server', ['--version']).then(
    () => true,
    () => false,
  );
}

export const redis: StackService = {
  name: 'redis',
  startTimeoutSeconds: 20,
  port: (options) => options.redisPort,

  async install(ctx) {
    if (await hasRedisServer()) return;
    ctx.log('installing redis-server from Debian packages');
    await run('apt-get', ['update', '-qq'], { maxBuffer: 16 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '-qq', 'redis-server'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 16 * 1024 * 1024,
    });
  },

  async launch(ctx) {
    return {
      command: 'redis-server',
      args: ['--port', String(ctx.options.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      cwd: ctx.serviceDir,
    };
  },

  async probe(ctx) {
    const client = new Redis({ port: ctx.options.redisPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined); // connect failures surface through connect() below
    try {
      await client.connect();
      const pong = await client.ping();
      const marker = randomUUID();
      await client.set('k2p:stack-probe', marker, 'EX', 60);
      const back = await client.get('k2p:stack-probe');
      if (pong !== 'PONG' || back !== marker) throw new Error(`redis probe: PING gave ${pong}, GET gave ${back}`);
    } finally {
      client.disconnect();
    }
  },
};
