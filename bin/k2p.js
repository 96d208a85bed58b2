#!/usr/bin/env -S node --max-semi-space-size=128
// The `k2p` command: runs the built CLI (dist/), or the TypeScript sources through tsx in a checkout.
// A 128 MiB semi-space for the young generation (V8's default is 16): the data paths allocate per record and
// hold records in flight across broker round trips; with the default, most of them outlive a scavenge and
// get copied, and the facade's v3 streaming spent ~30 % of its CPU collecting garbage (docs/facade.md). It
// costs up to about 2 x 128 MiB of memory when busy. To set it differently: `node --max-semi-space-size=N bin/k2p.js ...`.
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli/index.js', import.meta.url);
// `k2p status` starts faster from its bundle (see scripts/bundle-status.mjs).
const statusBundle = new URL('../dist/status-bundle/index.js', import.meta.url);
let cli;
if (process.argv[2] === 'status' && existsSync(statusBundle)) {
  cli = await import(statusBundle.href);
} else if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/index.ts', import.meta.url).href);
}
process.exitCode = await cli.run(process.argv.slice(2));
