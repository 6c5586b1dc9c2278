// Renders a site into a temporary directory the way `fyr render` does, for tests that run the
// real programs on the output.
import { join } from 'node:path';
import { renderSite, type RenderOptions, type RenderResult } from '../../src/render/index.js';
import { validateSiteFile } from '../../src/site/index.js';
import { writeTree } from '../../src/util/write-tree.js';

export const EXAMPLES = ['edge', 'ipmi-nat', 'single-node'] as const;
export type Example = (typeof EXAMPLES)[number];

export const exampleSite = (name: string) => join('examples', name, 'site.yaml');

export async function renderFile(file: string, options?: RenderOptions): Promise<RenderResult> {
  const result = await validateSiteFile(file);
  if (result.site === undefined) throw new Error(`${file} is invalid: ${result.errors.map((e) => `${e.line}:${e.col} ${e.path} ${e.message}`).join('; ')}`);
  return renderSite(result.site, options);
}

// Renders and writes to dir/out; returns the output directory.
export async function renderTo(file: string, dir: string, options?: RenderOptions): Promise<{ out: string; result: RenderResult }> {
  const result = await renderFile(file, options);
  const out = join(dir, 'out');
  await writeTree(out, result.files);
  return { out, result };
}
