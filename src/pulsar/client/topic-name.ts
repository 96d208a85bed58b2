// Pulsar topic names: `{persistent|non-persistent}://tenant/namespace/local[-partition-N]`.
// Short forms are completed the way the official clients do: `my-topic` → persistent://public/default/my-topic,
// `tenant/ns/my-topic` → persistent://tenant/ns/my-topic.
import { K2pError } from '../../errors.js';

export type TopicDomain = 'persistent' | 'non-persistent';

export interface TopicName {
  readonly domain: TopicDomain;
  readonly tenant: string;
  readonly namespace: string;
  /** The local name, including a `-partition-N` suffix if any. */
  readonly local: string;
  /** Partition index when this names one partition of a partitioned topic, else -1. */
  readonly partition: number;
  /** Full name, e.g. persistent://public/default/orders-partition-3. */
  readonly full: string;
  /** Full name of the partitioned topic this partition belongs to (equals `full` when not a partition). */
  readonly base: string;
}

const PARTITION_SUFFIX = /-partition-(\d+)$/;
const SEGMENT = /^[A-Za-z0-9_.=:-]+$/;

export function parseTopicName(input: string): TopicName {
  const bad = (why: string) =>
    new K2pError('K2P_PLS_TOPIC_NAME', `"${input}" is not a Pulsar topic name: ${why}`, {
      topic: input,
      expected: '{persistent|non-persistent}://tenant/namespace/topic, tenant/namespace/topic, or topic',
    });
  let domain: TopicDomain = 'persistent';
  let rest = input;
  const scheme = /^([a-z-]+):\/\/(.*)$/.exec(input);
  if (scheme) {
    if (scheme[1] !== 'persistent' && scheme[1] !== 'non-persistent') throw bad(`unknown domain "${scheme[1]}"`);
    domain = scheme[1];
    rest = scheme[2]!;
  }
  const parts = rest.split('/');
  let tenant: string;
  let namespace: string;
  let local: string;
  if (parts.length === 1 && !scheme) {
    [tenant, namespace, local] = ['public', 'default', parts[0]!];
  } else if (parts.length === 3) {
    [tenant, namespace, local] = parts as [string, string, string];
  } else {
    throw bad(`expected 3 path segments after the domain, found ${parts.length}`);
  }
  for (const [what, value] of [
    ['tenant', tenant],
    ['namespace', namespace],
  ] as const) {
    if (!SEGMENT.test(value)) throw bad(`${what} "${value}" is empty or has characters outside [A-Za-z0-9_.=:-]`);
  }
  if (local === '' || local.includes('/')) throw bad('the topic part is empty');
  const match = PARTITION_SUFFIX.exec(local);
  const partition = match ? Number(match[1]) : -1;
  const full = `${domain}://${tenant}/${namespace}/${local}`;
  const base = match ? `${domain}://${tenant}/${namespace}/${local.slice(0, match.index)}` : full;
  return { domain, tenant, namespace, local, partition, full, base };
}

/** The name of partition `index` of a partitioned topic. */
export function partitionTopic(topic: string | TopicName, index: number): string {
  const t = typeof topic === 'string' ? parseTopicName(topic) : topic;
  return `${t.base}-partition-${index}`;
}

/** `persistent/tenant/ns/local` — the path form the admin REST API uses. */
export function topicRestPath(topic: string | TopicName): string {
  const t = typeof topic === 'string' ? parseTopicName(topic) : topic;
  return `${t.domain}/${t.tenant}/${t.namespace}/${encodeURIComponent(t.local)}`;
}
