#!/usr/bin/env node
// The `k2p` command: runs the built CLI (dist/), or the TypeScript sources through tsx in a checkout.
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
