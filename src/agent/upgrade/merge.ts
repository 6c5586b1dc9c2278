// An upgrade stick's registry tree merged into the tree the bastion's registry serves, while it
// serves it (read-only, no restart). The tree is content-addressed, so the merge only adds:
// every file the served tree lacks is copied, in an order that never lets a reader see a name
// before what it names:
//   1. blobs (blobs/sha256/xx/<hex>/data): copied by the kernel under a temporary name beside
//      the target, read back and hashed (refused unless the bytes are the name), fdatasync'd,
//      renamed into place; a blob the served tree has is checked (size, and its hash unless a
//      journal knows it), never copied again;
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
// temporary file of a killed run is overwritten or removed. Between the steps a syncfs makes
// the order hold across a power cut too. The cost above cp's: the sha256 of every new byte and
// the fdatasyncs (make bench: test/tools/bench-merge.ts).
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobDigest, listTree, sha256File, treeHash, type HashedFile, type TreeFile } from '../../registry/tree.js';
import {
  barrier,
  checkBlob,
  LINK,
  linkTarget,
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
  const toFiles = (await listTree(to)).filter((f) => !f.path.endsWith(MERGE_TEMP));
  const done = await readJournal(journal);
  // What earlier copies into `to` recorded, then what this merge did (it wins).
  const known = new Map<string, HashedFile>();
  for (const j of options.known ?? []) for (const [p, e] of await readJournal(j)) known.set(p, e);
  for (const [p, e] of done) known.set(p, e);

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
      if (there && there.size !== f.size)
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

  // The merge, step by step, each step's files in path order (sequential reads on the stick).
  const order = [...plan].sort((a, b) => a.step - b.step);
  const jfd = openSync(journal, 'a');
  const note = (f: HashedFile, action: string) => writeSync(jfd, `${f.path}\0${f.size}\0${f.sha256}\0${action}\n`);
  const result: MergeResult = {
    copied: 0,
    skipped: 0,
    bytes: 0,
    replaced: 0,
    tree: { files: predicted.files, sha256: predicted.sha256 },
  };
  let finished = 0;
  const tick = () => onProgress?.(++finished, order.length, result.bytes);
  // A blob is copied by the kernel (copy_file_range) to a temporary name beside its target; then
  // read back and hashed against its name, fdatasync'd, renamed into place and journalled while
  // the next blob is copied. One deep: blobs land in path order.
  let pending: Promise<void> | undefined;
  const settle = async () => {
    const p = pending;
    pending = undefined;
    await p;
  };
  try {
    let step: Step = 0;
    for (const f of order) {
      if (f.step !== step) {
        await settle();
        // Every file of the step before is on the disk before a file naming it is.
        barrier(to);
        step = f.step;
      }
      const target = join(to, f.path);
      if (f.step === 0) {
        if (f.action === 'check') {
          // Present already (the old release has it, or a killed run renamed it into place).
          const size = lstatSync(target).size;
          if (size !== f.size)
            throw new MergeError(
              `${f.path} on the bastion has ${size} bytes, the stick ${f.size}; a blob is never overwritten`,
            );
          const k = known.get(f.path);
          if (!(k && k.size === f.size && k.sha256 === f.sha256)) {
            const actual = await sha256File(target);
            if (actual !== f.sha256)
              throw new MergeError(
                `${f.path} on the bastion has sha256 ${actual}, its name says ${f.sha256}: the served copy is damaged (a blob is never overwritten)`,
              );
            note(f, 'present');
          }
          result.skipped++;
          await tick();
          continue;
        }
        const temp = `${target}${MERGE_TEMP}`;
        mkdirSync(dirname(target), { recursive: true });
        // A temporary file of a killed run (perhaps read-only: the stick's mode) goes first.
        rmSync(temp, { force: true });
        await copyFile(join(from, f.path), temp);
        try {
          await settle();
        } catch (err) {
          rmSync(temp, { force: true });
          throw err;
        }
        pending = (async () => {
          await checkBlob(temp, f.sha256, f.path);
          renameSync(temp, target);
          note(f, 'copied');
          result.copied++;
          result.bytes += f.size;
          await tick();
        })();
        pending.catch(() => undefined);
        continue;
      }
      if (f.action === 'same') {
        result.skipped++;
        await tick();
        continue;
      }
      // A small file: its bytes were read from the stick already (and checked above).
      const temp = `${target}${MERGE_TEMP}`;
      mkdirSync(dirname(target), { recursive: true });
      const now = lstatSync(target, { throwIfNoEntry: false });
      if (now && f.action === 'copy' && now.size > 0)
        throw new MergeError(`${f.path} appeared on the bastion during the merge`);
      writeFileSync(temp, stickBytes.get(f.path)!);
      renameSync(temp, target);
      note(f, f.action === 'replace' ? 'replaced' : 'copied');
      if (f.action === 'replace') result.replaced++;
      else result.copied++;
      result.bytes += f.size;
      await tick();
    }
    await settle();
    barrier(to);
  } finally {
    // Nothing goes on after the merge returns or throws.
    await pending?.catch(() => undefined);
    closeSync(jfd);
  }

  // The merged tree as it is now: the files and sizes predicted, no temporary file left.
  const after: TreeFile[] = [];
  for (const f of await listTree(to)) {
    if (f.path.endsWith(MERGE_TEMP)) rmSync(join(to, f.path), { force: true });
    else after.push(f);
  }
  const sizes = new Map(after.map((a) => [a.path, a.size]));
  const missing = [...merged.values()].filter((m) => sizes.get(m.path) !== m.size).map((m) => m.path);
  const extra = after.filter((a) => !merged.has(a.path)).map((a) => a.path);
  if (missing.length > 0 || extra.length > 0)
    throw new MergeError(
      `after the merge the bastion's tree is not the one predicted: ${[...missing.map((p) => `${p} missing or of another size`), ...extra.map((p) => `${p} not expected`)].slice(0, 5).join('; ')}`,
    );
  return result;
}
