// `-c` arguments → the YAML files to read: files as given, directories as their *.yaml / *.yml (sorted, not
// recursive), each file once.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConfigProblem } from './problems.js';

export function expandFiles(
  args: readonly string[],
  problems: ConfigProblem[],
): { path: string; file: string }[] {
  const seen = new Set<string>();
  const out: { path: string; file: string }[] = [];
  const add = (file: string) => {
    const abs = resolve(file);
    if (!seen.has(abs)) {
      seen.add(abs);
      out.push({ path: abs, file });
    }
  };
  for (const arg of args) {
    let isDir: boolean;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      problems.push({
        code: 'K2P_CFG_INVALID',
        file: arg,
        path: '(file)',
        found: 'no such file or directory',
        expected: 'a YAML file or a directory of them',
      });
      continue;
    }
    if (!isDir) add(arg);
    else
      for (const name of readdirSync(arg)
        .filter((n) => /\.ya?ml$/.test(n))
        .sort())
        add(join(arg, name));
  }
  if (args.length > 0 && out.length === 0 && problems.length === 0) {
    problems.push({
      code: 'K2P_CFG_INVALID',
      file: args.join(', '),
      path: '(file)',
      found: 'no *.yaml or *.yml files',
      expected: 'at least one configuration file',
    });
  }
  return out;
}
