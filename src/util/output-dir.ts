// The directory an output goes into must exist before any work: otherwise the first write
// fails on fyr's hidden temporary name, which the user never gave.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { FyrError } from '../errors.js';

// `path` as the user gave it (-o, a flash target).
export function checkOutputDir(path: string): void {
  const dir = dirname(path);
  const info = statSync(dir, { throwIfNoEntry: false });
  if (info === undefined)
    throw new FyrError('WRITE_FAILED', `cannot write ${path}: the directory ${dir} does not exist`, {
      details: [`Create it first (mkdir -p ${dir}) or give another -o.`],
    });
  if (!info.isDirectory()) throw new FyrError('WRITE_FAILED', `cannot write ${path}: ${dir} is not a directory`);
}
