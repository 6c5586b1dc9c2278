// The site as it goes into a release's embed areas: validated, rendered, its secrets sealed to
// the unlock code (unless --no-seal), and packed with its build record. Shared by fyr build,
// customize and flash --site; or a pack made earlier (packForIso).
import type { SiteContent } from '../site-iso/splice.js';
import type { TarFile } from '../util/tar.js';
import { packSite, type SiteMeta } from '../formats/site-bundle.js';
import { DEFAULT_RENDER_OPTIONS, renderSite } from '../render/index.js';
import { FyrError } from '../errors.js';
import { versionMatches } from '../site/index.js';
import { packageVersion } from '../util/package-info.js';
import type { ParsedArgs } from './command.js';
import type { Io } from './io.js';
import { choice, OS, sourceDateEpoch, SOURCES } from './options.js';
import { sealedSecretsFile, unlockCode, type UnlockCode } from './seal-site.js';
import { loadValidSite, printWarnings } from './site-input.js';
import type { Patch } from '../iso9660/media-check.js';
import { checkPackRelease, packMeta, packPatches, readPack } from '../pack/pack.js';
import { openReleaseImage } from '../site-iso/release-image.js';

export interface SiteForIso {
  content: SiteContent;
  meta: SiteMeta;
  code: UnlockCode | undefined;
}

// isoSealed: the ISO that receives the site carries sealed secrets already (fyr customize).
// codeFile: where this site's unlock code is, by its cluster name (several sites at once),
// instead of --unlock-code-file.
export async function siteForIso(
  file: string,
  args: ParsedArgs,
  io: Io,
  release: { name: string; openshift: string },
  isoSealed = false,
  codeFile?: (cluster: string) => string,
): Promise<SiteForIso> {
  const secretsFile = args.options.secrets;
  const { site, warnings } = await loadValidSite(file, {
    ...(typeof secretsFile === 'string' ? { secretsFile } : {}),
    strictPermissions: args.options.strict === true,
  });
  // The install-config and the agent assume the release is the one the site was written for.
  if (!versionMatches(site.cluster.openshiftVersion, release.openshift))
    throw new FyrError(
      'VERSION_MISMATCH',
      `${file} is for OpenShift ${site.cluster.openshiftVersion}, the release ISO carries ${release.openshift} (${release.name})`,
      {
        details: [
          `Use a release ISO of OpenShift ${site.cluster.openshiftVersion}, or change cluster.openshiftVersion (a minor such as ${release.openshift.split('.').slice(0, 2).join('.')} accepts any release of it).`,
        ],
      },
    );
  // Before any work, so a missing code costs nothing.
  const codeArgs =
    codeFile && args.options['no-seal'] !== true
      ? { ...args, options: { ...args.options, 'unlock-code-file': codeFile(site.cluster.name) } }
      : args;
  const code = await unlockCode(codeArgs, io, isoSealed);
  const options = {
    os: choice('os', args.options.os, OS, DEFAULT_RENDER_OPTIONS.os),
    source: choice('source', args.options.source, SOURCES, DEFAULT_RENDER_OPTIONS.source),
    sealed: code !== undefined,
  };
  if (!args.json) printWarnings(warnings, io);
  const rendered = renderSite(site, options);
  const kickstart = rendered.files.find((f) => f.path === 'ks.cfg')!.content;
  const files: TarFile[] = rendered.files
    .filter((f) => f.path !== 'ks.cfg')
    .map((f) => ({ path: f.path, mode: f.mode, content: Buffer.from(f.content) }));
  if (code !== undefined) files.push(await sealedSecretsFile(rendered, code));
  // SOURCE_DATE_EPOCH makes the build time, and so the whole ISO, reproducible.
  const built = sourceDateEpoch(io) ?? Math.floor(Date.now() / 1000);
  const { tar, meta } = await packSite(
    { kickstart, files },
    {
      fyr: packageVersion(),
      release: release.name,
      built: new Date(built * 1000).toISOString(),
      os: options.os,
      source: options.source,
      sealed: options.sealed,
      cluster: site.cluster.fqdn,
      openshift: site.cluster.openshiftVersion,
      nodes: site.nodes.map((n) => ({ name: n.name, role: n.role, mac: n.mac, ip: n.ip })),
    },
    built,
  );
  return { content: { kickstart, tar }, meta, code };
}

// Options that make a site and so mean nothing for a pack, which is made already.
const SITE_ONLY = ['secrets', 'strict', 'unlock-code-file', 'no-seal', 'new-unlock-code', 'os', 'source'];

// --site names a pack (fyr build --pack): read, checked against the ISO's release, and its
// areas as they will be written. With `releaseOnly` (customize --rehash, which finishes the MD5
// itself) only the release is checked.
export async function packForIso(
  file: string,
  args: ParsedArgs,
  iso: string,
  releaseOnly = false,
): Promise<SiteForIso & { patches: Patch[] }> {
  const given = SITE_ONLY.filter((name) => args.options[name] !== undefined);
  if (given.length > 0)
    throw new FyrError(
      'USAGE',
      `${file} is a site pack, rendered and sealed when it was made: ${given.map((n) => `--${n}`).join(', ')} do${given.length === 1 ? 'es' : ''} not apply`,
    );
  const pack = await readPack(file);
  const image = openReleaseImage(iso);
  try {
    if (releaseOnly) {
      checkPackRelease(image, pack, file);
      return {
        content: { kickstart: pack.kickstart, tar: pack.tar },
        meta: packMeta(pack),
        code: undefined,
        patches: [],
      };
    }
    const { patches, content } = packPatches(image, pack, file);
    return { content, meta: packMeta(pack), code: undefined, patches };
  } finally {
    image.close();
  }
}
