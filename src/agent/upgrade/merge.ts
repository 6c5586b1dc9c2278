// An upgrade stick's registry tree merged into the tree the bastion's registry serves, while it
// serves it (read-only, no restart). The tree is content-addressed, so the merge only adds:
// every file the served tree lacks is copied, in an order that never lets a reader see a name
// before what it names:
//   1. blobs (blobs/sha256/xx/<hex>/data), several at once: copied by the kernel under a
//      temporary name beside the target (from the moment both trees are listed, while the
//      plan below is made: early-copies.ts), read back and hashed (refused unless the bytes
//      are the name), renamed into place; a blob the served tree has is checked (size, and
//      its hash unless a journal knows it), never copied again;
//   2. links that name blobs (_layers, _manifests/revisions): every blob they name exists now;
//   3. tags (_manifests/tags/<tag>/index/.../link, then .../current/link), last: the tag a pull
//      asks for resolves only through files that are already in place. A tag the served tree
//      holds with other content is replaced by one rename (a reader gets the old or the new).
// Nothing is deleted or overwritten in place: a blob or a content-addressed link the served
// tree holds with other bytes is an error naming it. Before anything is put in place the
// merged tree is predicted and checked (merge-plan.ts); a refusal then changes nothing (the
// early copies' temporary files and directories are removed). A journal line
// per finished file lets a kill -9 (or a reboot) resume without copying a file twice; a
// temporary file of a killed run is overwritten or removed. Each blob's flush to the disk
// starts once it is in place, beside the next copies; the step ends with a syncfs (the order
// holds across a power cut too) and a mark in the journal that says so: nothing waits on one
// file's flush. After a power cut a file journalled after the last mark is hashed again and,
// if the cut damaged it, copied again. The cost above cp and sync: the sha256 of every new
// byte, unless the upgrade's check just hashed it on the stick (make bench: bench-merge.ts).
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobDigest, listTree, sha256File, type HashedFile, type TreeSummary } from '../../registry/tree.js';
import { earlyCopies } from './early-copies.js';
import {
  barrier,
  BLOBS_AT_ONCE,
  checkBlob,
  flush,
  inPool,
  markSynced,
  MERGE_TEMP,
  MergeError,
  readJournal,
  type JournalEntry,
} from './merge-files.js';
import { planMerge, type Planned } from './merge-plan.js';

export { MERGE_TEMP, MergeError } from './merge-files.js';

export interface MergeResult {
  // Files written that the served tree lacked (blobs, links, new tags).
  copied: number;
  // Files of the stick the served tree already held with the same bytes (or that an earlier,
  // killed run wrote).
  skipped: number;
  // Bytes copied in this run.
  bytes: number;
  // Tags the served tree held with other content, moved to the stick's.
  replaced: number;
  // The merged tree: what the bastion serves from now on (its file count and tree hash).
  tree: { files: number; sha256: string };
}

export interface MergeOptions {
  // Journals of earlier copies into `to` (the install's tree.copied, earlier merges' journals):
  // a content-addressed file they list with its size is taken as verified without reading it.
  known?: readonly string[];
  // The sha256 of the stick's files as this process read them just before (the upgrade's check
  // of every file): such a blob is copied and not read back. Never carried across runs: a merge
  // resumed after a restart hashes what it copies.
  verified?: ReadonlyMap<string, string>;
}

