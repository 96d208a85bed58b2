// `pulsar://host:port[,host:port...]` and `pulsar+ssl://...`: where to open the first connection.
import { K2pError } from '../../errors.js';

export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
  /** The URL as the broker names itself, e.g. pulsar://localhost:6650. */
  url: string;
}

export function parseServiceUrl(serviceUrl: string): BrokerAddress[] {
  const match = /^(pulsar|pulsar\+ssl):\/\/([^/]+)\/?$/.exec(serviceUrl.trim());
  if (!match) {
    throw new K2pError('K2P_PLS_CONNECT', `"${serviceUrl}" is not a Pulsar service URL`, {
      serviceUrl,
      expected: 'pulsar://host:port[,host:port] or pulsar+ssl://host:port',
    });
  }
  const tls = match[1] === 'pulsar+ssl';
  return match[2]!.split(',').map((hostPort) => parseBrokerUrl(`${match[1]}://${hostPort}`, tls ? 6651 : 6650));
}

export function parseBrokerUrl(url: string, defaultPort = 6650): BrokerAddress {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'pulsar+ssl:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : tls ? 6651 : defaultPort;
  return { host, port, tls, url: `${tls ? 'pulsar+ssl' : 'pulsar'}://${parsed.host}` };
}
