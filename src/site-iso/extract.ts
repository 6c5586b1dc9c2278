// fyr inspect --extract: the site back out of a site ISO as fyr build put it in (as
// `coreos-installer iso ignition show` does): the kickstart byte for byte, cut from its padded
// area at the length the bundle's manifest records and checked against its sha256, and the
// bundle's files (the render's bundle/, manifest.json and fyr-site.json).
import { createHash } from 'node:crypto';
import { FyrError } from '../errors.js';
import { KS_PATH, SITE_AREA_PATH } from '../formats/media-layout.js';
import { MANIFEST, parseRenderManifest } from '../formats/render-manifest.js';
import { unpackSite } from '../formats/site-bundle.js';
import type { TarFile } from '../util/tar.js';
import { openReleaseImage } from './release-image.js';

export interface ExtractedSite {
  kickstart: Buffer;
  files: TarFile[];
}

export async function extractSite(path: string): Promise<ExtractedSite> {
  const image = openReleaseImage(path);
  try {
    const { kickstart: ksArea, site: siteArea } = image.info.embed;
    const unpacked = await unpackSite(image.read(siteArea.offset, siteArea.length)).catch(() => null);
    if (unpacked === null)
      throw new FyrError('RELEASE_INVALID', `${path}: ${SITE_AREA_PATH} is damaged (not a readable tar)`);
    if (unpacked === undefined)
      throw new FyrError('RELEASE_INVALID', `${path} carries no site yet (fyr build or fyr customize puts one in)`);
    // The tar comes from an ISO that may be anyone's: its names stay inside the directory written.
    if (unpacked.files.some((f) => f.path.startsWith('/') || f.path.split('/').includes('..')))
      throw new FyrError('RELEASE_INVALID', `${path}: ${SITE_AREA_PATH} names a file outside its tree`);
    const entry = manifestKickstart(unpacked.files);
    const ks = image.read(ksArea.offset, ksArea.length);
    const kickstart = entry !== undefined && entry.size <= ks.length ? ks.subarray(0, entry.size) : undefined;
    if (kickstart === undefined || createHash('sha256').update(kickstart).digest('hex') !== entry?.sha256)
      throw new FyrError(
        'RELEASE_INVALID',
        `${path}: ${KS_PATH} differs from the kickstart the site's manifest lists`,
        {
          details: ['fyr inspect --verify says more; fyr customize puts the site back.'],
        },
      );
    return { kickstart: Buffer.from(kickstart), files: unpacked.files };
  } finally {
    image.close();
  }
}

// The manifest's ks.cfg entry; undefined without a readable manifest.
function manifestKickstart(files: readonly TarFile[]): { size: number; sha256: string } | undefined {
  const manifest = files.find((f) => f.path === MANIFEST);
  if (manifest === undefined) return undefined;
  try {
    return parseRenderManifest(manifest.content.toString('utf8')).files.find((f) => f.path === 'ks.cfg');
  } catch {
    return undefined;
  }
}
