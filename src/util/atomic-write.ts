// Writes files so that readers never see half of one: write a temporary sibling, fsync, then
// publish it under the final name. Publishing can refuse to replace an existing file.
import { link, open, rename, unlink } from 'node:fs/promises';
import { tempSibling } from './fs.js';

export interface AtomicWriteOptions {
  mode?: number;
  // Fail with EEXIST instead of replacing an existing file (uses link(2), so it is race-free).
  noClobber?: boolean;
}

export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = tempSibling(path);
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.noClobber) await link(temp, path);
    else await rename(temp, path);
  } finally {
    // After rename the temp name is gone already; after link it still needs removing.
    await unlink(temp).catch(() => undefined);
  }
}
