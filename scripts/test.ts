// `npm test`: brings the local stack up (unless --no-stack), prepares the Python referees, then runs every
// test/**/*.test.ts (or the files and folders given) with Node's built-in test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { main as stack } from '../stack/cli.js';

function testFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return testFiles(child);
      return entry.name.endsWith('.test.ts') ? [child] : [];
    })
    .sort();
}

const args = process.argv.slice(2);
const withStack = !args.includes('--no-stack');
const paths = args.filter((a) => !a.startsWith('--'));
const files = (paths.length > 0 ? paths : ['test']).flatMap(testFiles);

if (withStack) {
  const python = spawnSync('bash', ['scripts/setup-python.sh'], { stdio: 'inherit' });
  if (python.status !== 0) process.exit(python.status ?? 1);
  const code = await stack(['up']);
  if (code !== 0) process.exit(code);
}

const result = spawnSync(
  process.execPath,
  // --test-force-exit: a test file whose tests are done ends even if a client left a socket open (kafkajs
  // keeps an idle connection until the broker drops it after 10 minutes); leaks are still bugs to fix.
  // --test-timeout: no single test may hang the run.
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', '--test-timeout=900000', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, K2P_TEST_STACK: withStack ? '1' : '0' } },
);
process.exit(result.status ?? 1);
