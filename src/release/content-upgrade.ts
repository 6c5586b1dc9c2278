// An upgrade's and a delta's parts of a content directory (content.ts): the base release's tree
// listing a delta carries, base ∪ tree, and the checks of the hops against the files.
import { readFileSync } from 'node:fs';
import type { UpgradePath } from '../formats/upgrade-path.js';
import type { HashedFile } from '../registry/tree.js';
import type { PathSegment } from '../site/path.js';
import type { ContentProblemCode } from './content-codes.js';

// base ∪ tree, a path the tree has too taking the tree's file (a tag moved).
export function mergeListings(base: readonly HashedFile[], tree: readonly HashedFile[]): HashedFile[] {
  const byPath = new Map(base.map((f) => [f.path, f]));
  for (const f of tree) byPath.set(f.path, f);
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// The base release's tree listing a delta carries (role registry-base): "path\tsize\tsha256" lines.
export function parseListing(text: string): HashedFile[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [path, size, sha256] = line.split('\t');
      if (!path || !/^[0-9]+$/.test(size ?? '') || !/^[0-9a-f]{64}$/.test(sha256 ?? ''))
        throw new Error(`not a line of path, size and sha256: ${JSON.stringify(line.slice(0, 80))}`);
      return { path, size: Number(size), sha256: sha256! };
    });
}

export function baseListing(
  files: ReadonlyArray<{ path: string; role: string; absolute: string }>,
  problem: (path: PathSegment[], code: ContentProblemCode, message: string, expected?: string) => void,
): HashedFile[] | undefined {
  const f = files.find((x) => x.role === 'registry-base');
  if (!f) {
    problem(
      ['registry', 'delta'],
      'CONTENT_ROLE_MISSING',
      'a delta needs the base release\'s tree listing: no file has role "registry-base"',
    );
    return undefined;
  }
  try {
    return parseListing(readFileSync(f.absolute, 'utf8'));
  } catch (err) {
    problem(['registry', 'delta'], 'CONTENT_TREE_INVALID', `${f.path}: ${(err as Error).message}`);
    return undefined;
  }
}

// An upgrade's hops: the last is the release itself, each signature file listed with its role.
export function checkUpgrade(
  data: { release: { openshift: string; image?: string | undefined }; upgrade?: UpgradePath | undefined },
  files: ReadonlyArray<{ path: string; role: string }>,
  problem: (path: PathSegment[], code: ContentProblemCode, message: string, expected?: string) => void,
): void {
  const u = data.upgrade;
  if (!u) return;
  const last = u.hops.at(-1);
  if (last && (last.version !== data.release.openshift || (data.release.image && last.image !== data.release.image)))
    problem(
      ['upgrade', 'hops', u.hops.length - 1],
      'CONTENT_TREE_INVALID',
      `the last hop (${last.version}) is not the release itself (${data.release.openshift})`,
    );
  for (const [i, h] of u.hops.entries()) {
    if (h.signature === 'verified' && !h.signatureFile)
      problem(
        ['upgrade', 'hops', i],
        'CONTENT_ROLE_MISSING',
        `hop ${h.version} is verified but names no signatureFile`,
      );
    if (h.signatureFile && !files.some((f) => f.path === h.signatureFile && f.role === 'upgrade-signature'))
      problem(
        ['upgrade', 'hops', i, 'signatureFile'],
        'CONTENT_ROLE_MISSING',
        `${h.signatureFile} is not in "files" with role "upgrade-signature"`,
      );
  }
}
