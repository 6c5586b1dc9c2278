// fyr-content/2's registry tree as it is on disk against the manifest's entry: the file count,
// bytes and tree hash (over the links' real hashes and the blobs' names), and every link
// resolving. The blobs' bytes are checked while fyr release copies them. With `defer`, the
// tree's small files that are not blobs (its links) are not read here either: fyr release reads
// them once, as it copies them, and finishes the check with what it read (`finish`), before
// anything is published.
import { join } from 'node:path';
import type { RegistryTreeEntry } from '../formats/release-json.js';
import {
  blobDigest,
  blobsOf,
  expectedHashes,
  linkProblem,
  LINK,
  treeHash,
  TreeError,
  type HashedFile,
  type TreeFile,
} from '../registry/tree.js';
import { findTree } from '../registry/tree-find.js';
import { MAX_FILE_BYTES } from '../site/source.js';
import { readCapped } from '../util/read-capped.js';
import type { PathSegment } from '../site/path.js';
import type { ContentProblemCode } from './content-codes.js';
import { contentPathKind } from './content-paths.js';
import { mergeListings } from './content-upgrade.js';
import { SMALL } from './payload-pieces.js';

// fyr-content/2's registry tree: what the manifest says, and every file with the sha256 it
// must have (a blob's is its name; the copy checks the blobs).
export interface ContentTree extends RegistryTreeEntry {
  absolute: string;
  // In path order; without the deferred files.
  entries: HashedFile[];
  // With `defer`: the small files that are not blobs, in path order, not read yet.
  deferred?: TreeFile[];
  // Each file's mode as listed, for the release's Rock Ridge records (no second stat of each).
  modes: ReadonlyMap<string, number>;
}

// What the copy read of a deferred file: its sha256, and a link's bytes.
export type DeferredRead = ReadonlyMap<string, { sha256: string; bytes?: Buffer }>;

// A link's bytes are kept for the check; anything else deferred only hashed.
export const keepBytes = (path: string) => LINK.test(path);

// The tree's listing, started before the manifest is parsed and checked (find lists it in its
// own process meanwhile), at the path a plain JSON read of the manifest names. loadTree uses it
// only if the checked manifest names the same path; `stop` ends it otherwise.
export function startListing(
  root: string,
  manifest: string,
): { path: string; listing: Promise<TreeFile[]>; stop: () => void } | undefined {
  let path: unknown;
  try {
    const text = readCapped(manifest, MAX_FILE_BYTES, { noFollow: true }).toString('utf8');
    path = (JSON.parse(text) as { registry?: { path?: unknown } } | null)?.registry?.path;
  } catch {
    return undefined;
  }
  // Inside the content directory only, as the schema will require.
  if (typeof path !== 'string' || !path.split('/').every((p) => p !== '' && p !== '.' && p !== '..')) return undefined;
  const stop = new AbortController();
  const listing = findTree(join(root, path), true, stop.signal);
  listing.catch(() => {});
  return { path, listing, stop: () => stop.abort() };
}

type Problem = (path: PathSegment[], code: ContentProblemCode, message: string, expected?: string) => void;

