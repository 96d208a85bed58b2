// A run carries its config files' contents, so every gateway process loads the same connectors and mappings
// whatever its working directory. Secrets stay ${ENV} references: each process resolves them from its own
// environment when it loads the files.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig, type GatewayConfig } from '../config/index.js';
import { K2pError } from '../errors.js';
import type { ConfigFile } from './types.js';

/** Reads `-c` arguments (files, or directories of *.yaml / *.yml) into contents. */
export function readConfigFiles(args: readonly string[]): ConfigFile[] {
  // loadConfig validates first: a run is never created from files that do not load.
  loadConfig(args);
  const out: ConfigFile[] = [];
  for (const arg of args) {
    const names = statSync(arg).isDirectory()
      ? readdirSync(arg)
          .filter((n) => /\.ya?ml$/.test(n))
          .sort()
          .map((n) => join(arg, n))
      : [arg];
    for (const name of names) if (!out.some((f) => f.name === name)) out.push({ name, content: readFileSync(name, 'utf8') });
  }
  return out;
}

/** Loads a run's files: written under the temp directory (one folder per run), then loadConfig. */
export function loadRunConfig(runId: string, files: readonly ConfigFile[]): GatewayConfig {
  if (files.length === 0) throw new K2pError('K2P_RUN_INPUT', `run ${runId} has no config files`, { run: runId });
  const dir = join(tmpdir(), 'k2p-runs', runId.replace(/[^A-Za-z0-9_-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  const paths = files.map((f, i) => {
    const path = join(dir, `${String(i).padStart(2, '0')}-${basename(f.name)}`);
    writeFileSync(path, f.content);
    return path;
  });
  return loadConfig(paths);
}
