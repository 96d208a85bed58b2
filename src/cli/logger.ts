// The CLI's pino logger: JSON lines on stderr (stdout stays for results), config secrets redacted by path
// and scrubbed from every string, whatever field or message they end up in.
import pino, { type Logger } from 'pino';
import { CONFIG_REDACT_PATHS, REDACTED, configSecrets, type GatewayConfig } from '../config/index.js';
import { scrub } from '../kafka/index.js';

export function cliLogger(config: GatewayConfig | undefined, level = process.env.K2P_LOG_LEVEL ?? 'info'): Logger {
  const secrets = config ? configSecrets(config.connectors) : [];
  return pino(
    {
      level,
      base: { app: 'k2p' },
      redact: { paths: [...CONFIG_REDACT_PATHS], censor: REDACTED },
      hooks: {
        // Messages are strings pino does not redact by path: scrub them too.
        logMethod(args, method) {
          method.apply(this, scrub(args, secrets) as typeof args);
        },
      },
      formatters: { log: (object) => scrub(object, secrets) as Record<string, unknown> },
    },
    pino.destination(2),
  );
}
