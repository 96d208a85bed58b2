// `k2p serve`: a gateway process — takes run jobs, runs the mirrors of active runs, serves the admin API and
// dashboard, and (with --facade-port) the REST Proxy facade whose routes the admin API switches. The token
// comes from K2P_ADMIN_TOKEN only (never a flag: flags show in `ps`).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { RouteControl } from '../admin/index.js';
import { loadConfig } from '../config/index.js';
import { K2pError } from '../errors.js';
import type { RunningFacade } from '../facade/start.js';
import { redisUrlFor } from '../runs/redis-url.js';
import { cliLogger } from './logger.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}

interface ServeFlags {
  config: string[];
  port: number;
  host: string;
  redis?: string;
  prefix: string;
  work: boolean;
  facadePort?: number;
  facadeHost: string;
}

/** The admin API's view of the facade's routes. */
function routeControl(facade: RunningFacade): RouteControl {
  return { lookup: (topic) => facade.core.routes.lookup(topic), setRoute: (topic, route) => facade.core.setRoute(topic, route) };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run a gateway process: work on the runs (jobs and mirrors) and serve the admin API and dashboard')
    .option('-c, --config <file>', 'connector / mapping files (the redis connector locates the runs)', collect, [])
    .option('--port <port>', 'admin API port', port, 8090)
    .option('--host <host>', 'admin API address (a non-loopback address needs K2P_ADMIN_TOKEN)', '127.0.0.1')
    .option('--redis <url>', 'Redis holding the runs (default: $K2P_REDIS_URL, the config\'s redis connector, redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'key prefix of the runs and their queue in Redis', 'k2p')
    .option('--no-work', 'serve the API only: take no jobs and run no mirror')
    .option('--facade-port <port>', 'also serve the REST Proxy facade on this port (needs -c with the mappings); its routes are then switched through the admin API', port)
    .option('--facade-host <host>', 'facade address', '127.0.0.1')
    .addHelpText(
      'after',
      `
Environment: K2P_ADMIN_TOKEN (bearer token of the admin API; required unless --host is a loopback address).
Several gateway processes on the same Redis share the jobs and, through the Kafka consumer group, the partitions.

Examples:
  K2P_ADMIN_TOKEN=$(openssl rand -hex 24) k2p serve -c connectors/local.yaml --host 0.0.0.0 --port 8090
  k2p serve --port 8091                # a second gateway on this machine (loopback, no token)
  k2p serve -c connectors/local.yaml -c mappings/examples/shop.yaml --facade-port 8082`,
    )
    .action(async (opts: ServeFlags) => {
      // Loaded here, not at start-up: the other commands start without the server, facade and runs.
      const [{ startAdminServer }, { authFromEnv }, { startFacade }, { Gateway }] = await Promise.all([
        import('../admin/index.js'),
        import('../facade/http/auth.js'),
        import('../facade/start.js'),
        import('../runs/index.js'),
      ]);
      const config = opts.config.length > 0 ? loadConfig(opts.config) : undefined;
      const log = cliLogger(config);
      const token = process.env.K2P_ADMIN_TOKEN || undefined;
      const gateway = new Gateway({ redisUrl: redisUrlFor(opts.redis, config), prefix: opts.prefix, work: opts.work, log: (event, fields) => log.info({ event, ...fields }, event) });
      let app;
      let facade: RunningFacade | undefined;
      try {
        if (opts.facadePort !== undefined) {
          if (!config) throw new K2pError('K2P_CFG_INVALID', '--facade-port needs the connector and mapping files (-c)', {});
          facade = await startFacade(config, { port: opts.facadePort, host: opts.facadeHost, auth: authFromEnv(), logger: log });
          log.info({ event: 'facade-listening', url: facade.url }, `REST Proxy facade on ${facade.url}`);
        }
        app = await startAdminServer({ gateway, routes: facade ? routeControl(facade) : undefined }, { host: opts.host, port: opts.port, token });
      } catch (err) {
        await facade?.close();
        await gateway.stop();
        throw err;
      }
      gateway.start();
      const address = app.server.address();
      const where = typeof address === 'object' && address ? `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${address.port}` : String(address);
      log.info({ event: 'serving', url: where, auth: token !== undefined, work: opts.work }, `admin API on ${where} (dashboard ${where}/dashboard/, docs ${where}/docs)`);
      console.log(JSON.stringify({ event: 'serving', url: where, facade: facade?.url, process: gateway.supervisor?.processId }));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log.info({ event: 'stopping' }, 'stopping');
      await app.close();
      await facade?.close();
      await gateway.stop();
      log.flush();
    });
}
