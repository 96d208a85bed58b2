// Reads one YAML file, keeping the document so that any path inside it can be turned back into a line number.
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { ConfigPath, ConfigProblem } from './problems.js';

export interface YamlSource {
  readonly file: string;
  /** Plain JS value of the document (null for an empty file); undefined when the YAML did not parse. */
  readonly value: unknown;
  /** Line of the value at `path` (or of its key with `key: true`); the nearest existing parent otherwise. */
  locate(path: ConfigPath, opts?: { key?: boolean }): number | undefined;
}

export function readYaml(path: string, file: string, problems: ConfigProblem[]): YamlSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push({
      code: 'K2P_CFG_INVALID',
      file,
      path: '(file)',
      found: (err as NodeJS.ErrnoException).code ?? 'an unreadable file',
      expected: 'a readable YAML file',
    });
    return { file, value: undefined, locate: () => undefined };
  }
  return parseYaml(text, file, problems);
}

export function parseYaml(text: string, file: string, problems: ConfigProblem[]): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      // Only the first line of the parser's message: the rest quotes the source, which may hold a secret.
      const what = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      problems.push({
        code: 'K2P_CFG_INVALID',
        file,
        line: lineOf(err.pos[0]),
        path: '(YAML syntax)',
        found: `a YAML error: ${what}`,
        expected: 'valid YAML',
      });
    }
    return { file, value: undefined, locate: () => undefined };
  }

  const locate = (path: ConfigPath, opts: { key?: boolean } = {}): number | undefined => {
    // `line` follows the deepest key or list item found: a missing key is reported at its parent's key.
    let node: unknown = doc.contents;
    let line = (node as Node | null)?.range ? lineOf((node as Node).range![0]) : undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) return line;
        const keyRange = (pair.key as Node).range;
        if (keyRange) line = lineOf(keyRange[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
        const range = (node as Node | null)?.range;
        if (range) line = lineOf(range[0]);
      } else {
        return line;
      }
    }
    const range = (node as Node | null)?.range;
    return !opts.key && range ? lineOf(range[0]) : line;
  };
  return { file, value: doc.toJS({ maxAliasCount: 100 }) as unknown, locate };
}
