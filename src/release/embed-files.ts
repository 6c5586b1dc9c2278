// The small files a release adds besides the payload, staged for xorriso: the placeholder
// kickstart and the empty site area (the embed areas), the MD5 pad before them, and release.json
// as first written (its offsets and MD5 state are filled in place by finish.ts).
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { md5PadFile, placeholderKickstart, roundToSector } from '../formats/embed-areas.js';
import { KS_PATH, MD5_PAD_PATH, MD5_PAD_SIZE, RELEASE_JSON_PATH, SITE_AREA_PATH } from '../formats/media-layout.js';
import { releaseJsonBytes, releaseJsonSize, type ReleaseInfo } from '../formats/release-json.js';

export interface EmbedFiles {
  // [disk path, ISO path] in layout order; LAST says which of them end the image.
  maps: Array<[string, string]>;
  sizes: { ks: number; site: number; json: number };
  info: ReleaseInfo;
}

// The files that end the image, in this order: the pad just before the first embed area.
export const LAST = [MD5_PAD_PATH, KS_PATH, SITE_AREA_PATH, RELEASE_JSON_PATH];

export async function stageEmbedFiles(
  staging: string,
  draft: Omit<ReleaseInfo, 'embed' | 'md5'>,
  ksAreaBytes: number,
  siteAreaBytes: number,
): Promise<EmbedFiles> {
  const ks = roundToSector(ksAreaBytes);
  const site = roundToSector(siteAreaBytes);
  await writeFile(join(staging, 'ks.cfg'), placeholderKickstart(ks, draft.release.name));
  // An all-zero tar is a valid empty archive; sparse, so nothing is written to reserve it.
  await writeFile(join(staging, 'site.tar'), '');
  await truncate(join(staging, 'site.tar'), site);
  const info: ReleaseInfo = {
    ...draft,
    embed: {
      kickstart: { path: KS_PATH, offset: 0, length: ks },
      site: { path: SITE_AREA_PATH, offset: 0, length: site },
    },
    md5: null,
  };
  const json = releaseJsonSize(info);
  await writeFile(join(staging, 'release.json'), releaseJsonBytes(info, json));
  await writeFile(join(staging, 'md5-pad'), md5PadFile(MD5_PAD_SIZE));
  const maps: Array<[string, string]> = [
    [join(staging, 'md5-pad'), MD5_PAD_PATH],
    [join(staging, 'ks.cfg'), KS_PATH],
    [join(staging, 'site.tar'), SITE_AREA_PATH],
    [join(staging, 'release.json'), RELEASE_JSON_PATH],
  ];
  return { maps, sizes: { ks, site, json }, info };
}
