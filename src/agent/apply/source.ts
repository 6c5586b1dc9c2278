// Where `fyr-agent apply` gets the edited site: a site ISO file (or the stick's block device),
// read with fyr's own ISO 9660 reader (no mount, no xorriso); the media's files in a directory
// (--media); or an unpacked site area (--bundle DIR). Whatever the source, every file is checked
// against the site's manifest.json before anything is planned from it.
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AGENT_FILES } from '../../formats/bastion-layout.js';
import { RELEASE_JSON_PATH, SITE_AREA_PATH } from '../../formats/media-layout.js';
import { parseReleaseJson, type ReleaseInfo } from '../../formats/release-json.js';
import { MANIFEST, parseRenderManifest, type ManifestEntry } from '../../formats/render-manifest.js';
import { SEALED_SECRETS } from '../../formats/sealed-secrets.js';
import type { SiteMeta } from '../../formats/site-bundle.js';
import { findInIso, readPrimaryVolume, type ReadAt } from '../../iso9660/read.js';
import { fileReader } from '../../util/fs.js';
import { KEEPER_DEFAULTS, type AgentSite } from '../site.js';
import { readTar, type AreaFile } from './tar.js';

// formats/site-bundle.ts's SITE_META, named here so the agent does not bundle tar-stream (a
// test holds the two equal).
export const SITE_META_FILE = 'fyr-site.json';
// Files of a site area that manifest.json does not list: the build record, and the sealed
// secrets (fresh bytes at every seal; age authenticates them itself).
const UNLISTED = new Set([SITE_META_FILE, MANIFEST, `bundle${SEALED_SECRETS}`]);

export interface NewSite {
  // What was read, for messages: "site ISO /tmp/site.iso", "bundle /tmp/area".
  from: string;
  // Every file of the site area, each checked against the manifest.
  files: AreaFile[];
  manifest: { os: unknown; sealed: boolean; files: ManifestEntry[] };
  // The sha256 of manifest.json: the same site gives the same hash (site-bundle.ts).
  renderHash: string;
  meta: SiteMeta | undefined;
  // The release the ISO or media carries; undefined for an unpacked site area.
  release: ReleaseInfo | undefined;
  site: AgentSite;
}

