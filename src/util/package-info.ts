// Where fyr is installed and which version it is: the same from src/ (tsx) and dist/ (built).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// src/util and dist/util are both two levels below the package root.
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let version: string | undefined;

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
  return version;
}
