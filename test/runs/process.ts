// Gateway processes for the fault tests: `k2p run` / `k2p serve` as child processes (killed with SIGKILL),
// their JSON lines collected, and waits on what they print.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/k2p.js', import.meta.url));

export interface K2pProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves with the first JSON line `match` accepts (rejects if the process exits first or after timeoutMs). */
  waitLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill9(): Promise<void>;
}

export function k2p(args: string[], env: Record<string, string> = {}): K2pProcess {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, K2P_LOG_LEVEL: 'warn', ...env } });
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, i).trim();
      buffer = buffer.slice(i + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.match(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    // Only warnings and errors reach here (K2P_LOG_LEVEL=warn): shown, so a failing test explains itself.
    process.stderr.write(`# [k2p ${child.pid}] ${d.toString()}`);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitLine(match, timeoutMs = 300_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line from k2p ${args[0]} within ${timeoutMs} ms; last: ${JSON.stringify(lines.at(-1))}`)), timeoutMs);
        void exited.then((code) => reject(new Error(`k2p ${args[0]} exited (${code}) before a matching line; last: ${JSON.stringify(lines.at(-1))}`)));
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
