// The upgrade stick as the agent reads it: a release ISO's files (mounted, or laid out in a
// directory by a lab), its release.json, every payload file against its sha256, and its
// registry tree (each blob against its name, the whole against the tree hash).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReleaseJson } from '../../formats/release-json.js';
import { RELEASE_JSON_PATH } from '../../formats/media-layout.js';
import { sha256File, verifyTree } from '../../registry/tree.js';
import type { UpgradeRelease } from './check.js';

export class UpgradeMediaError extends Error {}
UpgradeMediaError.prototype.name = 'UpgradeMediaError';

export async function readUpgradeRelease(dir: string): Promise<UpgradeRelease> {
  const file = join(dir, RELEASE_JSON_PATH);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UpgradeMediaError(`${file}: cannot read (${err.code ?? err.message}): not a fyr release stick`);
  });
  try {
    return parseReleaseJson(text) as UpgradeRelease;
  } catch (err) {
    throw new UpgradeMediaError(`${file}: not a fyr release.json: it ${(err as Error).message}`);
  }
}

// Every file the stick carries, checked; the problems (none: the stick is whole).
export async function checkUpgradeMedia(
  dir: string,
  release: UpgradeRelease,
  progress: (detail: string) => Promise<void> = async () => undefined,
  // Filled with the sha256 of each file of the stick's registry tree, by its path in the tree.
  hashed?: Map<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const f of release.payload) {
    const actual = await sha256File(join(dir, f.path)).catch((err: NodeJS.ErrnoException) => `missing (${err.code})`);
    if (actual !== f.sha256)
      problems.push(`${f.path}: ${actual.startsWith('missing') ? actual : 'differs from release.json'}`);
  }
  const tree = release.registry;
  if (tree) {
    await progress(`checking the stick's registry tree (${tree.files} files)`);
    const { summary, problems: inTree, hashed: files } = await verifyTree(join(dir, tree.path));
    for (const f of files) hashed?.set(f.path, f.sha256);
    problems.push(...inTree.slice(0, 10));
    if (summary.sha256 !== tree.sha256 || summary.files !== tree.files)
      problems.push(
        `${tree.path}: the registry tree has ${summary.files} files, hash ${summary.sha256.slice(0, 12)}; release.json says ${tree.files}, ${tree.sha256.slice(0, 12)}`,
      );
  }
  return problems;
}
