// What a path inside a content directory is, without following a symbolic link anywhere on
// the way: a payload file linked to /etc/shadow, or a directory on its path linked outside,
// would put a file from outside on a world-readable stick. Nothing about such a file (its
// size, its sum) is read or told.
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

export type ContentPathKind =
  | { kind: 'file'; size: number }
  | { kind: 'directory' }
  | { kind: 'missing' }
  // `at` is the path (relative to the content directory) of the link or special file.
  | { kind: 'link'; at: string }
  | { kind: 'special'; at: string };

// `rel` uses "/" and has no "." or ".." parts (the manifest's schema sees to that).
export async function contentPathKind(root: string, rel: string): Promise<ContentPathKind> {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const at = parts.slice(0, i + 1).join('/');
    const info = await lstat(join(root, at)).catch(() => undefined);
    if (!info) return { kind: 'missing' };
    if (info.isSymbolicLink()) return { kind: 'link', at };
    const last = i === parts.length - 1;
    if (!last && !info.isDirectory()) return { kind: 'missing' };
    if (last) {
      if (info.isFile()) return { kind: 'file', size: info.size };
      if (info.isDirectory()) return { kind: 'directory' };
      return { kind: 'special', at };
    }
  }
  return { kind: 'missing' };
}
