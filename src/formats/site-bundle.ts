// What a site puts into a release's areas: the kickstart in /ks.cfg, and in /fyr/site.tar the
// rendered bundle, manifest.json, blueprint.toml and fyr-site.json (who built it, from what,
// when, and a summary for `fyr inspect`). The render hash is the sha256 of manifest.json, which
// lists every rendered file's sha256: the same site gives the same hash.
import { createHash } from 'node:crypto';
import { packTar, unpackTar, type TarFile } from '../util/tar.js';
import { MANIFEST } from './render-manifest.js';

export const SITE_META = 'fyr-site.json';
export interface SiteMeta {
  format: 'fyr-site/1';
  fyr: string;
  release: string;
  // SOURCE_DATE_EPOCH, or the time of the build.
  built: string;
  renderHash: string;
  os: string;
  source: string;
  // The secrets are in etc/fyr/secrets.age, sealed to an unlock code (false: --no-seal).
  sealed: boolean;
  cluster: string;
  // cluster.openshiftVersion (a minor or an exact release); absent in bundles built before fyr recorded it.
  openshift?: string;
  nodes: Array<{ name: string; role: string; mac: string; ip: string }>;
}

export interface RenderedSite {
  kickstart: string;
  // Every other rendered file, manifest.json among them.
  files: TarFile[];
}

export const renderHashOf = (manifestJson: Buffer | string) => createHash('sha256').update(manifestJson).digest('hex');

export async function packSite(
  site: RenderedSite,
  meta: Omit<SiteMeta, 'format' | 'renderHash'>,
  mtimeSeconds: number,
): Promise<{ tar: Buffer; meta: SiteMeta }> {
  const manifest = site.files.find((f) => f.path === MANIFEST);
  if (!manifest) throw new Error('the rendered site has no manifest.json');
  const full: SiteMeta = { format: 'fyr-site/1', ...meta, renderHash: renderHashOf(manifest.content) };
  const files = [
    ...site.files,
    { path: SITE_META, mode: 0o644, content: Buffer.from(`${JSON.stringify(full, null, 2)}\n`) },
  ];
  return { tar: await packTar(files, mtimeSeconds), meta: full };
}

export interface UnpackedSite {
  meta: SiteMeta | undefined;
  files: TarFile[];
}

export async function unpackSite(area: Buffer): Promise<UnpackedSite | undefined> {
  const files = await unpackTar(area);
  if (files.length === 0) return undefined;
  const metaFile = files.find((f) => f.path === SITE_META);
  let meta: SiteMeta | undefined;
  try {
    meta = metaFile ? (JSON.parse(metaFile.content.toString('utf8')) as SiteMeta) : undefined;
  } catch {
    meta = undefined;
  }
  return { meta, files };
}
