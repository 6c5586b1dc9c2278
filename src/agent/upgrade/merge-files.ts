// The merge's small pieces (merge.ts): its journal, the steps a file belongs to, reads of small
// files, the syncfs barrier between steps and the read-back check of a copied blob.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
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
}

// Lines "path\0size\0sha256\0action" (tree-copy.ts's three fields, then what was done).
export async function readJournal(journal: string): Promise<Map<string, JournalEntry>> {
  const done = new Map<string, JournalEntry>();
  const text = await readFile(journal, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [path, size, sha, action] = line.split('\0');
    if (path && size && sha?.length === 64)
      done.set(path, { path, size: Number(size), sha256: sha, action: action ?? '' });
  }
  return done;
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

// A blob's copy read back and hashed (the next chunk read while this one is hashed), then
// fdatasync'd; removed and refused unless its bytes are its name.
export async function checkBlob(temp: string, digest: string, path: string): Promise<void> {
  const hash = createHash('sha256');
  const file = await open(temp, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let n = (await file.read(bufs[0]!, 0, CHUNK, null)).bytesRead;
    for (let i = 0; n > 0; i++) {
      const next = file.read(bufs[(i + 1) % 2]!, 0, CHUNK, null);
      hash.update(bufs[i % 2]!.subarray(0, n));
      n = (await next).bytesRead;
    }
    const actual = hash.digest('hex');
    if (actual !== digest) {
      rmSync(temp, { force: true });
      throw new MergeError(`${path} on the stick has sha256 ${actual}, its name says ${digest}`);
    }
    await file.datasync();
  } finally {
    await file.close();
  }
}
