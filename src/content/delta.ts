// fyr content --delta-from OLD: the registry tree of an older release (its content directory, or
// its release ISO read with fyr's own ISO 9660 reader, never mounted), as the bastion serves it,
// and this release's tree less every file OLD already has (the same path and sha256: blobs are
// named by their sha256, links are tiny files naming digests). The union is what the bastion
// holds after the merge: its tree hash is recorded, and the base's listing travels with the
// delta (mirror/registry-base.tsv) so fyr release and the agent can check links and the union.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { rm, rmdir, readdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { parseReleaseJson, ReleaseJsonError } from '../formats/release-json.js';
import type { DeltaBase, RegistryDelta } from '../formats/upgrade-path.js';
import { findInIso, readPrimaryVolume, walkIso, type ReadAt } from '../iso9660/read.js';
import { blobDigest, expectedHashes, listTree, treeHash, type HashedFile } from '../registry/tree.js';
import { loadContent } from '../release/content.js';
import { mergeListings } from '../release/content-upgrade.js';

export const BASE_LISTING = 'mirror/registry-base.tsv';

export interface Base {
  base: DeltaBase;
  arch: string | undefined;
  files: HashedFile[];
}

// The listing as the content directory carries it: "path\tsize\tsha256" a line, sorted.
export const listingText = (files: readonly HashedFile[]) =>
  files.map((f) => `${f.path}\t${f.size}\t${f.sha256}\n`).join('');

const notBase = (old: string, why: string) =>
  new FyrError('DELTA_BASE_INVALID', `--delta-from ${old}: ${why}`, {
    details: ['Give the content directory (with fyr-content.json) or the release ISO of the release the site runs.'],
  });

export async function readBase(old: string): Promise<Base> {
  if (!existsSync(old)) throw notBase(old, 'no such file or directory');
  if (statSync(old).isDirectory()) {
    if (!existsSync(join(old, 'fyr-content.json')))
      throw notBase(old, 'not a fyr content directory (no fyr-content.json)');
    let content;
    try {
      content = await loadContent(old);
    } catch (err) {
      throw notBase(old, `its fyr-content.json or tree has problems (${(err as Error).message})`);
    }
    if (!content.tree) throw notBase(old, 'a fyr-content/1 directory carries no registry tree to build on');
    if (content.delta) throw notBase(old, 'it is itself a delta; build on a full release');
    return {
      base: {
        name: content.release.name,
        openshift: content.release.openshift,
        treeSha256: content.tree.sha256,
        files: content.tree.files,
      },
      arch: content.release.arch,
      files: content.tree.entries,
    };
  }
  return readIsoBase(old);
}

function readIsoBase(old: string): Base {
  let fd: number;
  try {
    fd = openSync(old, 'r');
  } catch (err) {
    throw notBase(old, (err as Error).message);
  }
  try {
    const read: ReadAt = (position, length) => {
      const b = Buffer.alloc(length);
      const n = readSync(fd, b, 0, length, position);
      return b.subarray(0, n);
    };
    const bytes = (extents: Array<{ offset: number; length: number }>) =>
      Buffer.concat(extents.map((e) => read(e.offset, e.length)));
    let volume;
    try {
      volume = readPrimaryVolume(read);
    } catch (err) {
      throw notBase(old, `not a fyr release ISO (${(err as Error).message})`);
    }
    const entry = findInIso(read, '/release.json', volume);
    if (!entry || entry.directory) throw notBase(old, 'not a fyr release ISO (no /release.json)');
    let info;
    try {
      info = parseReleaseJson(bytes(entry.extents).toString('utf8'));
    } catch (err) {
      if (err instanceof ReleaseJsonError) throw notBase(old, `its release.json ${err.message}`);
      throw err;
    }
    if (!info.registry) throw notBase(old, 'this release carries no registry tree to build on');
    if (info.registry.delta) throw notBase(old, 'it is itself a delta; build on a full release');
    const prefix = `${info.registry.path}/`;
    const files: HashedFile[] = [];
    for (const e of walkIso(read, volume)) {
      if (e.directory || !e.path.startsWith(prefix)) continue;
      const path = e.path.slice(prefix.length);
      const size = e.extents.reduce((n, x) => n + x.length, 0);
      const named = blobDigest(path);
      files.push({
        path,
        size,
        sha256: named ?? createHash('sha256').update(bytes(e.extents)).digest('hex'),
      });
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const summary = treeHash(files);
    if (summary.sha256 !== info.registry.sha256 || summary.files !== info.registry.files)
      throw notBase(old, `its registry tree (${summary.files} files) is not the one its release.json records`);
    return {
      base: {
        name: info.release.name,
        openshift: info.release.openshift,
        treeSha256: info.registry.sha256,
        files: info.registry.files,
      },
      arch: info.release.arch,
      files,
    };
  } finally {
    closeSync(fd);
  }
}

// Removes from the tree at `root` every file the base has (same path, same sha256), and the
// directories left empty; returns what is kept and the delta record.
export async function dropBase(
  root: string,
  b: Base,
): Promise<{ kept: HashedFile[]; delta: RegistryDelta; merged: HashedFile[] }> {
  const { hashed, broken } = await expectedHashes(root, await listTree(root));
  if (broken.length > 0) throw new FyrError('MIRROR_FAILED', `the mirrored tree has broken links: ${broken[0]}`);
  const have = new Map(b.files.map((f) => [f.path, f.sha256]));
  const kept: HashedFile[] = [];
  for (const f of hashed) {
    if (have.get(f.path) === f.sha256) await rm(join(root, f.path));
    else kept.push(f);
  }
  if (kept.length === 0)
    throw new FyrError('DELTA_BASE_INVALID', `the release adds nothing to ${b.base.name}: every file is in the base`);
  await pruneEmpty(root);
  const merged = mergeListings(b.files, hashed);
  const m = treeHash(merged);
  return { kept, merged, delta: { base: b.base, mergedSha256: m.sha256, mergedFiles: m.files } };
}

async function pruneEmpty(dir: string): Promise<boolean> {
  let empty = true;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory() && (await pruneEmpty(join(dir, e.name)))) await rmdir(join(dir, e.name));
    else empty = false;
  }
  return empty;
}
