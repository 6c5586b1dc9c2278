// Publishes a tree of files as one directory, all or nothing: everything is written under a
// temporary sibling, which is renamed into place only when complete. An existing directory is
// replaced only when asked, and only after the new tree is complete.
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { tempSibling } from './fs.js';

export interface TreeFile {
  path: string;
  mode: number;
  content: string | Uint8Array;
}

export class TargetExistsError extends Error {}

async function isEmptyDir(path: string): Promise<boolean | undefined> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return false;
    return (await readdir(path)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeTree(
  target: string,
  files: readonly TreeFile[],
  options: { replace?: boolean } = {},
): Promise<void> {
  const out = resolve(target);
  const empty = await isEmptyDir(out);
  if (empty === false && options.replace !== true)
    throw new TargetExistsError(`${target} exists and is not an empty directory`);
  await mkdir(dirname(out), { recursive: true });
  const temp = tempSibling(out);
  try {
    for (const file of files) {
      const path = join(temp, ...file.path.split('/'));
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      const handle = await open(path, 'wx', file.mode);
      try {
        await handle.writeFile(file.content);
        // The umask may have narrowed the mode; the tree must carry exactly what was asked.
        await handle.chmod(file.mode);
      } finally {
        await handle.close();
      }
    }
    if (empty !== undefined) {
      // Move the old tree aside first, so a failure between the two renames loses nothing.
      const old = `${temp}.old`;
      await rename(out, old);
      await rename(temp, out);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, out);
    }
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}
