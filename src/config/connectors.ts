// Turns the validated `connectors:` map of one file into typed connectors, with the checks a schema cannot make.
import { KAFKA_DEFAULTS } from './defaults.js';
import { formatPath, type ConfigPath, type ConfigProblem } from './problems.js';
import type { Connector, KafkaConnector, KafkaSsl } from './types.js';
import type { YamlSource } from './yaml-source.js';

type Raw = Record<string, unknown>;

export function buildConnectors(source: YamlSource, value: Raw, problems: ConfigProblem[]): Connector[] {
  const raw = (value.connectors ?? {}) as Record<string, Raw>;
  const problem = (path: ConfigPath, found: string, expected: string) =>
    problems.push({
      code: 'K2P_CFG_INVALID',
      file: source.file,
      line: source.locate(path),
      path: formatPath(path),
      found,
      expected,
    });

  return Object.entries(raw).map(([name, c]): Connector => {
    const base = { name, file: source.file };
    switch (c.kind) {
      case 'kafka':
        return kafka(base, c);
      case 'pulsar': {
        const tlsUrls = /^pulsar\+ssl:/.test(String(c.serviceUrl)) || /^https:/.test(String(c.adminUrl));
        if (c.tls !== undefined && !tlsUrls) {
          problem(
            ['connectors', name, 'tls'],
            'TLS settings with plain URLs (pulsar://, http://)',
            'a pulsar+ssl:// serviceUrl or an https:// adminUrl',
          );
        }
        return { ...base, ...c, kind: 'pulsar' } as Connector;
      }
      default: // schema-registry, redis: the schema already says everything
        return { ...base, ...c } as unknown as Connector;
    }
  });
}

function kafka(base: { name: string; file: string }, c: Raw): KafkaConnector {
  const brokers =
    typeof c.brokers === 'string' ? c.brokers.split(',').map((b) => b.trim()) : (c.brokers as string[]);
  let ssl: KafkaSsl | undefined;
  if (c.ssl === true) ssl = { rejectUnauthorized: KAFKA_DEFAULTS.rejectUnauthorized };
  else if (c.ssl && typeof c.ssl === 'object')
    ssl = { rejectUnauthorized: KAFKA_DEFAULTS.rejectUnauthorized, ...(c.ssl as Raw) };
  const out = {
    ...base,
    ...c,
    kind: 'kafka',
    brokers,
    clientId: (c.clientId as string | undefined) ?? KAFKA_DEFAULTS.clientId,
  } as Raw;
  if (ssl) out.ssl = ssl;
  else delete out.ssl;
  return out as unknown as KafkaConnector;
}
