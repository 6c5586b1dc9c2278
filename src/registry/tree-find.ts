// A registry tree listed by find(1), in a process of its own: fyr release starts it before it
// parses its manifest, so the kernel's getdents and lstat over thousands of directories (most
// of a listing's time) run on the other core meanwhile. The result is listTree's (tree.ts),
// which lists in this process and stands in wherever find is missing or fails.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ProcessError, runBinary } from '../util/exec.js';
import { finishListing, listTree, type TreeFile } from './tree.js';

// Type, permission bits, size and path under `root`, NUL-ended, into the file `listing`;
// _uploads (which listTree leaves out) pruned; symbolic links never followed, the start point
// included (-P).
export function findArgs(root: string, listing: string): string[] {
  // An absolute path starts with "/", so find never reads it as an option or an expression.
  if (!isAbsolute(root)) throw new Error(`findArgs: ${root} is not absolute`);
  return [
    '-P',
    root,
    '-mindepth',
    '1',
    '(',
    '-name',
    '_uploads',
    '-prune',
    ')',
    '-o',
    '-fprintf',
    listing,
    '%y %m %s %P\\0',
  ];
}

const S_IFREG = 0o100000;

// find's records (findArgs) as listTree's files: a regular file's mode is its permission bits
// and S_IFREG, as lstat gives it.
export function parseFindListing(root: string, out: Buffer, modes: boolean): TreeFile[] {
  const files: TreeFile[] = [];
  const problems: string[] = [];
  for (let at = 0; at < out.length;) {
    const end = out.indexOf(0, at);
    if (end < 0) throw new Error(`find's listing of ${root} ends in the middle of a record`);
    const record = out.toString('utf8', at, end);
    at = end + 1;
    const sp1 = record.indexOf(' ');
    const sp2 = record.indexOf(' ', sp1 + 1);
    const sp3 = record.indexOf(' ', sp2 + 1);
    if (sp1 !== 1 || sp2 < 0 || sp3 < 0) throw new Error(`find's listing of ${root} has a record fyr cannot read`);
    const type = record[0];
    const path = record.slice(sp3 + 1);
    if (type === 'd') continue;
    if (type !== 'f') {
      problems.push(`${path}: not a regular file or directory`);
      continue;
    }
    const size = Number(record.slice(sp2 + 1, sp3));
    files.push(modes ? { path, size, mode: S_IFREG | parseInt(record.slice(2, sp2), 8) } : { path, size });
  }
  return finishListing(root, files, problems);
}

// listTree by find. find writes the listing into a file of its own (-fprintf): into a pipe, it
// would wait whenever this thread is busy. Anything find cannot do (not installed, a directory
// it cannot read, no room for its file) is left to listTree, which fails with the kernel's words.
export async function findTree(root: string, modes: boolean, signal?: AbortSignal): Promise<TreeFile[]> {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'fyr-find-'));
  } catch {
    return listTree(root, modes);
  }
  try {
    const listing = join(dir, 'listing');
    try {
      await runBinary('find', findArgs(root, listing), { signal });
    } catch (err) {
      if (err instanceof ProcessError && err.how.canceled) throw err;
      return await listTree(root, modes);
    }
    return parseFindListing(root, readFileSync(listing), modes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
