// The dashboard's files (plain HTML, JS, CSS; no build step, nothing from a CDN), read once at start. Only
// the files found here are served: no path from a request ever reaches the file system.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

function assetsDir(): string {
  const here = fileURLToPath(new URL('./dashboard/', import.meta.url));
  if (existsSync(here)) return here;
  // Built (dist/src/admin): the assets stay in the sources.
  return fileURLToPath(new URL('../../../src/admin/dashboard/', import.meta.url));
}

export function dashboardAssets(): Map<string, { type: string; body: Buffer }> {
  const dir = assetsDir();
  const out = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) out.set(name, { type, body: readFileSync(`${dir}${name}`) });
  }
  return out;
}
