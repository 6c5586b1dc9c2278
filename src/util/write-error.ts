// A failed write of a file fyr makes: a full disk or quota is NO_SPACE, naming the path and the
// room needed where it is known; anything else WRITE_FAILED with the system's code.
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { FyrError, isFyrError } from '../errors.js';

const FULL = /No space left on device|Disk quota exceeded|ENOSPC|EDQUOT/i;

export function writeError(err: unknown, path: string, needed?: number): FyrError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return noSpace(path, err, needed);
  return new FyrError('WRITE_FAILED', `writing ${path}: ${code ?? (err as Error).message}`, { cause: err });
}

export const noSpace = (path: string, cause?: unknown, needed?: number) =>
  new FyrError('NO_SPACE', `no space left writing ${path}${room(dirname(path), needed)}`, { cause });

// Whether an error is a full filesystem: the system's error, fyr's NO_SPACE, or a program
// (xorriso, mtools) that said so.
export function isSpaceError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'NO_SPACE') return true;
  return isFyrError(err) && err.code === 'TOOL_FAILED' && err.detailLines.some((l) => FULL.test(l));
}

// ": it needs about N bytes, M are free in DIR", as far as it is known.
export function room(dir: string, needed?: number): string {
  let free: number | undefined;
  try {
    const fs = statfsSync(dir);
    free = fs.bavail * fs.bsize;
  } catch {
    free = undefined;
  }
  if (needed === undefined) return free === undefined ? '' : ` (${free} bytes are free in ${dir})`;
  return `: it needs about ${needed} bytes${free === undefined ? '' : `, ${free} are free in ${dir}`}`;
}
