// From loaded config files to the offsets dependencies: the source → target pair of the group mappings,
// Kafka topic → Pulsar topic from the topic mappings, group → subscription from the group mappings, group
// state and offset index in the Redis connector.
import { Redis } from 'ioredis';
import type { GatewayConfig, GroupMapping, RedisConnector } from '../config/index.js';
import { resolveGroup, resolveTopic, subscriptionName, targetTopic } from '../config/index.js';
import { K2pError } from '../errors.js';
import { closePair, mirrorPairs } from '../mirror/setup.js';
import type { GroupTarget, OffsetsDeps } from './deps.js';
import { RedisGroupStateStore } from './group-state.js';
import { KafkajsGroups } from './kafka-groups.js';
import { RedisOffsetIndex } from './offset-index.js';

export interface OffsetsSetup {
  deps: OffsetsDeps;
  /** The group's subscription per its mapping; K2P_OFF_UNKNOWN_GROUP when no mapping takes it. */
  groupTarget(group: string): GroupTarget;
  /** Kafka groups on the cluster that a group mapping takes. */
  mappedGroups(): Promise<GroupTarget[]>;
  close(): Promise<void>;
}

export interface OffsetsSetupOptions {
  /** Redis connector name; default: the only one. */
  redis?: string;
  /** The mirror's Kafka group; default as `k2p mirror` names it: k2p-mirror-<source>-<target>. */
  mirrorGroup?: string;
  log?: OffsetsDeps['log'];
}

function redisConnector(config: GatewayConfig, name?: string): RedisConnector {
  const all = Object.values(config.connectors).filter((c): c is RedisConnector => c.kind === 'redis');
  const found = name === undefined ? (all.length === 1 ? all[0] : undefined) : all.find((c) => c.name === name);
  if (!found) {
    throw new K2pError('K2P_CFG_INVALID', name ? `no redis connector named "${name}"` : `offsets keep their state in Redis: expected exactly one redis connector, found ${all.length} (name one with --redis)`, {
      expected: 'a connector of kind redis',
    });
  }
  return found;
}

export function offsetsFromConfig(config: GatewayConfig, options: OffsetsSetupOptions = {}): OffsetsSetup {
  const withGroups = config.mappings.find((m) => m.groups.length > 0);
  if (!withGroups) throw new K2pError('K2P_CFG_INVALID', 'no mapping file has group mappings (groups:)', { files: config.files });
  const pair = mirrorPairs(config).find((p) => p.source.name === withGroups.source && p.target.name === withGroups.target)!;
  const rc = redisConnector(config, options.redis);
  const redis = new Redis(rc.url, { password: rc.password, lazyConnect: false, maxRetriesPerRequest: 3 });
  const kafka = new KafkajsGroups(pair.kafka, pair.source.name);
  const scope = `${pair.source.name}→${pair.target.name}`;
  const deps: OffsetsDeps = {
    kafka,
    pulsar: pair.pulsar,
    admin: pair.admin,
    store: new RedisGroupStateStore(redis, scope),
    index: new RedisOffsetIndex(redis),
    mirrorGroup: options.mirrorGroup ?? `k2p-mirror-${pair.source.name}-${pair.target.name}`,
    targetOf: (topic) => {
      const m = resolveTopic(config, pair.source.name, topic);
      return m && m.target === pair.target.name ? targetTopic(m, topic) : undefined;
    },
    log: options.log,
  };
  const toTarget = (group: string, m: GroupMapping): GroupTarget => ({ group, subscription: subscriptionName(m, group), type: m.type, whenNoOffset: m.whenNoOffset });
  return {
    deps,
    groupTarget(group) {
      const m = resolveGroup(config, pair.source.name, group);
      if (!m || m.target !== pair.target.name) {
        throw new K2pError('K2P_OFF_UNKNOWN_GROUP', `no group mapping takes Kafka group "${group}" (add it under groups: in a mapping file)`, { group, files: config.files });
      }
      return toTarget(group, m);
    },
    async mappedGroups() {
      const out: GroupTarget[] = [];
      for (const group of await kafka.list()) {
        const m = resolveGroup(config, pair.source.name, group);
        if (m && m.target === pair.target.name && group !== deps.mirrorGroup) out.push(toTarget(group, m));
      }
      return out;
    },
    async close() {
      await kafka.close();
      await closePair(pair);
      redis.disconnect();
    },
  };
}
