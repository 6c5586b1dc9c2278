// Splicing a site into a release image: the new bytes of the embed areas, and the media-check
// MD5 finished from the state saved just before the first area, so only the areas and what
// follows them are hashed (kilobytes to a few MiB, whatever the image's size).
import { writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { padWithComments, type Area } from '../formats/release-json.js';
import type { ReadAt } from '../iso9660/read.js';
import { formatAppData, IsoMd5Hasher, parseAppData, APPDATA_SIZE, type IsoMd5Checkpoint, type IsoMd5Layout, type IsoMd5Result } from '../iso9660/isomd5.js';
import type { ReleaseImage } from './release-image.js';

// Bytes to put at an offset of the image instead of what is there.
export interface Patch {
  offset: number;
  data: Buffer;
}

const CHUNK = 1 << 20;

// Puts the patches' bytes into a chunk of the image that starts at offset `at`.
export function overlay(chunk: Buffer, at: number, patches: readonly Patch[]): void {
  for (const p of patches) {
    const from = Math.max(p.offset, at);
    const to = Math.min(p.offset + p.data.length, at + chunk.length);
    if (from < to) p.data.copy(chunk, from - at, from - p.offset, to - p.offset);
  }
}

// Feeds the hasher from its position up to `end`, reading the image with the patches applied.
// An image shorter than that is RELEASE_INVALID, or WRITE_FAILED for one fyr just wrote.
export function feed(hasher: IsoMd5Hasher, read: ReadAt, end: number, patches: readonly Patch[], onBytes?: (position: number) => void, short: 'RELEASE_INVALID' | 'WRITE_FAILED' = 'RELEASE_INVALID'): void {
  while (hasher.position < end) {
    const at = hasher.position;
    const chunk = Buffer.from(read(at, Math.min(CHUNK, end - at)));
    if (chunk.length === 0) throw new FyrError(short, `the image ends at ${at} bytes, before its volume size`);
    overlay(chunk, at, patches);
    hasher.update(chunk);
    onBytes?.(hasher.position);
  }
}

export function implantedMd5(image: Pick<ReleaseImage, 'read' | 'layout'>) {
  return parseAppData(image.read(image.layout.appDataAt, APPDATA_SIZE));
}

// The media-check MD5 with the patches applied, from the saved state.
export function finishFromState(read: ReadAt, layout: IsoMd5Layout, resume: IsoMd5Checkpoint, patches: readonly Patch[]): IsoMd5Result {
  const hasher = new IsoMd5Hasher(layout, resume);
  feed(hasher, read, layout.hashedLength, patches);
  return hasher.result();
}

// The whole image hashed from byte 0 (the slow path), with the state at `stateAt` captured.
export function hashAll(read: ReadAt, layout: IsoMd5Layout, stateAt: number, patches: readonly Patch[], onBytes?: (position: number) => void): { result: IsoMd5Result; resume: IsoMd5Checkpoint } {
  const hasher = new IsoMd5Hasher(layout);
  feed(hasher, read, stateAt, patches, onBytes);
  const resume = hasher.checkpoint();
  feed(hasher, read, layout.hashedLength, patches, onBytes);
  return { result: hasher.result(), resume };
}

// Whether the saved state, finished over the image as it is, gives the implanted MD5: the
// fast path's precondition. A mismatch means the image or the state was changed by hand.
export function stateMatchesImplant(image: ReleaseImage): boolean {
  const implanted = implantedMd5(image);
  if (!implanted || !image.resume) return false;
  const current = finishFromState(image.read, image.layout, image.resume, []);
  return current.md5 === implanted.md5 && current.fragmentSums === implanted.fragmentSums;
}

export function writePatches(fd: number, patches: readonly Patch[]): void {
  for (const p of patches) {
    for (let done = 0; done < p.data.length; ) done += writeSync(fd, p.data, done, p.data.length - done, p.offset + done);
  }
}

export const appDataPatch = (layout: IsoMd5Layout, result: IsoMd5Result): Patch => ({ offset: layout.appDataAt, data: formatAppData(result) });

export interface SiteContent {
  // The kickstart text and the packed site tar.
  kickstart: string;
  tar: Buffer;
}

// The two areas' new bytes: the kickstart padded with comment lines, the tar with zeros.
export function sitePatches(areas: { kickstart: Area; site: Area }, content: SiteContent): Patch[] {
  const ksBytes = Buffer.byteLength(content.kickstart);
  const problems: string[] = [];
  if (ksBytes > areas.kickstart.length) problems.push(`the kickstart is ${ksBytes} bytes, its area ${areas.kickstart.length} (fyr release --ks-area)`);
  if (content.tar.length > areas.site.length) problems.push(`the site bundle is ${content.tar.length} bytes, its area ${areas.site.length} (fyr release --site-area)`);
  if (problems.length > 0) {
    throw new FyrError('SITE_TOO_LARGE', `the site does not fit this release: ${problems.join('; ')}`, { details: ['Build the release again with a larger area, e.g. fyr release ... --site-area 32M --ks-area 1M.'] });
  }
  const site = Buffer.alloc(areas.site.length);
  content.tar.copy(site);
  return [
    { offset: areas.kickstart.offset, data: padWithComments(content.kickstart, areas.kickstart.length) },
    { offset: areas.site.offset, data: site },
  ];
}
