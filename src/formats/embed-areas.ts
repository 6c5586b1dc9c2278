// The fixed-size areas a release reserves for a site: their default sizes, and what fills them
// before a site does. Sizes never change after the release is built, so a site is spliced in
// by overwriting bytes at known offsets, and everything before the first area is the same for
// every site of the release.
import { SECTOR } from '../iso9660/read.js';

export interface Area {
  path: string;
  offset: number;
  length: number;
}

export const DEFAULT_KS_AREA = 256 * 1024;
export const DEFAULT_SITE_AREA = 8 * 1024 * 1024;

export const roundToSector = (n: number) => Math.ceil(n / SECTOR) * SECTOR;

// A valid kickstart that stops the installer with an explanation instead of installing a
// bastion without a site, padded with comment lines to the area's size.
export function placeholderKickstart(size: number, releaseName: string): Buffer {
  const text = [
    `# fyr release ${releaseName}: this ISO has not been customised for a site yet.`,
    '# Make a site ISO with:   fyr build site.yaml --release release.iso -o site.iso',
    '# or customise in place:  fyr customize release.iso --site site.yaml',
    'text',
    '%pre --erroronfail',
    'echo "fyr: this installer ISO carries no site configuration (see /ks.cfg on the media)." > /dev/console',
    'exit 1',
    '%end',
    '',
  ].join('\n');
  return padWithComments(text, size);
}

// The kickstart area's bytes: the text, then lines of "#" and spaces, 64 bytes each, ending in
// a newline: comments to any parser.
export function padWithComments(text: string, size: number): Buffer {
  const body = Buffer.from(text);
  if (body.length > size) throw new Error(`${body.length} bytes do not fit an area of ${size}`);
  const out = Buffer.alloc(size, 0x20);
  body.copy(out);
  for (let at = body.length; at < size; at += 64) {
    const end = Math.min(at + 64, size);
    out[at] = 0x23;
    out[end - 1] = 0x0a;
  }
  return out;
}

// The MD5 pad file (media-layout.ts, MD5_PAD_PATH) as fyr release writes it; its last 64 bytes
// are overwritten with MD5's padding block once the image's layout is known.
export function md5PadFile(size: number): Buffer {
  // NOTE: the text is part of every release image's bytes; changing it changes them.
  const out = Buffer.alloc(size);
  out.write(
    'fyr: the last 64 bytes of this file are MD5 padding for the image before them (media-check state, see the README).\n',
  );
  return out;
}
