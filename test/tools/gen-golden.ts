// Rewrites test/golden/ with the current renders listed in GOLDEN_RENDERS (each example site as
// RHEL 9 from the live image, and edge as RHEL 10 from the DVD). Run by `make golden`; review
// the diff and explain it in the commit message.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTree } from '../../src/util/write-tree.js';
import { GOLDEN_RENDERS, exampleSite, renderFile } from '../helpers/render.js';

export const GOLDEN_DIR = 'test/golden';

for (const { dir, example, options } of GOLDEN_RENDERS) {
  const result = await renderFile(exampleSite(example), options);
  const target = join(GOLDEN_DIR, dir);
  await rm(target, { recursive: true, force: true });
  await writeTree(target, result.files);
  console.log(`golden: ${target} (${result.files.length} files)`);
}
