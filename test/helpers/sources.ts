// The TypeScript files under a directory, for tests that read the code itself.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
