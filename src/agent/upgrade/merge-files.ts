// The merge's small pieces (merge.ts): its journal and its synced marks, the steps a file
// belongs to, reads of small files, the pool that runs blobs a few at once, the syncfs barrier
// between steps, a blob's flush, and the read-back check of a copied blob.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { blobDigest, type HashedFile } from '../../registry/tree.js';
import { readCapped } from '../../util/read-capped.js';

export class MergeError extends Error {}
MergeError.prototype.name = 'MergeError';

// The suffix of a file being written; never a name the registry reads.
export const MERGE_TEMP = '.merging';
// The most a file that is not a blob may hold (a link is 71 bytes).
export const SMALL_FILE_MAX = 1 << 20;
export const CHUNK = 4 << 20;

// 0 blob, 1 link naming a blob (content-addressed) or another small file, 2 a tag's index
// link (content-addressed), 3 a tag's current link (the one file a merge may change).
export type Step = 0 | 1 | 2 | 3;
const TAG_CURRENT = /\/_manifests\/tags\/[^/]+\/current\/link$/;
export const TAG_INDEX = /\/_manifests\/tags\/[^/]+\/index\/sha256\/([0-9a-f]{64})\/link$/;
export const LINK = /\/(_layers|_manifests\/revisions)\/sha256\/([0-9a-f]{64})\/link$/;

export const stepOf = (path: string): Step =>
  blobDigest(path) ? 0 : TAG_CURRENT.test(path) ? 3 : TAG_INDEX.test(path) ? 2 : 1;
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface JournalEntry extends HashedFile {
  action: string;
  // A barrier came after it: the file was on the disk when the journal said so.
  synced: boolean;
}

// The journal's line after a barrier: every file journalled before it is on the disk.
const SYNCED = '#synced';

// Lines "path\0size\0sha256\0action" (tree-copy.ts's three fields, then what was done), and
// the marks markSynced writes. A journal without marks (tree-copy.ts's) is taken as synced.
export async function readJournal(journal: string): Promise<Map<string, JournalEntry>> {
  const done = new Map<string, JournalEntry>();
  const text = await readFile(journal, 'utf8').catch(() => '');
  const lines = text.split('\n');
  const lastMark = lines.lastIndexOf(SYNCED);
  for (const [i, line] of lines.entries()) {
    const [path, size, sha, action] = line.split('\0');
    if (path && size && sha?.length === 64)
      done.set(path, {
        path,
        size: Number(size),
        sha256: sha,
        action: action ?? '',
        synced: i < lastMark || (action === undefined && lastMark < 0),
      });
  }
  return done;
}

// After a barrier: the mark, itself on the disk before anything of the next step is written.
export function markSynced(fd: number): void {
  writeSync(fd, `${SYNCED}\n`);
  fdatasyncSync(fd);
}

// Blobs copied at once: the kernel copies one while the main thread hashes another.
export const BLOBS_AT_ONCE = 4;

// fn over every item, `n` at a time; on a failure the ones under way finish before it is thrown
// (nothing goes on after the merge returns).
export async function inPool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed) throw failed.err;
}

export const readSmall = (path: string): Buffer => readCapped(path, SMALL_FILE_MAX, { noFollow: true });

// The digest a link holds, or undefined when it holds something else.
export const linkTarget = (b: Buffer): string | undefined =>
  /^sha256:([0-9a-f]{64})$/.exec(b.toString('utf8').trim())?.[1];

export function readSmallOr(path: string, what: string): Buffer {
  try {
    return readSmall(path);
  } catch (err) {
    throw new MergeError(`${what}: ${(err as Error).message} and is not a blob`);
  }
}

// The file system's writes so far on the disk (syncfs(2) through coreutils' sync -f): the order
// of the steps must hold across a power cut too, not only for readers.
export function barrier(to: string): void {
  execFileSync('sync', ['-f', to]);
}

// A blob's copy read back and hashed; removed and refused unless its bytes are its name.
export function checkBlob(temp: string, digest: string, path: string): void {
  const actual = hashFile(temp);
  if (actual !== digest) {
    rmSync(temp, { force: true });
    throw new MergeError(`${path} on the stick has sha256 ${actual}, its name says ${digest}`);
  }
}

// Read buffers kept for the next file: fresh memory is slow to fault in (in a VM above all:
// 2.4 s more for 1.25 GiB in make bench), and a merge reads gigabytes through them.
const spare: Buffer[] = [];

// A file's sha256. The reads are synchronous: the file was just written, so they come from the
// page cache (70 ms a GiB here), and on the libuv pool they would queue behind copies and flushes.
function hashFile(path: string): string {
  const hash = createHash('sha256');
  const buf = spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
  const fd = openSync(path, 'r');
  try {
    let n;
    while ((n = readSync(fd, buf, 0, CHUNK, null)) > 0) hash.update(buf.subarray(0, n));
    return hash.digest('hex');
  } finally {
    closeSync(fd);
    spare.push(buf);
  }
}

// A file's bytes on the disk (fdatasync), on the libuv pool.
export async function flush(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    await file.datasync();
  } finally {
    await file.close();
  }
}
