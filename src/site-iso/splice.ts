// Splicing a site into a release image: the new bytes of the embed areas, the media-check MD5
// finished over them from the state saved before the first area, and how they are written.
import { writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { padWithComments, type Area } from '../formats/embed-areas.js';
import { type ReleaseInfo } from '../formats/release-json.js';
import type { IsoMd5Result } from '../iso9660/isomd5.js';
import {
  appDataPatch,
  finishFromState,
  ImageEndedError,
  stateMatchesImplant,
  type Patch,
} from '../iso9660/media-check.js';
import { openReleaseImage, type ReleaseImage } from './release-image.js';
import { outsideRanges, outsideSha256 } from '../formats/release-outside.js';
import { IsoFormatError, walkIso, type ReadAt } from '../iso9660/read.js';
import { scratchReader, windowReader } from '../util/fs.js';

export function writePatches(fd: number, patches: readonly Patch[]): void {
  for (const p of patches) {
    for (let done = 0; done < p.data.length;)
      done += writeSync(fd, p.data, done, p.data.length - done, p.offset + done);
  }
}

export interface SpliceResult {
  output: string;
  size: number;
  md5: IsoMd5Result;
  info: ReleaseInfo;
  // Bytes written besides the copy: the areas, release.json when re-hashed, the PVD field.
  patched: number;
  copied: 'reflink' | 'copy' | 'none';
}

export interface SiteContent {
  // The kickstart text and the packed site tar.
  kickstart: string;
  tar: Buffer;
}

// The two areas' new bytes: the kickstart padded with comment lines, the tar with zeros.
export function sitePatches(areas: { kickstart: Area; site: Area }, content: SiteContent): Patch[] {
  const ksBytes = Buffer.byteLength(content.kickstart);
  const problems: string[] = [];
  if (ksBytes > areas.kickstart.length)
    problems.push(`the kickstart is ${ksBytes} bytes, its area ${areas.kickstart.length} (fyr release --ks-area)`);
  if (content.tar.length > areas.site.length)
    problems.push(
      `the site bundle is ${content.tar.length} bytes, its area ${areas.site.length} (fyr release --site-area)`,
    );
  if (problems.length > 0) {
    throw new FyrError('SITE_TOO_LARGE', `the site does not fit this release: ${problems.join('; ')}`, {
      details: ['Build the release again with a larger area, e.g. fyr release ... --site-area 32M --ks-area 1M.'],
    });
  }
  const site = Buffer.alloc(areas.site.length);
  content.tar.copy(site);
  return [
    { offset: areas.kickstart.offset, data: padWithComments(content.kickstart, areas.kickstart.length) },
    { offset: areas.site.offset, data: site },
  ];
}

// A release image that ends early while it is read (changed since it was opened) is not usable.
export function releaseInvalidIfEnded(err: unknown, path: string): unknown {
  return err instanceof ImageEndedError
    ? new FyrError('RELEASE_INVALID', `${path}: ${err.message}`, { cause: err })
    : err;
}

function stateMismatch(path: string, fix: string): FyrError {
  return new FyrError(
    'MD5_STATE_MISMATCH',
    `${path}: the MD5 state saved in release.json does not give the implanted media-check MD5; the image was changed after fyr wrote it`,
    { details: [fix] },
  );
}

// The patches of a site over an image whose saved state is checked first, and the MD5 they give.
export function fastPatches(
  image: ReleaseImage,
  content: SiteContent,
  fix: string,
): { patches: Patch[]; md5: IsoMd5Result } {
  try {
    if (!stateMatchesImplant(image)) throw stateMismatch(image.path, fix);
    const patches = sitePatches(image.info.embed, content);
    const md5 = finishFromState(scratchReader(image.fd), image.layout, image.resume!, patches);
    return { patches: [...patches, appDataPatch(image.layout, md5)], md5 };
  } catch (err) {
    throw releaseInvalidIfEnded(err, image.path);
  }
}

// The bytes that turn a release (or site) ISO into this site's ISO, for fyr flash --site.
export function sitePatchesFor(
  iso: string,
  content: SiteContent,
): { patches: Patch[]; md5: IsoMd5Result; info: ReleaseInfo } {
  const image = openReleaseImage(iso);
  try {
    checkOutside(image);
    return { ...fastPatches(image, content, CHECK_IT), info: image.info };
  } finally {
    image.close();
  }
}

// The release's bytes outside the payload (boot records, descriptors, directories, boot files)
// against the sum fyr release recorded: a change there would leave the saved MD5 state wrong
// and the site's media check failing, and it costs megabytes to read. `read`: the copy being
// built, when there is one. Releases made before fyr recorded the sum are not checked.
// Read through a window for the directories and one reused buffer for the hash: fresh buffers
// for each read cost more in page faults here than the reads, beside the copy's own.
export function checkOutside(image: ReleaseImage, read?: ReadAt): void {
  const saved = image.info.outside;
  if (saved === undefined) return;
  let actual: string | undefined;
  try {
    const entries = walkIso(read ?? windowReader(image.fd), image.volume);
    const ranges = outsideRanges(entries, image.areas[0]!.offset, image.layout.appDataAt);
    actual = outsideSha256(read ?? scratchReader(image.fd), ranges);
  } catch (err) {
    if (!(err instanceof IsoFormatError)) throw err;
  }
  if (actual !== saved.sha256)
    throw new FyrError(
      'RELEASE_INVALID',
      `${image.path}: its bytes outside the payload (boot records, directories, boot files) are not the ones fyr release wrote`,
      { details: [CHECK_IT] },
    );
}

export const CHECK_IT = 'Check it with fyr inspect --verify, or build the release again.';
