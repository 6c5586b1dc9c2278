// Splicing a site into a release image: the new bytes of the embed areas and how they are
// written. The media-check MD5 over them is iso9660/media-check.ts's.
import { writeSync } from 'node:fs';
import { FyrError } from '../errors.js';
import { padWithComments, type Area } from '../formats/release-json.js';
import { ImageEndedError, type Patch } from '../iso9660/media-check.js';

export function writePatches(fd: number, patches: readonly Patch[]): void {
  for (const p of patches) {
    for (let done = 0; done < p.data.length; ) done += writeSync(fd, p.data, done, p.data.length - done, p.offset + done);
  }
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

// A release image that ends early while it is read (changed since it was opened) is not usable.
export function releaseInvalidIfEnded(err: unknown, path: string): unknown {
  return err instanceof ImageEndedError ? new FyrError('RELEASE_INVALID', `${path}: ${err.message}`, { cause: err }) : err;
}
