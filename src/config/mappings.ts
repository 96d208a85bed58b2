// Turns one validated mapping file into typed topic and group mappings: connector references, regexes,
// Pulsar topic templates, defaults — the checks a JSON Schema cannot make.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GROUP_DEFAULTS, TOPIC_DEFAULTS } from './defaults.js';
import { parseMatcher } from './match.js';
import { describeValue, formatPath, type ConfigPath, type ConfigProblem } from './problems.js';
import { parseTopicName } from '../pulsar/client/topic-name.js';
import type {
  Connector,
  ConnectorKind,
  GroupMapping,
  MappingFile,
  NameMatcher,
  TopicMapping,
} from './types.js';
import type { YamlSource } from './yaml-source.js';

type Raw = Record<string, unknown>;

export function buildMapping(
  source: YamlSource,
  value: Raw,
  connectors: ReadonlyMap<string, Connector>,
  problems: ConfigProblem[],
): MappingFile {
  const problem = (path: ConfigPath, found: string, expected: string, hint?: string) =>
    problems.push({
      code: 'K2P_CFG_INVALID',
      file: source.file,
      line: source.locate(path),
      path: formatPath(path),
      found,
      expected,
      ...(hint ? { hint } : {}),
    });

  const reference = (key: string, kind: ConnectorKind) => {
    const name = value[key] as string | undefined;
    if (name === undefined) return;
    const c = connectors.get(name);
    if (c?.kind === kind) return;
    const known = [...connectors.values()].filter((k) => k.kind === kind).map((k) => k.name);
    problem(
      [key],
      c ? `"${name}" (a ${c.kind} connector)` : `"${name}"`,
      `the name of a ${kind} connector: ${known.length ? known.join(' | ') : '(none loaded — add a connectors file with -c)'}`,
    );
  };
  reference('source', 'kafka');
  reference('target', 'pulsar');
  reference('registry', 'schema-registry');

  const matcher = (text: string, path: ConfigPath): NameMatcher => {
    try {
      return parseMatcher(text);
    } catch (err) {
      problem(path, describeValue(text), 'a valid regular expression', (err as Error).message);
      return { text, name: text };
    }
  };

  const template = (text: string, path: ConfigPath, placeholder: string, required: boolean) => {
    const count = text.split(`{${placeholder}}`).length - 1;
    const other = /\{([^}]*)\}/g.exec(text.replaceAll(`{${placeholder}}`, ''));
    if ((required && count !== 1) || count > 1) {
      problem(
        path,
        count === 0 ? `${describeValue(text)} without {${placeholder}}` : `{${placeholder}} ${count} times`,
        `exactly one {${placeholder}}`,
      );
    } else if (other) {
      problem(
        path,
        `the placeholder {${other[1]}}`,
        `only {${placeholder}} (partitions map 1:1, no {partition})`,
      );
    }
    return text;
  };

  const pulsarTopic = (text: string, path: ConfigPath, required: boolean) => {
    template(text, path, 'topic', required);
    const sample = text.replaceAll('{topic}', 'topic');
    const expected = 'persistent://tenant/namespace/topic or non-persistent://tenant/namespace/topic';
    if (!/^(persistent|non-persistent):\/\//.test(sample))
      return problem(path, describeValue(text), expected);
    try {
      if (parseTopicName(sample).partition >= 0)
        problem(path, describeValue(text), `${expected}, not a -partition-N name`);
    } catch (err) {
      problem(
        path,
        describeValue(text),
        expected,
        (err as Error).message.replace(/^K2P_PLS_TOPIC_NAME: /, ''),
      );
    }
  };

  const src = (value.source as string) ?? '';
  const tgt = (value.target as string) ?? '';
  const registry = value.registry as string | undefined;

  const topics = ((value.topics ?? []) as Raw[]).map((t, i): TopicMapping => {
    const at = (...rest: (string | number)[]) => ['topics', i, ...rest];
    const to = t.to as string;
    pulsarTopic(to, at('to'), true);
    if (t.deadLetter !== undefined) pulsarTopic(t.deadLetter as string, at('deadLetter'), false);
    const schema = (t.schema as TopicMapping['schema']) ?? TOPIC_DEFAULTS.schema;
    if (schema === 'registry' && registry === undefined) {
      problem(
        at('schema'),
        '"registry" in a mapping without registry:',
        'bytes | string | json, or registry: naming a schema-registry connector at the top of the file',
      );
    }
    const keySchema = ((t.keys as Raw | undefined)?.schema as TopicMapping['keys']['schema'] | undefined) ?? TOPIC_DEFAULTS.keysSchema;
    if (keySchema !== 'plain' && schema !== 'registry') {
      problem(at('keys', 'schema'), `keys.schema: ${keySchema} with schema: ${schema}`, 'schema: registry (registry-framed keys are decoded through the registry), or keys.schema: plain');
    }
    let avroSchema: string | undefined;
    if (t.avroSchema !== undefined) {
      avroSchema = resolve(dirname(source.file), t.avroSchema as string);
      if (schema !== 'json') problem(at('avroSchema'), `avroSchema with schema: ${schema}`, 'schema: json (avroSchema types JSON values as Avro)');
      else if (!existsSync(avroSchema)) problem(at('avroSchema'), describeValue(t.avroSchema as string), 'an .avsc file (relative to this mapping file) that exists');
    }
    return {
      match: matcher(t.match as string, at('match')),
      exclude: ((t.exclude ?? []) as string[]).map((e, j) => matcher(e, at('exclude', j))),
      to,
      schema,
      route: (t.route as TopicMapping['route']) ?? TOPIC_DEFAULTS.route,
      keys: {
        binary:
          ((t.keys as Raw | undefined)?.binary as TopicMapping['keys']['binary']) ??
          TOPIC_DEFAULTS.keysBinary,
        schema: keySchema,
      },
      headers: {
        encoding:
          ((t.headers as Raw | undefined)?.encoding as TopicMapping['headers']['encoding']) ??
          TOPIC_DEFAULTS.headersEncoding,
      },
      ...(t.deadLetter !== undefined ? { deadLetter: t.deadLetter as string } : {}),
      provenance: (t.provenance as boolean | undefined) ?? TOPIC_DEFAULTS.provenance,
      subjectStrategy: (t.subjectStrategy as TopicMapping['subjectStrategy'] | undefined) ?? TOPIC_DEFAULTS.subjectStrategy,
      schemaCompatibility: (t.schemaCompatibility as TopicMapping['schemaCompatibility'] | undefined) ?? TOPIC_DEFAULTS.schemaCompatibility,
      validateBodies: (t.validateBodies as boolean | undefined) ?? TOPIC_DEFAULTS.validateBodies,
      ...(avroSchema !== undefined ? { avroSchema } : {}),
      source: src,
      target: tgt,
      ...(registry !== undefined ? { registry } : {}),
      file: source.file,
      path: formatPath(['topics', i]),
    };
  });

  const groups = ((value.groups ?? []) as Raw[]).map((g, i): GroupMapping => {
    const at = (...rest: (string | number)[]) => ['groups', i, ...rest];
    const match = matcher(g.match as string, at('match'));
    const subscription = (g.subscription as string | undefined) ?? GROUP_DEFAULTS.subscription;
    template(subscription, at('subscription'), 'group', false);
    if (match.regex && !subscription.includes('{group}')) {
      problem(
        at('subscription'),
        describeValue(subscription),
        'a name containing {group}',
        'a /regex/ matches many groups; each needs its own subscription',
      );
    }
    return {
      match,
      subscription,
      type: (g.type as GroupMapping['type']) ?? GROUP_DEFAULTS.type,
      whenNoOffset: (g.whenNoOffset as GroupMapping['whenNoOffset']) ?? GROUP_DEFAULTS.whenNoOffset,
      source: src,
      target: tgt,
      file: source.file,
      path: formatPath(['groups', i]),
    };
  });

  return {
    file: source.file,
    source: src,
    target: tgt,
    ...(registry !== undefined ? { registry } : {}),
    topics,
    groups,
  };
}
