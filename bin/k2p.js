#!/usr/bin/env -S node --max-semi-space-size=128
// The `k2p` command: runs the built CLI (dist/), or the TypeScript sources through tsx in a checkout (when
// there is no build, or the sources changed since it was made).
// A 128 MiB semi-space for the young generation (V8's default is 16): the data paths allocate per record and
// hold records in flight across broker round trips; with the default, most of them outlive a scavenge and
// get copied, and the facade's v3 streaming spent ~30 % of its CPU collecting garbage (docs/facade.md). It
// costs up to about 2 x 128 MiB of memory when busy. To set it differently: `node --max-semi-space-size=N bin/k2p.js ...`.
import { existsSync, readdirSync, statSync } from 'node:fs';

const built = new URL('../dist/src/cli/index.js', import.meta.url);
// `k2p status` starts faster from its bundle (see scripts/bundle-status.mjs).
const statusBundle = new URL('../dist/status-bundle/index.js', import.meta.url);
const sources = new URL('../src/', import.meta.url);

/** True when a file under `dir` changed after `time` (ms). */
function changedSince(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    if (entry.isDirectory() ? changedSince(url, time) : statSync(url).mtimeMs > time) return true;
  }
  return false;
}

/**
 * A build is used unless, in a checkout, the sources changed after it was made: a dist/ left by an earlier
 * `npm run build` (or by the test that builds one) must not run yesterday's code.
 */
function current(file) {
  return existsSync(file) && !(existsSync(sources) && changedSince(sources, statSync(file).mtimeMs));
}

let cli;
if (process.argv[2] === 'status' && current(statusBundle)) {
  cli = await import(statusBundle.href);
} else if (current(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/index.ts', import.meta.url).href);
}
process.exitCode = await cli.run(process.argv.slice(2));
