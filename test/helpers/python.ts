// Runs the Python referees (official clients from PyPI, in .venv) and parses their JSON-lines output.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const python = join(root, '.venv', 'bin', 'python');

export interface RefereeResult<T> {
  lines: T[];
  stderr: string;
}

/**
 * Runs test/interop/python/<script> with args, feeding `input` lines as JSON; rejects on a non-zero exit.
 * `env` adds environment variables (how secrets such as tokens reach the referee, never through args).
 */
export function runReferee<T = Record<string, unknown>>(
  script: string,
  args: string[],
  input: unknown[] = [],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<RefereeResult<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(root, 'test', 'interop', 'python', script), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${stderr.split('\n').slice(-20).join('\n')}`));
        return;
      }
      const lines = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
      resolve({ lines, stderr });
    });
    for (const item of input) child.stdin.write(`${JSON.stringify(item)}\n`);
    child.stdin.end();
  });
}
