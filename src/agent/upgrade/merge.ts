// An upgrade stick's registry tree merged into the tree the bastion's registry serves, while it
// serves it (read-only, no restart). The tree is content-addressed, so the merge only adds:
// every file the served tree lacks is copied, in an order that never lets a reader see a name
// before what it names:
//   1. blobs (blobs/sha256/xx/<hex>/data), several at once: copied by the kernel under a
//      temporary name beside the target, read back and hashed (refused unless the bytes are
//      the name), renamed into place; a blob the served tree has is checked (size, and its
//      hash unless a journal knows it), never copied again;
//   2. links that name blobs (_layers, _manifests/revisions): every blob they name exists now;
//   3. tags (_manifests/tags/<tag>/index/.../link, then .../current/link), last: the tag a pull
//      asks for resolves only through files that are already in place. A tag the served tree
//      holds with other content is replaced by one rename (a reader gets the old or the new).
// Nothing is deleted or overwritten in place: a blob or a content-addressed link the served
// tree holds with other bytes is an error naming it. Before anything is written the merged
// tree is predicted (the served tree's files, the stick's over them) and checked: every link
// of the stick names a blob of the merged tree, and with `expected` (a delta stick's
// mergedFiles and mergedSha256) its tree hash; a refusal then changes nothing. A journal line
// per finished file lets a kill -9 (or a reboot) resume without copying a file twice; a
// temporary file of a killed run is overwritten or removed. Between the steps a syncfs puts
// the step on the disk (the order holds across a power cut too) and a mark in the journal says
// so: one flush per step, as `cp` then `sync` pays, not one per file. After a power cut a file
// journalled after the last mark is hashed again and, if the cut damaged it, copied again.
// The cost above cp and sync: the sha256 of every new byte (make bench: bench-merge.ts).
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobDigest, listTree, treeHash, type HashedFile, type TreeFile } from '../../registry/tree.js';
import {
  barrier,
  BLOBS_AT_ONCE,
  checkBlob,
  flush,
  hashFile,
  inPool,
  LINK,
  linkTarget,
  markSynced,
  MERGE_TEMP,
  MergeError,
  readJournal,
  readSmallOr,
  sha256,
  stepOf,
  TAG_INDEX,
  type Step,
} from './merge-files.js';

export { MERGE_TEMP, MergeError } from './merge-files.js';

