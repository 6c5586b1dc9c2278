// Sealed site packs (docs/packs.md): made from a release image and a rendered, sealed site
// (fyr build --pack), read back and checked against the image a site is spliced into (fyr
// flash and customize --site PACK). The pack's splice is fyr build's: the same areas, the same
// media-check field, so the result is the site ISO byte for byte.
import { existsSync, statSync } from 'node:fs';
import { FyrError } from '../errors.js';
import {
  MAX_PACK_BYTES,
  PACK_EXTENSION,
  PACK_FORMAT,
  PackFormatError,
  parsePack,
  sha256Hex,
  type ReleaseIdentity,
  type SitePack,
} from '../formats/site-pack.js';
import type { SiteMeta } from '../formats/site-bundle.js';
import type { Patch } from '../iso9660/media-check.js';
import type { IsoMd5Result } from '../iso9660/isomd5.js';
import { openReleaseImage, type ReleaseImage } from '../site-iso/release-image.js';
import { CHECK_IT, checkOutside, fastPatches, type SiteContent } from '../site-iso/splice.js';
import { InputFileError, readCapped } from '../util/read-capped.js';

// The identity a pack records, read off an open release (or site) image.
export function releaseIdentity(image: ReleaseImage): ReleaseIdentity {
  const json = image.read(image.releaseJson.offset, image.releaseJson.length);
  return {
    name: image.info.release.name,
    openshift: image.info.release.openshift,
    volumeId: image.info.volumeId,
    releaseJson: sha256Hex(json),
  };
}

// A pack of `content` for the release at `release`: its areas and media-check result computed
// as fyr build computes them (the release's outside bytes and saved state checked first).
export function makePack(release: string, content: SiteContent, meta: SiteMeta, fyr: string): SitePack {
  const image = openReleaseImage(release);
  try {
    checkOutside(image);
    const { md5 } = fastPatches(image, content, CHECK_IT);
    return {
      header: {
        format: PACK_FORMAT,
        fyr,
        release: releaseIdentity(image),
        md5: { resume: image.resume!, result: md5 },
        kickstart: { bytes: Buffer.byteLength(content.kickstart), sha256: sha256Hex(content.kickstart) },
        site: { bytes: content.tar.length, sha256: sha256Hex(content.tar), meta },
      },
      kickstart: content.kickstart,
      tar: content.tar,
    };
  } finally {
    image.close();
  }
}

const packInvalid = (file: string, why: string) =>
  new FyrError('PACK_INVALID', `${file}: ${why}`, {
    details: ['Copy the pack again from where CI made it, or make it again with fyr build SITE --pack.'],
  });

// Whether --site names a pack rather than a site file: its extension, or a tar's magic.
export function isPackFile(file: string): boolean {
  if (file.endsWith(PACK_EXTENSION)) return true;
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
  try {
    const head = readCapped(file, MAX_PACK_BYTES).subarray(257, 262);
    return head.toString('latin1') === 'ustar';
  } catch {
    return false;
  }
}

export async function readPack(file: string): Promise<SitePack> {
  if (!existsSync(file)) throw packInvalid(file, 'no such file');
  let bytes: Buffer;
  try {
    bytes = readCapped(file, MAX_PACK_BYTES);
  } catch (err) {
    throw packInvalid(file, err instanceof InputFileError ? err.message : (err as Error).message);
  }
  try {
    return await parsePack(bytes);
  } catch (err) {
    if (err instanceof PackFormatError) throw packInvalid(file, `not a usable fyr site pack: ${err.message}`);
    throw err;
  }
}

// Refuses an image of another release than the pack's, naming both.
export function checkPackRelease(image: ReleaseImage, pack: SitePack, file: string): void {
  const want = pack.header.release;
  const have = releaseIdentity(image);
  if (have.releaseJson === want.releaseJson) return;
  const same = have.name === want.name;
  throw new FyrError(
    'PACK_RELEASE_MISMATCH',
    `${file} was made for release ${want.name} (release.json sha256:${want.releaseJson.slice(0, 12)}…), ${image.path} is ${same ? 'another build of ' : ''}release ${have.name} (sha256:${have.releaseJson.slice(0, 12)}…)`,
    {
      details: [
        `Splice it into the release ISO it was made from, or make the pack again: fyr build SITE --release ${image.path} --pack.`,
      ],
    },
  );
}

// The patches that put the pack into an image of its release, and the media-check result
// they give. The MD5 is finished from the pack's state over the areas and what follows them
// (release.json, kilobytes): it must give the pack's result, or the image is not the release
// the pack was made for byte for byte.
export function packPatches(
  image: ReleaseImage,
  pack: SitePack,
  file: string,
): { patches: Patch[]; md5: IsoMd5Result; content: SiteContent } {
  checkPackRelease(image, pack, file);
  checkOutside(image);
  const content = { kickstart: pack.kickstart, tar: pack.tar };
  const { patches, md5 } = fastPatches({ ...image, resume: pack.header.md5.resume }, content, CHECK_IT);
  const want = pack.header.md5.result;
  if (md5.md5 !== want.md5 || md5.fragmentSums !== want.fragmentSums)
    throw new FyrError(
      'PACK_RELEASE_MISMATCH',
      `${image.path}: with ${file} spliced in, its media-check MD5 would be ${md5.md5}, the pack was made for ${want.md5}: the image differs from the release the pack was made for after its embed areas`,
      { details: [CHECK_IT] },
    );
  return { patches, md5, content };
}

// packPatches for an image file (fyr flash --site PACK).
export function packPatchesFor(iso: string, pack: SitePack, file: string): ReturnType<typeof packPatches> {
  const image = openReleaseImage(iso);
  try {
    return packPatches(image, pack, file);
  } finally {
    image.close();
  }
}

// The pack's site summary, as a freshly rendered site gives it (for the commands' output).
export const packMeta = (pack: SitePack): SiteMeta => pack.header.site.meta;