export async function mergeTree(
  from: string,
  to: string,
  journal: string,
  expected: { files: number; sha256: string } | undefined,
  onProgress?: (done: number, total: number, bytes: number) => Promise<void> | void,
  options: MergeOptions = {},
): Promise<MergeResult> {
  const fromFiles = await listTree(from);
  const onBastion = await listTree(to);
  const toFiles = onBastion.filter((f) => !f.path.endsWith(MERGE_TEMP));
  // The blobs the bastion lacks start on their way now (early-copies.ts), while the plan is made.
  const present = new Set(toFiles.map((f) => f.path));
  const early = earlyCopies(
    from,
    to,
    fromFiles.filter((f) => blobDigest(f.path) && !present.has(f.path)),
    BLOBS_AT_ONCE,
  );
  // Temporary files of a killed run (but the ones the early copies write): removed once the
  // merge is known to go ahead.
  const stale = onBastion.filter(
    (f) => f.path.endsWith(MERGE_TEMP) && !early.copied(f.path.slice(0, -MERGE_TEMP.length)),
  );
  let done: Map<string, JournalEntry>;
  const known = new Map<string, HashedFile>();
  let plan: Planned[];
  let stickBytes: Map<string, Buffer>;
  let predicted: TreeSummary;
  try {
    done = await readJournal(journal);
    // What earlier copies into `to` recorded, then what this merge did (it wins).
    for (const j of options.known ?? []) for (const [p, e] of await readJournal(j)) known.set(p, e);
    // (Only this merge's lines a barrier has put on the disk: a power cut may have lost the rest.)
    for (const [p, e] of done) if (e.synced) known.set(p, e);
    ({ plan, stickBytes, predicted } = planMerge({ from, to, fromFiles, toFiles }, done, known, expected));
  } catch (err) {
    // A refusal changes nothing: the early copies are undone.
    await early.undo();
    throw err;
  }

  for (const f of stale) rmSync(join(to, f.path), { force: true });
  // Directories made (or seen) already: most blobs and links share a few.
  const dirs = new Set<string>();
  const mkdirOnce = (d: string) => {
    if (!dirs.has(d)) mkdirSync(d, { recursive: true });
    dirs.add(d);
  };

  // The merge, step by step. Within a step the files go in any order (several blobs at once);
  // between steps a barrier puts the step on the disk, then a mark in the journal says so.
  const jfd = openSync(journal, 'a');
  const note = (f: HashedFile, action: string) => writeSync(jfd, `${f.path}\0${f.size}\0${f.sha256}\0${action}\n`);
  const result: MergeResult = {
    copied: 0,
    skipped: 0,
    bytes: 0,
    replaced: 0,
    tree: { files: predicted.files, sha256: predicted.sha256 },
  };
  const flushing: Promise<void>[] = [];
  let finished = 0;
  const tick = () => onProgress?.(++finished, plan.length, result.bytes);
  try {
    for (const step of [0, 1, 2, 3] as const) {
      const files = plan.filter((f) => f.step === step);
      if (step === 0) await inPool(files, BLOBS_AT_ONCE, (f) => mergeBlob(f));
      else for (const f of files) await mergeSmall(f);
      await Promise.all(flushing);
      // Every file of this step is on the disk before a file naming it is written.
      barrier(to);
      markSynced(jfd);
    }
  } finally {
    // Nothing goes on after the merge returns or throws.
    await early.stop();
    await Promise.allSettled(flushing);
    closeSync(jfd);
  }

  // A blob: present already (the old release has it, or a killed run renamed it into place), or
  // copied by the kernel (copy_file_range) to a temporary name beside its target, read back and
  // hashed against its name, renamed into place and journalled. A blob this merge wrote and a
  // power cut damaged (its journal line not yet behind a barrier) is copied again.
  async function mergeBlob(f: Planned): Promise<void> {
    const target = join(to, f.path);
    if (f.action === 'check') {
      const size = lstatSync(target).size;
      const k = known.get(f.path);
      const ok = size === f.size && ((k && k.size === f.size && k.sha256 === f.sha256) || undefined);
      // (Read from the disk, perhaps gigabytes: not on the main thread.)
      const actual = ok || size !== f.size ? undefined : await sha256File(target);
      if (ok || actual === f.sha256) {
        if (!ok) note(f, 'present');
        result.skipped++;
        return tick();
      }
      if (!done.has(f.path))
        throw new MergeError(
          size !== f.size
            ? `${f.path} on the bastion has ${size} bytes, the stick ${f.size}; a blob is never overwritten`
            : `${f.path} on the bastion has sha256 ${actual}, its name says ${f.sha256}: the served copy is damaged (a blob is never overwritten)`,
        );
    }
    const temp = `${target}${MERGE_TEMP}`;
    const copied = f.action === 'copy' ? early.copied(f.path) : undefined;
    if (copied) await copied;
    else {
      mkdirOnce(dirname(target));
      // A temporary file of a killed run (perhaps read-only: the stick's mode) goes first.
      rmSync(temp, { force: true });
      await copyFile(join(from, f.path), temp);
    }
    if (options.verified?.get(f.path) !== f.sha256) checkBlob(temp, f.sha256, f.path);
    renameSync(temp, target);
    note(f, 'copied');
    // Its way to the disk starts now, beside the next blobs' copies; the barrier waits for it.
    flushing.push(flush(target));
    result.copied++;
    result.bytes += f.size;
    return tick();
  }

  // A small file: its bytes were read from the stick already (and checked above).
  async function mergeSmall(f: Planned): Promise<void> {
    if (f.action === 'same') {
      result.skipped++;
      return tick();
    }
    const target = join(to, f.path);
    const temp = `${target}${MERGE_TEMP}`;
    mkdirOnce(dirname(target));
    const now = lstatSync(target, { throwIfNoEntry: false });
    if (now && f.action === 'copy' && now.size > 0)
      throw new MergeError(`${f.path} appeared on the bastion during the merge`);
    writeFileSync(temp, stickBytes.get(f.path)!);
    renameSync(temp, target);
    note(f, f.action === 'replace' ? 'replaced' : 'copied');
    if (f.action === 'replace') result.replaced++;
    else result.copied++;
    result.bytes += f.size;
    return tick();
  }

  // The files written are in place at the sizes predicted (the rest of the tree was not touched).
  const missing = plan.filter((f) => lstatSync(join(to, f.path), { throwIfNoEntry: false })?.size !== f.size);
  if (missing.length > 0)
    throw new MergeError(
      `after the merge the bastion's tree is not the one predicted: ${missing
        .slice(0, 5)
        .map((f) => `${f.path} missing or of another size`)
        .join('; ')}`,
    );
  return result;
}