export async function loadTree(
  root: string,
  entry: Omit<ContentTree, 'absolute' | 'entries' | 'modes'>,
  problem: Problem,
  // A delta's base listing: links may name its blobs, and base ∪ tree must hash to mergedSha256.
  base: HashedFile[] | undefined,
  defer: boolean,
  // The tree's listing if it was started early (startListing), of this entry's path.
  early?: Promise<TreeFile[]>,
): Promise<{ tree: ContentTree; finish: (read: DeferredRead) => void } | undefined> {
  const absolute = join(root, entry.path);
  const kind = await contentPathKind(root, entry.path);
  const refuse = (code: ContentProblemCode, message: string) => {
    problem(['registry', 'path'], code, message);
    return undefined;
  };
  if (kind.kind === 'link')
    return refuse('CONTENT_LINK', `${entry.path} is a symbolic link; the tree itself must be here`);
  if (kind.kind === 'missing') return refuse('CONTENT_TREE_INVALID', `${entry.path}: not in the content directory`);
  if (kind.kind !== 'directory') return refuse('CONTENT_TREE_INVALID', `${entry.path}: not a directory`);
  let listed: TreeFile[];
  let entries: HashedFile[];
  let deferred: TreeFile[] = [];
  try {
    listed = await (early ?? findTree(absolute, true));
    // Deferred: the small files that are not blobs, which the copy reads in batches and whose
    // bytes it can keep.
    const later = (f: TreeFile) => defer && f.size > 0 && f.size <= SMALL && !blobDigest(f.path);
    deferred = listed.filter(later);
    const { hashed, broken } = await expectedHashes(
      absolute,
      listed.filter((f) => !later(f)),
      base,
    );
    if (broken.length > 0) {
      for (const line of broken.slice(0, 20)) problem(['registry', 'path'], 'CONTENT_TREE_INVALID', line);
      return undefined;
    }
    entries = hashed;
  } catch (err) {
    if (err instanceof TreeError) {
      for (const line of err.problems.slice(0, 20)) problem(['registry', 'path'], 'CONTENT_TREE_INVALID', line);
      return undefined;
    }
    return refuse('CONTENT_TREE_INVALID', `${entry.path}: ${(err as Error).message}`);
  }
  const modes = new Map(listed.map((f) => [f.path, f.mode!]));
  const bytes = listed.reduce((n, f) => n + f.size, 0);
  let counted = false;
  if (listed.length !== entry.files)
    problem(
      ['registry', 'files'],
      'CONTENT_TREE_MISMATCH',
      `${entry.path} has ${listed.length} files, the manifest says ${entry.files}`,
    );
  else if (bytes !== entry.bytes)
    problem(
      ['registry', 'bytes'],
      'CONTENT_TREE_MISMATCH',
      `${entry.path} has ${bytes} bytes, the manifest says ${entry.bytes}`,
    );
  else counted = true;
  // The hashes, once every file's sha256 is known.
  const hashes = (all: HashedFile[]) => {
    const actual = treeHash(all);
    if (counted && actual.sha256 !== entry.sha256)
      problem(
        ['registry', 'sha256'],
        'CONTENT_TREE_MISMATCH',
        `${entry.path} has tree hash ${actual.sha256}, the manifest says ${entry.sha256} (a file was renamed, replaced or a link changed)`,
      );
    if (entry.delta && base) {
      const merged = treeHash(mergeListings(base, all));
      if (merged.sha256 !== entry.delta.mergedSha256 || merged.files !== entry.delta.mergedFiles)
        problem(
          ['registry', 'delta', 'mergedSha256'],
          'CONTENT_TREE_MISMATCH',
          `the base's listing with ${entry.path} makes ${merged.files} files with tree hash ${merged.sha256}, the manifest says ${entry.delta.mergedFiles} files, ${entry.delta.mergedSha256}`,
        );
      const b = treeHash(base);
      if (b.sha256 !== entry.delta.base.treeSha256 || b.files !== entry.delta.base.files)
        problem(
          ['registry', 'delta', 'base', 'treeSha256'],
          'CONTENT_TREE_MISMATCH',
          `the base's listing has ${b.files} files with tree hash ${b.sha256}, not ${entry.delta.base.name}'s ${entry.delta.base.files} files, ${entry.delta.base.treeSha256}`,
        );
    }
  };
  const tree: ContentTree = { ...entry, absolute, entries, modes, ...(defer ? { deferred } : {}) };
  if (!defer) {
    hashes(entries);
    return { tree, finish: () => undefined };
  }
  const finish = (read: DeferredRead) => {
    const blobs = blobsOf(base ? [...listed, ...base] : listed);
    const broken: string[] = [];
    const done = deferred.map((f) => {
      const got = read.get(f.path);
      if (!got) throw new Error(`${f.path} was not read`);
      if (keepBytes(f.path)) {
        const wrong = linkProblem(f.path, got.bytes!.toString('utf8'), blobs);
        if (wrong) broken.push(wrong);
      }
      return { path: f.path, size: f.size, sha256: got.sha256 };
    });
    if (broken.length > 0) {
      for (const line of broken.slice(0, 20)) problem(['registry', 'path'], 'CONTENT_TREE_INVALID', line);
      return;
    }
    hashes(mergeListings(entries, done));
  };
  return { tree, finish };
}