// The first problems, and how many more: a stick on another base conflicts in thousands of files.
const listed = (problems: readonly string[]) =>
  `${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`;

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
  // Temporary files of a killed run: removed once the merge is known to go ahead.
  const stale = onBastion.filter((f) => f.path.endsWith(MERGE_TEMP));
  const done = await readJournal(journal);
  // What earlier copies into `to` recorded, then what this merge did (it wins).
  const known = new Map<string, HashedFile>();
  for (const j of options.known ?? []) for (const [p, e] of await readJournal(j)) known.set(p, e);
  // (Only this merge's lines a barrier has put on the disk: a power cut may have lost the rest.)
  for (const [p, e] of done) if (e.synced) known.set(p, e);

  // The served tree as it is: a blob's sha256 is its name (it was checked when it came in, and
  // is checked again below when the stick brings it too), a small file's is read unless a
  // journal knows it (a tag's current link is always read: it is the one file that changes).
  const served = new Map<string, TreeFile>(toFiles.map((f) => [f.path, f]));
  const servedHash = new Map<string, string>();
  const servedBytes = new Map<string, Buffer>();
  const fromByPath = new Set(fromFiles.map((f) => f.path));
  for (const f of toFiles) {
    const named = blobDigest(f.path);
    const k = known.get(f.path);
    if (named) servedHash.set(f.path, named);
    else if (k && k.size === f.size && stepOf(f.path) !== 3 && !fromByPath.has(f.path))
      servedHash.set(f.path, k.sha256);
    else {
      const b = readSmallOr(join(to, f.path), `${f.path} on the bastion`);
      servedBytes.set(f.path, b);
      servedHash.set(f.path, sha256(b));
    }
  }

  // The stick's files: a blob's sha256 is its name (checked while copied), a small file is read
  // once here and written from memory.
  const stickBytes = new Map<string, Buffer>();
  const plan: Array<TreeFile & { step: Step; sha256: string; action: 'copy' | 'check' | 'same' | 'replace' }> = [];
  const problems: string[] = [];
  for (const f of fromFiles) {
    const step = stepOf(f.path);
    const there = served.get(f.path);
    if (step === 0) {
      const named = blobDigest(f.path)!;
      // (A blob this merge wrote and a power cut cut short is copied again.)
      if (there && there.size !== f.size && !done.has(f.path))
        problems.push(`${f.path}: the bastion holds ${there.size} bytes under this blob's name, the stick ${f.size}`);
      plan.push({ ...f, step, sha256: named, action: there ? 'check' : 'copy' });
      continue;
    }
    const bytes = readSmallOr(join(from, f.path), `${f.path} on the stick`);
    stickBytes.set(f.path, bytes);
    const sha = sha256(bytes);
    let action: 'copy' | 'same' | 'replace' = 'copy';
    if (there) {
      const theirs = servedBytes.get(f.path)!;
      if (theirs.equals(bytes)) action = 'same';
      else if (step === 3) action = 'replace';
      // A link this merge wrote and a power loss emptied: written again.
      else if (theirs.length === 0 && done.has(f.path)) action = 'copy';
      else
        problems.push(
          `${f.path}: the bastion holds ${JSON.stringify(theirs.toString('utf8').slice(0, 80))}, the stick ${JSON.stringify(bytes.toString('utf8').slice(0, 80))}`,
        );
    }
    plan.push({ ...f, step, sha256: sha, action });
  }
  if (problems.length > 0)
    throw new MergeError(
      `the stick's registry tree conflicts with the one the bastion serves (nothing was changed): ${listed(problems)}`,
    );

  // The merged tree, predicted: the served files, the stick's over them.
  const merged = new Map<string, HashedFile>();
  for (const f of toFiles) merged.set(f.path, { ...f, sha256: servedHash.get(f.path)! });
  for (const f of plan) merged.set(f.path, { path: f.path, size: f.size, sha256: f.sha256 });
  const blobs = new Set<string>();
  for (const p of merged.keys()) {
    const d = blobDigest(p);
    if (d) blobs.add(d);
  }
  for (const f of plan) {
    if (f.step === 0 || !/(^|\/)link$/.test(f.path)) continue;
    const target = linkTarget(stickBytes.get(f.path)!);
    const own = (LINK.exec(f.path) ?? TAG_INDEX.exec(f.path))?.at(-1);
    if (!target) problems.push(`${f.path} on the stick is not a sha256 link`);
    else if (own && own !== target) problems.push(`${f.path} on the stick names sha256:${target}, its path ${own}`);
    else if (!blobs.has(target))
      problems.push(`${f.path} names sha256:${target}, whose blob neither the stick nor the bastion has`);
  }
  const predicted = treeHash([...merged.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  if (expected && (predicted.files !== expected.files || predicted.sha256 !== expected.sha256))
    problems.push(
      `merged with the tree the bastion serves it would have ${predicted.files} files with tree hash ${predicted.sha256}; the stick says ${expected.files}, ${expected.sha256} (is the bastion's tree the delta's base?)`,
    );
  if (problems.length > 0)
    throw new MergeError(`the stick's registry tree cannot be merged (nothing was changed): ${listed(problems)}`);

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
    await Promise.allSettled(flushing);
    closeSync(jfd);
  }

  // A blob: present already (the old release has it, or a killed run renamed it into place), or
  // copied by the kernel (copy_file_range) to a temporary name beside its target, read back and
  // hashed against its name, renamed into place and journalled. A blob this merge wrote and a
  // power cut damaged (its journal line not yet behind a barrier) is copied again.
  async function mergeBlob(f: (typeof plan)[number]): Promise<void> {
    const target = join(to, f.path);
    if (f.action === 'check') {
      const size = lstatSync(target).size;
      const k = known.get(f.path);
      const ok = size === f.size && ((k && k.size === f.size && k.sha256 === f.sha256) || undefined);
      const actual = ok || size !== f.size ? undefined : hashFile(target);
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
    mkdirOnce(dirname(target));
    // A temporary file of a killed run (perhaps read-only: the stick's mode) goes first.
    rmSync(temp, { force: true });
    await copyFile(join(from, f.path), temp);
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
  async function mergeSmall(f: (typeof plan)[number]): Promise<void> {
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
