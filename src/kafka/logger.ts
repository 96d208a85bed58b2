// kafkajs logs routed to the gateway's logger (pino fits), with the connector's secrets scrubbed from
// every line: messages, extra fields, error texts and stacks.
import { logLevel, type logCreator } from 'kafkajs';

/** A minimal structured logger; pino satisfies it. */
export interface KafkaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const REDACTED = '[redacted]';
const SECRET_FIELDS = /pass(word)?|secret|token|^key$|credential|authorization/i;

/** Replaces every occurrence of each secret in `value` (deeply, strings only) and drops secret-named fields. */
export function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const s of secrets) if (s !== '' && out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELDS.test(k) && v != null ? REDACTED : scrub(v, secrets, depth + 1);
  return out;
}

/** A kafkajs logCreator writing to `logger` with `bindings` (e.g. the connector name) on every line. */
export function kafkajsLogCreator(logger: KafkaLogger, secrets: readonly string[], bindings: Record<string, unknown>): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...rest } = log as { message: string; [k: string]: unknown };
      const extra: Record<string, unknown> = { ...rest };
      delete extra.timestamp; // our logger stamps its own
      delete extra.logger;
      const fields = { ...bindings, component: `kafkajs.${namespace}`, ...(scrub(extra, secrets) as Record<string, unknown>) };
      const text = scrub(message, secrets) as string;
      switch (level) {
        case logLevel.ERROR:
          logger.error(fields, text);
          break;
        case logLevel.WARN:
          logger.warn(fields, text);
          break;
        case logLevel.INFO:
          logger.info(fields, text);
          break;
        default:
          logger.debug(fields, text);
      }
    };
}
