// Renders a site into a temporary directory the way `fyr render` does, for tests that run the
// real programs on the output.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSite, type RenderOptions, type RenderResult } from '../../src/render/index.js';
import { validateSiteFile } from '../../src/site/index.js';
import { writeTree } from '../../src/util/write-tree.js';

export const EXAMPLES = ['edge', 'ipmi-nat', 'single-node'] as const;
export type Example = (typeof EXAMPLES)[number];

export const exampleSite = (name: string) => join('examples', name, 'site.yaml');

// The reviewed renders under test/golden/: every example as RHEL 9 from the live image (the
// defaults), and the edge site as a RHEL 10 bastion installed from the DVD (Kea, %packages
// without module streams).
export const GOLDEN_RENDERS: Array<{ dir: string; example: Example; options?: RenderOptions }> = [
  ...EXAMPLES.map((example) => ({ dir: example, example })),
  { dir: 'edge-rhel10-dvd', example: 'edge', options: { os: 'rhel10', source: 'dvd' } },
];

export async function renderFile(file: string, options?: RenderOptions): Promise<RenderResult> {
  const result = await validateSiteFile(file);
  if (result.site === undefined)
    throw new Error(
      `${file} is invalid: ${result.errors.map((e) => `${e.line}:${e.col} ${e.path} ${e.message}`).join('; ')}`,
    );
  return renderSite(result.site, options);
}

// Renders and writes to dir/out; returns the output directory.
export async function renderTo(
  file: string,
  dir: string,
  options?: RenderOptions,
): Promise<{ out: string; result: RenderResult }> {
  const result = await renderFile(file, options);
  const out = join(dir, 'out');
  await writeTree(out, result.files);
  return { out, result };
}

// A copy of an example site (and its secrets) with edits applied, written under dir.
export async function variantSite(
  example: string,
  dir: string,
  edit: { site?: (t: string) => string; secrets?: (t: string) => string },
): Promise<string> {
  const target = join(dir, `${example}-variant`);
  await mkdir(target, { recursive: true });
  const site = await readFile(exampleSite(example), 'utf8');
  const secrets = await readFile(join('examples', example, 'secrets.yaml'), 'utf8');
  const siteText = (edit.site ?? ((t) => t))(site);
  const secretsText = (edit.secrets ?? ((t) => t))(secrets);
  if (edit.site && siteText === site) throw new Error('the site edit changed nothing');
  if (edit.secrets && secretsText === secrets) throw new Error('the secrets edit changed nothing');
  await writeFile(join(target, 'site.yaml'), siteText);
  await writeFile(join(target, 'secrets.yaml'), secretsText);
  return join(target, 'site.yaml');
}
