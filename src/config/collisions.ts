// Checks across all mapping files: a Kafka topic or group mapped twice by name, and two topic mappings that
// can write into the same Pulsar topic (sequence ids = Kafka offsets, so two sources in one topic lose data).
import { matchesTopic } from './match.js';
import { describeValue, type ConfigProblem } from './problems.js';
import type { GroupMapping, MappingFile, TopicMapping } from './types.js';
import type { YamlSource } from './yaml-source.js';

export function checkCollisions(
  files: readonly MappingFile[],
  sources: ReadonlyMap<string, YamlSource>,
  problems: ConfigProblem[],
) {
  const problem = (m: TopicMapping | GroupMapping, field: string, found: string, expected: string) => {
    const index = Number(/\[(\d+)\]$/.exec(m.path)![1]);
    const kind = m.path.startsWith('topics') ? 'topics' : 'groups';
    const line = sources.get(m.file)?.locate([kind, index, field]);
    problems.push({
      code: 'K2P_CFG_INVALID',
      file: m.file,
      line,
      path: `${m.path}.${field}`,
      found,
      expected,
    });
  };
  const where = (m: TopicMapping | GroupMapping) => `${m.file}: ${m.path}`;

  for (const kind of ['topics', 'groups'] as const) {
    const seen = new Map<string, TopicMapping | GroupMapping>();
    for (const m of files.flatMap((f): readonly (TopicMapping | GroupMapping)[] => f[kind])) {
      if (m.match.name === undefined) continue;
      const key = `${m.source}\0${m.match.name}`;
      const first = seen.get(key);
      if (first) {
        problem(
          m,
          'match',
          `"${m.match.name}", already mapped by ${where(first)}`,
          `each Kafka ${kind === 'topics' ? 'topic' : 'group'} of ${m.source} mapped once`,
        );
      } else seen.set(key, m);
    }
  }

  const topics = files.flatMap((f) => f.topics).filter((t) => t.to.split('{topic}').length === 2);
  for (let i = 0; i < topics.length; i++) {
    for (let j = i + 1; j < topics.length; j++) {
      const [a, b] = [topics[i]!, topics[j]!];
      if (a.target !== b.target) continue;
      const clash = collision(a, b) ?? collision(b, a);
      if (clash) {
        problem(
          b,
          'to',
          `${describeValue(b.to)}, which can write the same Pulsar topic as ${where(a)} (${clash})`,
          'distinct Pulsar topics for distinct Kafka topics',
        );
      }
    }
  }
}

/** Why `a` and `b` can produce one Pulsar topic from different Kafka topics (or clusters), or undefined. */
function collision(a: TopicMapping, b: TopicMapping): string | undefined {
  const [ap, as] = a.to.split('{topic}') as [string, string];
  const [bp, bs] = b.to.split('{topic}') as [string, string];
  const sameTopic = (name: string) => a.source === b.source && name === a.match.name; // exact beats pattern
  if (a.match.name !== undefined) {
    const out = ap + a.match.name + as;
    if (b.match.name !== undefined) {
      const same = a.source === b.source && a.match.name === b.match.name; // reported as a duplicate already
      return !same && out === bp + b.match.name + bs ? `both give ${out}` : undefined;
    }
    if (out.length < bp.length + bs.length || !out.startsWith(bp) || !out.endsWith(bs)) return undefined;
    const other = out.slice(bp.length, out.length - bs.length);
    if (other === '' || sameTopic(other) || !matchesTopic(b, other)) return undefined;
    return `${b.source} topic "${other}" would also become ${out}`;
  }
  if (b.match.name === undefined && a.source !== b.source && ap === bp && as === bs) {
    return `a topic present in both ${a.source} and ${b.source} would become the same Pulsar topic`;
  }
  return undefined;
}
