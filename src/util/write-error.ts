// A failed write of an image fyr builds: a full disk or quota is NO_SPACE, anything else
// WRITE_FAILED with the system's code.
import { FyrError } from '../errors.js';

export function writeError(err: unknown, path: string): FyrError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return noSpace(path, err);
  return new FyrError('WRITE_FAILED', `writing ${path}: ${code ?? (err as Error).message}`, { cause: err });
}

export const noSpace = (path: string, cause?: unknown) =>
  new FyrError('NO_SPACE', `no space left writing ${path}`, { cause });
