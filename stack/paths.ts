// Where the stack lives: the repository root and the git-ignored folder every service writes to.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STACK_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** <root>/.stack, or $K2P_STACK_DIR. */
export function stackDirectory(): string {
  return process.env.K2P_STACK_DIR ?? join(STACK_ROOT, '.stack');
}
