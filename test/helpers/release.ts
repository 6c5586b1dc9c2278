// A small release ISO for tests: a fixture base (make fixtures) and the synthetic content of
// content.ts, with the embed areas the site-ISO tests use.
import { join } from 'node:path';
import type { ReleaseInfo } from '../../src/formats/release-json.js';
import { buildRelease } from '../../src/release/release.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { makeContent } from './content.js';
import { makeTmpdir, removeTmpdir } from './tmpdir.js';

export interface Areas {
  ks: number;
  site: number;
}

export async function makeTestRelease(
  dir: string,
  layout = 'el9',
  areas: Areas = { ks: 64 * 1024, site: 1 << 20 },
): Promise<{ release: string; info: ReleaseInfo }> {
  await makeContent(join(dir, 'content'));
  const release = join(dir, 'release.iso');
  const result = await buildRelease({
    base: join(ISO_FIXTURE_DIR, `${layout}.iso`),
    contentDir: join(dir, 'content'),
    output: release,
    ksAreaBytes: areas.ks,
    siteAreaBytes: areas.site,
    bootTimeoutSeconds: 1,
    fyrVersion: 'test',
  });
  return { release, info: result.info };
}

// fn with a fresh temporary directory holding the release; the directory is removed after.
export async function withTestRelease(
  layout: string,
  fn: (dir: string, release: string, info: ReleaseInfo) => Promise<void>,
  areas?: Areas,
): Promise<void> {
  const dir = await makeTmpdir();
  try {
    const { release, info } = await makeTestRelease(dir, layout, areas);
    await fn(dir, release, info);
  } finally {
    await removeTmpdir(dir);
  }
}
