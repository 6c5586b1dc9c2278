// File helpers for the phases: hashing, copies that never leave half a file under the final
// name, and small checks.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { tempSibling } from '../util/fs.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 4 << 20 }), hash);
  return hash.digest('hex');
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

// Copy to a temporary sibling, then rename: a crash leaves the old file or none, never half.
export async function copyAtomic(from: string, to: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const temp = tempSibling(to);
  try {
    await copyFile(from, temp);
    await chmod(temp, mode);
    await rename(temp, to);
  } finally {
    await rm(temp, { force: true });
  }
}
