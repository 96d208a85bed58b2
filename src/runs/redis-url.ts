// Which Redis the runs live in: --redis, else K2P_REDIS_URL, else the config files' only redis connector
// (its password, an ${ENV} secret, put into the URL), else the local default.
import type { GatewayConfig, RedisConnector } from '../config/index.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function redisUrlFor(flag: string | undefined, config?: GatewayConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.K2P_REDIS_URL) return env.K2P_REDIS_URL;
  const all = config ? Object.values(config.connectors).filter((c): c is RedisConnector => c.kind === 'redis') : [];
  if (all.length === 1) {
    const c = all[0]!;
    if (!c.password) return c.url;
    const u = new URL(c.url);
    u.password = encodeURIComponent(c.password);
    return u.toString();
  }
  return DEFAULT_REDIS_URL;
}