// A source that is not a usable site; `problems` lists every file that failed its check.
export class ApplyInputError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}:\n  ${problems.join('\n  ')}` : message);
  }
}
ApplyInputError.prototype.name = 'ApplyInputError';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export const fileIn = (site: Pick<NewSite, 'files'>, path: string): Buffer | undefined =>
  site.files.find((f) => f.path === path)?.content;

function json(from: string, path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ApplyInputError(`${from}: ${path} is not JSON`);
  }
}

// Checks the files against manifest.json and reads the site from them.
export function siteFromFiles(files: AreaFile[], from: string, release?: ReleaseInfo): NewSite {
  const manifestJson = files.find((f) => f.path === MANIFEST)?.content;
  const siteJson = files.find((f) => f.path === `bundle${AGENT_FILES.site}`)?.content;
  if (!manifestJson || !siteJson)
    throw new ApplyInputError(
      `${from}: not a fyr site (no ${manifestJson ? `bundle${AGENT_FILES.site}` : MANIFEST}); give a site ISO from fyr build or fyr customize, or its unpacked /fyr/site.tar`,
    );
  const parsed = parseRenderManifest(JSON.stringify(json(from, MANIFEST, manifestJson)));
  const listed = new Map(parsed.files.map((f) => [f.path, f]));
  const problems: string[] = [];
  for (const f of files) {
    const entry = listed.get(f.path);
    if (!entry) {
      if (!UNLISTED.has(f.path)) problems.push(`${f.path}: not listed in manifest.json`);
    } else if (f.content.length !== entry.size || sha256(f.content) !== entry.sha256)
      problems.push(`${f.path}: differs from manifest.json (sha256); damaged, or edited after fyr render`);
  }
  for (const entry of parsed.files)
    if (entry.path.startsWith('bundle/') && !files.some((f) => f.path === entry.path))
      problems.push(`${entry.path}: listed in manifest.json but missing`);
  if (problems.length > 0) throw new ApplyInputError(`${from}: the site does not match its manifest.json`, problems);
  const site = json(from, `bundle${AGENT_FILES.site}`, siteJson) as AgentSite;
  if (!site?.cluster?.fqdn || !Array.isArray(site.nodes) || !site.network?.lan?.bastion)
    throw new ApplyInputError(`${from}: bundle${AGENT_FILES.site} is not a site written by fyr render`);
  site.keeper = { ...KEEPER_DEFAULTS.keeper, ...site.keeper };
  site.backups ??= { ...KEEPER_DEFAULTS.backups };
  const metaFile = files.find((f) => f.path === SITE_META_FILE)?.content;
  return {
    from,
    files,
    manifest: { os: parsed.os, sealed: parsed.sealed, files: parsed.files },
    renderHash: sha256(manifestJson),
    meta: metaFile ? (json(from, SITE_META_FILE, metaFile) as SiteMeta) : undefined,
    release,
    site,
  };
}

// The site area's tar (zeros after it) and the release it came with.
export function siteFromArea(area: Buffer, from: string, release?: ReleaseInfo): NewSite {
  let files: AreaFile[];
  try {
    files = readTar(area);
  } catch (err) {
    throw new ApplyInputError(
      `${from}: the site area is damaged (${(err as Error).message}); build the site ISO again`,
    );
  }
  if (files.length === 0)
    throw new ApplyInputError(
      `${from}: a fyr release without a site; put the edited site in with fyr build (or fyr customize) first`,
    );
  return siteFromFiles(files, from, release);
}

function releaseOf(from: string, text: string): ReleaseInfo {
  try {
    return parseReleaseJson(text);
  } catch (err) {
    throw new ApplyInputError(`${from}: /release.json ${(err as Error).message}`);
  }
}

// From an ISO image: a file, or the stick's block device (both read through ReadAt).
export function readSiteIso(path: string, from = `site ISO ${path}`): NewSite {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ApplyInputError(
      `${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  try {
    const read: ReadAt = fileReader(fd);
    let volume;
    try {
      volume = readPrimaryVolume(read);
    } catch {
      throw new ApplyInputError(`${path}: not an ISO 9660 image; give the site ISO that fyr build wrote`);
    }
    const whole = (p: string) => {
      const entry = findInIso(read, p, volume);
      return entry && !entry.directory ? Buffer.concat(entry.extents.map((x) => read(x.offset, x.length))) : undefined;
    };
    const area = whole(SITE_AREA_PATH);
    const releaseJson = whole(RELEASE_JSON_PATH);
    if (!area || !releaseJson)
      throw new ApplyInputError(
        `${path}: an ISO, but not one of fyr's (no ${area ? RELEASE_JSON_PATH : SITE_AREA_PATH})`,
      );
    return siteFromArea(area, from, releaseOf(path, releaseJson.toString('utf8')));
  } finally {
    closeSync(fd);
  }
}

// From the media's files in a directory (a mounted stick, or --media in labs and tests).
export async function readMediaDir(dir: string): Promise<NewSite> {
  const read = (p: string) =>
    readFile(join(dir, p)).catch((err: NodeJS.ErrnoException) => {
      throw new ApplyInputError(`${join(dir, p)}: cannot read (${err.code ?? err.message}): not fyr install media`);
    });
  const [area, releaseJson] = await Promise.all([read(SITE_AREA_PATH), read(RELEASE_JSON_PATH)]);
  return siteFromArea(area, `media ${dir}`, releaseOf(dir, releaseJson.toString('utf8')));
}

async function walk(dir: string, root: string, out: AreaFile[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, root, out);
    else if (entry.isFile())
      out.push({
        path: relative(root, path).split(sep).join('/'),
        mode: (await stat(path)).mode & 0o7777,
        content: await readFile(path),
      });
  }
}

// From an unpacked site area (tar -xf site.tar -C DIR): bundle/, manifest.json, fyr-site.json.
export async function readBundleDir(dir: string): Promise<NewSite> {
  const s = await stat(dir).catch(() => undefined);
  if (!s) throw new ApplyInputError(`${dir}: no such directory`);
  if (!s.isDirectory())
    throw new ApplyInputError(
      `${dir}: a file, not a directory; --bundle wants the unpacked site area (for an ISO, --site-iso)`,
    );
  const files: AreaFile[] = [];
  await walk(dir, dir, files);
  return siteFromFiles(files, `bundle ${dir}`);
}
