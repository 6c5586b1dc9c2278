// The fixed-size areas a release reserves for a site, and release.json, which says where they
// are. Sizes never change after the release is built, so a site is spliced in by overwriting
// bytes at known offsets, and everything before the first area is the same for every site.
import type { IsoMd5Checkpoint } from '../iso9660/isomd5.js';

export const KS_PATH = '/ks.cfg';
export const SITE_AREA_PATH = '/fyr/site.tar';
export const RELEASE_JSON_PATH = '/release.json';
export const PAYLOAD_DIR = '/fyr/payload';
export const AGENT_PATH = '/fyr/agent/fyr-agent.mjs';
// One sector placed just before the first embed area. Its last 64 bytes are MD5's padding for
// the image up to them, which lets node:crypto's MD5 (native, faster than fyr's resumable one)
// hash the release and still yield the resumable state at the area (isomd5.ts, nativeMd5).
export const MD5_PAD_PATH = '/fyr/md5-pad';
export const MD5_PAD_SIZE = 2048;

export function md5PadFile(): Buffer {
  const out = Buffer.alloc(MD5_PAD_SIZE);
  out.write('fyr: the last 64 bytes of this file are MD5 padding for the image before them (media-check state, see the README).\n');
  return out;
}

export const DEFAULT_KS_AREA = 256 * 1024;
export const DEFAULT_SITE_AREA = 8 * 1024 * 1024;
const SECTOR = 2048;

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

export function padWithComments(text: string, size: number): Buffer {
  const body = Buffer.from(text);
  if (body.length > size) throw new Error(`${body.length} bytes do not fit an area of ${size}`);
  const out = Buffer.alloc(size, 0x20);
  body.copy(out);
  // Lines of "#" and spaces, 64 bytes each, ending in a newline: comments to any parser.
  for (let at = body.length; at < size; at += 64) {
    const end = Math.min(at + 64, size);
    out[at] = 0x23;
    out[end - 1] = 0x0a;
  }
  return out;
}

export interface Area {
  path: string;
  offset: number;
  length: number;
}

export interface ReleaseInfo {
  format: 'fyr-release/1';
  fyr: string;
  release: { name: string; openshift: string; rhcos?: string };
  volumeId: string;
  base: { volumeId: string; layout: 'el9' | 'el10'; size: number };
  sourceDateEpoch: number;
  payload: Array<{ path: string; role: string; size: number; sha256: string }>;
  // version: fyr's version for the bundled agent, "content" for one the content directory gave.
  agent: { path: string; version: string; size: number; sha256: string };
  embed: { kickstart: Area; site: Area };
  // Where the site fast path resumes the media-check MD5: the state just before the first area.
  md5: IsoMd5Checkpoint | null;
}

// Serialised with room to spare, so the final offsets and MD5 state fit the reserved size.
export function releaseJsonSize(info: ReleaseInfo): number {
  return roundToSector(Buffer.byteLength(JSON.stringify(info, null, 2)) + 4096);
}

export function releaseJsonBytes(info: ReleaseInfo, size: number): Buffer {
  const text = `${JSON.stringify(info, null, 2)}\n`;
  const body = Buffer.from(text);
  if (body.length > size) throw new Error(`release.json needs ${body.length} bytes, ${size} are reserved`);
  // Trailing spaces keep it valid JSON at a fixed size.
  const out = Buffer.alloc(size, 0x20);
  body.copy(out);
  out[size - 1] = 0x0a;
  return out;
}
