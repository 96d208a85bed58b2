// Runs the Java referees (the official Java clients, resolved by Maven from test/interop/java/pom.xml) as
// single-file source programs, and parses their JSON-lines output.
//
// The classpath is resolved once: `mvn dependency:build-classpath` writes it to .stack/java-referee/, in a
// java @argfile named after a hash of the pom, so a changed pom resolves again and an unchanged one never
// calls Maven a second time. The jars themselves live in the normal ~/.m2 cache.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const root = fileURLToPath(new URL('../..', import.meta.url));
export const JAVA_REFEREE_DIR = join(root, 'test', 'interop', 'java');
const cacheDir = join(root, '.stack', 'java-referee');

export interface JavaRefereeResult<T> {
  lines: T[];
  stderr: string;
}

let classpath: Promise<string> | undefined;

/** Path of a java @argfile holding `-cp "<jars>"` for the referees (resolved by Maven on first use). */
export function javaRefereeClasspath(): Promise<string> {
  classpath ??= resolveClasspath().catch((err: unknown) => {
    classpath = undefined;
    throw err;
  });
  return classpath;
}

async function resolveClasspath(): Promise<string> {
  const pom = join(JAVA_REFEREE_DIR, 'pom.xml');
  const tag = createHash('sha256')
    .update(await readFile(pom))
    .digest('hex')
    .slice(0, 12);
  const argFile = join(cacheDir, `classpath-${tag}.args`);
  if (existsSync(argFile)) return argFile;
  await mkdir(cacheDir, { recursive: true });
  const listFile = join(cacheDir, `classpath-${tag}.txt`);
  try {
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${listFile}`], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').slice(-15).join('\n');
    throw new Error(`maven could not resolve the Java referee classpath (${pom}):\n${output}`);
  }
  const jars = (await readFile(listFile, 'utf8')).trim();
  if (jars === '') throw new Error(`maven wrote an empty classpath for ${pom}`);
  // Quoted: an argfile splits on whitespace otherwise. Written then renamed, so a half-written file is never used.
  await writeFile(`${argFile}.tmp`, `-cp "${jars}"\n`);
  await rename(`${argFile}.tmp`, argFile);
  return argFile;
}

/**
 * Runs test/interop/java/<source> (e.g. RoutingReferee.java) with `args`, writing `input` to its stdin one
 * line each; resolves with the JSON lines it printed, rejects on a non-zero exit or a timeout.
 */
export async function runJavaReferee<T = Record<string, unknown>>(
  source: string,
  args: string[],
  input: readonly string[] = [],
  timeoutMs = 180_000,
): Promise<JavaRefereeResult<T>> {
  const argFile = await javaRefereeClasspath();
  return new Promise((resolve, reject) => {
    const child = spawn('java', [`@${argFile}`, join(JAVA_REFEREE_DIR, source), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited ${code}`;
        const tail = stderr
          .split('\n')
          .filter((l) => !/^\s+at /.test(l))
          .slice(-20)
          .join('\n');
        reject(new Error(`${source} ${args.join(' ')} ${why}:\n${tail}`));
        return;
      }
      try {
        const lines = stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as T);
        resolve({ lines, stderr });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child.stdin.on('error', () => undefined); // the exit code tells what went wrong
    child.stdin.end(input.length > 0 ? `${input.join('\n')}\n` : '');
  });
}
