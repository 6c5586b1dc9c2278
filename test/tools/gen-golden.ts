// Rewrites test/golden/<example>/ with the current render of each example site (RHEL 9,
// liveimg source). Run by `make golden`; review the diff and explain it in the commit message.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTree } from '../../src/util/write-tree.js';
import { EXAMPLES, exampleSite, renderFile } from '../helpers/render.js';

export const GOLDEN_DIR = 'test/golden';

for (const example of EXAMPLES) {
  const result = await renderFile(exampleSite(example));
  const target = join(GOLDEN_DIR, example);
  await rm(target, { recursive: true, force: true });
  await writeTree(target, result.files);
  console.log(`golden: ${target} (${result.files.length} files)`);
}
