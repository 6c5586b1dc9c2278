// The merge's plan (merge.ts), made before anything is written: every file of the stick with
// what the merge does with it (copy, check a blob the bastion has, leave a small file that is
// the same, replace a tag), the stick's small files read once, and the merged tree predicted
// (the served files, the stick's over them) and checked: no file the bastion holds with other
// bytes (a tag aside), every link of the stick naming a blob of the merged tree, and with
// `expected` (a delta stick's mergedFiles and mergedSha256) its tree hash. Any problem is a
// MergeError naming the first ten.
import { join } from 'node:path';
import { blobDigest, treeHash, type HashedFile, type TreeFile, type TreeSummary } from '../../registry/tree.js';
import {
  LINK,
  linkTarget,
  MergeError,
  readSmallOr,
  sha256,
  stepOf,
  TAG_INDEX,
  type JournalEntry,
  type Step,
} from './merge-files.js';

export type Planned = TreeFile & { step: Step; sha256: string; action: 'copy' | 'check' | 'same' | 'replace' };

export interface MergePlan {
  plan: Planned[];
  // The stick's small files, read once here and written from memory.
  stickBytes: Map<string, Buffer>;
  predicted: TreeSummary;
}

// The first problems, and how many more: a stick on another base conflicts in thousands of files.
const listed = (problems: readonly string[]) =>
  `${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`;

export function planMerge(
  trees: { from: string; to: string; fromFiles: readonly TreeFile[]; toFiles: readonly TreeFile[] },
  // This merge's journal (done), and what every journal knows of the served files.
  done: ReadonlyMap<string, JournalEntry>,
  known: ReadonlyMap<string, HashedFile>,
  expected: { files: number; sha256: string } | undefined,
): MergePlan {
  const { from, to, fromFiles, toFiles } = trees;
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
  const plan: Planned[] = [];
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
  return { plan, stickBytes, predicted };
}
