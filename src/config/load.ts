// loadConfig: files → validated, defaulted, deeply frozen GatewayConfig. Synchronous: it runs once at start-up
// and reads a handful of small files. All problems of all files are collected and thrown together.
import { buildConnectors } from './connectors.js';
import { checkCollisions } from './collisions.js';
import { expandFiles } from './files.js';
import { deepFreeze } from './freeze.js';
import { interpolate, type Env } from './interpolate.js';
import { buildMapping } from './mappings.js';
import { MAPPING_KEYS } from './json-schema.js';
import { throwProblems, type ConfigProblem } from './problems.js';
import type { Connector, GatewayConfig, MappingFile } from './types.js';
import { validateFile } from './validate.js';
import { readYaml, type YamlSource } from './yaml-source.js';

/**
 * Reads connector and mapping files (and directories of them) together.
 * Throws K2pError K2P_CFG_INVALID (any mistake in a file; `details.problems` lists them all) or
 * K2P_CFG_ENV_MISSING (files fine, but a ${VAR} is not set).
 */
export function loadConfig(files: readonly string[], env: Env = process.env): GatewayConfig {
  const problems: ConfigProblem[] = [];
  const paths = expandFiles(files, problems);
  if (files.length === 0) {
    problems.push({
      code: 'K2P_CFG_INVALID',
      file: '(none)',
      path: '(file)',
      found: 'no files',
      expected: 'at least one -c file or directory',
    });
  }

  // 1. syntax, ${VAR}, literal secrets, schema — per file, every problem collected
  const loaded: { source: YamlSource; value: Record<string, unknown> }[] = [];
  for (const { path, file } of paths) {
    const source = readYaml(path, file, problems);
    if (source.value === undefined) continue;
    const before = problems.length;
    const value = interpolate(source, env, problems);
    const reported = new Set(
      problems
        .slice(before)
        .filter((p) => p.file === file)
        .map((p) => p.path),
    );
    const schemaBefore = problems.length;
    validateFile(source, value, reported, problems);
    if (problems.length === schemaBefore) loaded.push({ source, value: value as Record<string, unknown> });
  }
  throwProblems(problems);

  // 2. connectors of all files, names unique across files
  const connectors = new Map<string, Connector>();
  for (const { source, value } of loaded) {
    for (const c of buildConnectors(source, value, problems)) {
      const first = connectors.get(c.name);
      if (first) {
        const path = ['connectors', c.name];
        problems.push({
          code: 'K2P_CFG_INVALID',
          file: source.file,
          line: source.locate(path, { key: true }),
          path: `connectors.${c.name}`,
          found: `"${c.name}", already defined in ${first.file}`,
          expected: 'connector names unique across all files',
        });
      } else connectors.set(c.name, c);
    }
  }

  // 3. mappings: references, regexes, templates; then collisions across files
  const mappings: MappingFile[] = [];
  for (const { source, value } of loaded) {
    if (MAPPING_KEYS.some((k) => k in value))
      mappings.push(buildMapping(source, value, connectors, problems));
  }
  checkCollisions(mappings, new Map(loaded.map((l) => [l.source.file, l.source])), problems);
  throwProblems(problems);

  return deepFreeze({
    files: paths.map((p) => p.file),
    connectors: Object.fromEntries(connectors),
    mappings,
  });
}
