// A sealed site pack (format fyr-site-pack/1, docs/packs.md): one site's embed areas as fyr
// build would splice them into one release, made in CI and spliced in the field with no site
// file, no secrets and no unlock code. A tar (`tar tvf` reads it) of three files, in this
// order: fyr-site-pack.json (the release it is for and the media-check MD5 state around the
// areas), ks.cfg (/ks.cfg before its comment padding) and site.tar (/fyr/site.tar before its
// zeros). Deterministic: sorted names, fixed owner, the build time as every date.
import { createHash } from 'node:crypto';
import type { IsoMd5Checkpoint, IsoMd5Result } from '../iso9660/isomd5.js';
import { packTar, unpackTar } from '../util/tar.js';
import type { SiteMeta } from './site-bundle.js';

export const PACK_FORMAT = 'fyr-site-pack/1';
export const PACK_EXTENSION = '.fyrsite';
export const PACK_HEADER = 'fyr-site-pack.json';
const KICKSTART = 'ks.cfg';
const SITE_TAR = 'site.tar';

// What names a release: release.json as fyr release wrote it, which records every payload
// file's sha256, the bytes outside the payload and the MD5 state before the areas.
export interface ReleaseIdentity {
  name: string;
  openshift: string;
  volumeId: string;
  // sha256 of /release.json's bytes.
  releaseJson: string;
}

export interface PackHeader {
  format: typeof PACK_FORMAT;
  fyr: string;
  release: ReleaseIdentity;
  // The release's state just before the first area, and the media-check result with this site
  // in the areas: the field is finished without reading the payload, and checked.
  md5: { resume: IsoMd5Checkpoint; result: IsoMd5Result };
  kickstart: { bytes: number; sha256: string };
  site: { bytes: number; sha256: string; meta: SiteMeta };
}

export interface SitePack {
  header: PackHeader;
  kickstart: string;
  tar: Buffer;
}

// Why bytes are not a usable pack; the reader puts it in its own error.
export class PackFormatError extends Error {}
PackFormatError.prototype.name = 'PackFormatError';

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export async function packBytes(pack: SitePack, mtimeSeconds: number): Promise<Buffer> {
  return packTar(
    [
      { path: PACK_HEADER, mode: 0o644, content: Buffer.from(`${JSON.stringify(pack.header, null, 2)}\n`) },
      { path: KICKSTART, mode: 0o644, content: Buffer.from(pack.kickstart) },
      { path: SITE_TAR, mode: 0o644, content: pack.tar },
    ],
    mtimeSeconds,
  );
}

// Packs are kilobytes (a site area is at most a few MiB): anything larger is not one.
export const MAX_PACK_BYTES = 160 << 20;

export async function parsePack(bytes: Buffer): Promise<SitePack> {
  if (bytes.length === 0) throw new PackFormatError('it is empty');
  if (bytes.length % 512 !== 0 || bytes.length < 1536)
    throw new PackFormatError(`it is ${bytes.length} bytes, not a whole tar (truncated?)`);
  let files;
  try {
    files = await unpackTar(bytes);
  } catch (err) {
    throw new PackFormatError(`it is not a readable tar (${(err as Error).message})`);
  }
  const names = files.map((f) => f.path);
  if (names.join(' ') !== [PACK_HEADER, KICKSTART, SITE_TAR].join(' '))
    throw new PackFormatError(
      `it holds ${names.length === 0 ? 'nothing' : names.join(', ')}; a pack holds ${PACK_HEADER}, ${KICKSTART} and ${SITE_TAR}`,
    );
  const [headerFile, ksFile, tarFile] = files as [(typeof files)[0], (typeof files)[0], (typeof files)[0]];
  let header: PackHeader;
  try {
    header = JSON.parse(headerFile.content.toString('utf8')) as PackHeader;
  } catch {
    throw new PackFormatError(`its ${PACK_HEADER} is not valid JSON`);
  }
  if (header?.format !== PACK_FORMAT)
    throw new PackFormatError(
      `it has format ${JSON.stringify(header?.format)?.slice(0, 40)}, expected "${PACK_FORMAT}"`,
    );
  const problem = headerProblem(header);
  if (problem !== undefined) throw new PackFormatError(`its ${PACK_HEADER} ${problem}`);
  for (const [name, file, want] of [
    [KICKSTART, ksFile, header.kickstart],
    [SITE_TAR, tarFile, header.site],
  ] as const) {
    if (file.content.length !== want.bytes || sha256Hex(file.content) !== want.sha256)
      throw new PackFormatError(`its ${name} is not the one it was made with (size or sha256 differs): damaged`);
  }
  return { header, kickstart: ksFile.content.toString('utf8'), tar: tarFile.content };
}

const HEX64 = /^[0-9a-f]{64}$/;
const isText = (v: unknown) => typeof v === 'string' && v !== '';
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

// The header's fields a splice relies on, each of its type; undefined when all are.
function headerProblem(h: PackHeader): string | undefined {
  const r = h.release;
  if (!r || !isText(r.name) || !isText(r.openshift) || !isText(r.volumeId) || !HEX64.test(String(r.releaseJson)))
    return 'does not name its release (release.name, openshift, volumeId, releaseJson)';
  const m = h.md5;
  if (!m?.resume || !isCount(m.resume.offset) || !isCount(m.resume.hashedLength) || !isCount(m.resume.appDataAt))
    return 'has no MD5 state (md5.resume)';
  if (!/^[0-9a-f]{32}$/.test(String(m.result?.md5)) || typeof m.result.fragmentSums !== 'string')
    return 'has no media-check result (md5.result)';
  for (const [name, part] of [
    ['kickstart', h.kickstart],
    ['site', h.site],
  ] as const) {
    if (!part || !isCount(part.bytes) || !HEX64.test(String(part.sha256))) return `has no size and sha256 of ${name}`;
  }
  if (typeof h.site.meta?.cluster !== 'string') return 'has no site summary (site.meta)';
  return undefined;
}
