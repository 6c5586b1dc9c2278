// The registry tree copied from the stick to the bastion's disk, one file after another in path
// order (sequential reads suit a USB stick), each written under a .part name, hashed while
// copied (a blob against its name) and renamed; a journal line per finished file lets a killed
// copy resume without copying any file twice. At the end the copy's tree hash must be the
// release's.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { blobDigest, listTree, treeHash, type HashedFile } from '../registry/tree.js';

export interface TreeCopyResult {
  copied: number;
  skipped: number;
  bytes: number;
}

export class TreeCopyError extends Error {}
TreeCopyError.prototype.name = 'TreeCopyError';

async function readJournal(journal: string): Promise<Map<string, HashedFile>> {
  const done = new Map<string, HashedFile>();
  const text = await readFile(journal, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [path, size, sha256] = line.split('\0');
    if (path && size && sha256?.length === 64) done.set(path, { path, size: Number(size), sha256 });
  }
  return done;
}

export async function copyTree(
  from: string,
  to: string,
  journal: string,
  expected: { files: number; sha256: string },
  onFile?: (done: number, total: number, bytes: number) => Promise<void> | void,
): Promise<TreeCopyResult> {
  const files = await listTree(from);
  const done = await readJournal(journal);
  const hashed: HashedFile[] = [];
  let copied = 0;
  let skipped = 0;
  let bytes = 0;
  for (const [i, f] of files.entries()) {
    const target = join(to, f.path);
    const had = done.get(f.path);
    if (had && had.size === f.size && existsSync(target) && statSync(target).size === f.size) {
      hashed.push(had);
      skipped++;
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    const hash = createHash('sha256');
    const part = `${target}.part`;
    await pipeline(
      createReadStream(join(from, f.path), { highWaterMark: 4 << 20 }),
      new Transform({
        transform(chunk: Buffer, _enc, next) {
          hash.update(chunk);
          next(null, chunk);
        },
      }),
      createWriteStream(part),
    );
    const sha256 = hash.digest('hex');
    const named = blobDigest(f.path);
    if (named && named !== sha256) {
      await rm(part, { force: true });
      throw new TreeCopyError(`${f.path} on the install media has sha256 ${sha256}, its name says ${named}`);
    }
    await rename(part, target);
    await appendFile(journal, `${f.path}\0${f.size}\0${sha256}\n`);
    hashed.push({ path: f.path, size: f.size, sha256 });
    copied++;
    bytes += f.size;
    await onFile?.(i + 1, files.length, bytes);
  }
  const summary = treeHash(hashed);
  if (summary.files !== expected.files || summary.sha256 !== expected.sha256)
    throw new TreeCopyError(
      `the copy has ${summary.files} files with tree hash ${summary.sha256}; the release says ${expected.files}, ${expected.sha256}`,
    );
  return { copied, skipped, bytes };
}
