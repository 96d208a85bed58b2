// After `tsc`: `k2p status` as a bundle (dist/status-bundle/). The command people run most often, often in a
// loop, then starts by reading a few files instead of resolving some 200 modules (ioredis alone is ~100
// files): about 150 ms for the whole process instead of about 210 ms on the 2-core test machine. Other
// commands keep running from dist/src (some locate files next to their module: dashboard assets, workers).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/index.js'],
  outdir: 'dist/status-bundle',
  bundle: true,
  splitting: true, // the other commands' modules stay in chunks that `status` never loads
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Bundled CommonJS packages (ioredis) call require() for Node's built-in modules.
  banner: { js: "import { createRequire as k2pCreateRequire } from 'node:module'; const require = k2pCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
