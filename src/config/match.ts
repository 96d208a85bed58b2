// Matching Kafka topic and group names against mappings: exact name or /regex/, excludes, internal topics.
import { K2pError } from '../errors.js';
import { parseTopicName } from '../pulsar/client/topic-name.js';
import type { GatewayConfig, GroupMapping, NameMatcher, TopicMapping } from './types.js';

const REGEX = /^\/(.+)\/([iu]*)$/s;

/** `orders` → exact; `/^events\./i` → compiled regex. Throws the regex engine's SyntaxError when invalid. */
export function parseMatcher(text: string): NameMatcher {
  const m = REGEX.exec(text);
  if (!m) return { text, name: text };
  return { text, regex: new RegExp(m[1]!, m[2]) }; // never g/y: test() then keeps no state, safe when frozen
}

/** Kafka's and the registry's own topics: a /regex/ never selects them (an exact name still may). */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__') || name === '_schemas' || name.startsWith('_confluent');
}

function matches(m: NameMatcher, name: string): boolean {
  return m.regex ? m.regex.test(name) : m.name === name;
}

/** True when the topic mapping selects this Kafka topic: match, minus excludes, internal topics never by regex. */
export function matchesTopic(mapping: Pick<TopicMapping, 'match' | 'exclude'>, name: string): boolean {
  if (mapping.match.regex && isInternalTopic(name)) return false;
  return matches(mapping.match, name) && !mapping.exclude.some((e) => matches(e, name));
}

/** The full Pulsar topic name a Kafka topic goes to (partitions map 1:1 under it). */
export function targetTopic(mapping: Pick<TopicMapping, 'to'>, kafkaTopic: string): string {
  const t = parseTopicName(mapping.to.replaceAll('{topic}', kafkaTopic));
  if (t.partition >= 0) {
    throw new K2pError(
      'K2P_PLS_TOPIC_NAME',
      `"${t.full}" names a partition; a mapped topic cannot end in -partition-N`,
      {
        topic: t.full,
        kafkaTopic,
      },
    );
  }
  return t.full;
}

export function matchesGroup(mapping: Pick<GroupMapping, 'match'>, group: string): boolean {
  return matches(mapping.match, group);
}

/** The Pulsar subscription a Kafka group becomes. */
export function subscriptionName(mapping: Pick<GroupMapping, 'subscription'>, group: string): string {
  return mapping.subscription.replaceAll('{group}', group);
}

/**
 * The one topic mapping of `source` that takes this Kafka topic, or undefined. An exact name wins over
 * patterns; two patterns taking the same topic is an error (only decidable once the topic exists).
 */
export function resolveTopic(config: GatewayConfig, source: string, topic: string): TopicMapping | undefined {
  const all = config.mappings
    .flatMap((f) => f.topics)
    .filter((m) => m.source === source && matchesTopic(m, topic));
  return pickOne(all, topic, 'topic');
}

/** The one group mapping of `source` that takes this Kafka group, or undefined (exact wins over patterns). */
export function resolveGroup(config: GatewayConfig, source: string, group: string): GroupMapping | undefined {
  const all = config.mappings
    .flatMap((f) => f.groups)
    .filter((m) => m.source === source && matchesGroup(m, group));
  return pickOne(all, group, 'group');
}

function pickOne<T extends { match: NameMatcher; file: string; path: string }>(
  all: T[],
  name: string,
  what: string,
) {
  const exact = all.find((m) => m.match.name !== undefined);
  if (exact || all.length <= 1) return exact ?? all[0];
  const [a, b] = all as [T, T];
  throw new K2pError(
    'K2P_CFG_INVALID',
    `Kafka ${what} "${name}" is matched by ${a.file}: ${a.path}.match ${a.match.text} and by ${b.file}: ${b.path}.match ${b.match.text}; expected exactly one mapping (add an exclude or an exact mapping)`,
    { [what]: name, mappings: all.map((m) => `${m.file}: ${m.path}`) },
  );
}
