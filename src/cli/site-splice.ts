// The site as it goes into a release's embed areas: validated, rendered, its secrets sealed to
// the unlock code (unless --no-seal), and packed with its build record. Shared by fyr build,
// customize and flash --site; or a pack made earlier (packForIso).
import type { SiteContent } from '../site-iso/splice.js';
import type { TarFile } from '../util/tar.js';
import { packSite, type SiteMeta } from '../formats/site-bundle.js';
import { DEFAULT_RENDER_OPTIONS, renderSite } from '../render/index.js';
import { FyrError } from '../errors.js';
import {
  missingPackages,
  operatorOption,
  type OperatorCatalog,
  type OperatorRequest,
} from '../formats/operator-catalog.js';
import type { ReleaseInfo } from '../formats/release-json.js';
import type { Site } from '../site/model.js';
import { STORAGE_PACKAGES } from '../site/storage.js';
import { makeStyle } from './style.js';
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

// What a site is checked against: the release's name and version, and the operators it carries.
export interface ReleaseFacts {
  name: string;
  openshift: string;
  operators?: OperatorCatalog | undefined;
}

// The facts of a release.json.
export const releaseFacts = (info: ReleaseInfo): ReleaseFacts => ({ ...info.release, operators: info.operators });

// The operator packages a site needs: its storage type's, then its operators (with channel).
export function sitePackages(site: Pick<Site, 'storage' | 'operators'>): OperatorRequest[] {
  return [
    ...STORAGE_PACKAGES[site.storage.type].map((name) => ({ name })),
    ...site.operators.map((o) => (o.channel ? { name: o.name, channel: o.channel } : { name: o.name })),
  ];
}

// The agent installs storage and operators from the release's catalog only: a site that needs a
// package the release does not carry is refused (OPERATOR_NOT_CARRIED), one line each with the
// fyr content option that adds it. A storage type the site did not name (the default) whose
// packages are not carried is a warning: the site is built without storage, as before fyr
// carried operators.
export function checkOperators(
  site: Pick<Site, 'storage' | 'operators'>,
  release: ReleaseFacts,
  file: string,
  io: Pick<Io, 'stderr' | 'color'>,
): void {
  const storage = STORAGE_PACKAGES[site.storage.type].map((name) => ({ name }));
  const operators = sitePackages({ storage: { ...site.storage, type: 'none' }, operators: site.operators });
  const where = `the release ${release.name} carries ${release.operators ? `only ${release.operators.packages.map((p) => `${p.name} (${p.channel})`).join(', ')}` : 'no operators'}`;
  const line = (m: { name: string; channel?: string; carried?: string }, why: string) =>
    `${why}: ${m.name}${m.channel ? ` on channel ${m.channel}` : ''} is not carried${m.carried ? ` (the release has it on ${m.carried})` : ''}; add it with fyr content ${operatorOption(m)}`;
  const problems = [
    ...(site.storage.defaulted
      ? []
      : missingPackages(release.operators, storage).map((m) => line(m, `storage.type ${site.storage.type}`))),
    ...missingPackages(release.operators, operators).map((m) => line(m, 'operators')),
  ];
  if (site.storage.defaulted) {
    const missing = missingPackages(release.operators, storage);
    if (missing.length > 0) {
      const s = makeStyle(io.color.stderr);
      io.stderr(
        `${s.yellow('warning')}: storage: ${site.storage.type} by default, but the release ${release.name} carries no ${missing.map((m) => m.name).join(', ')}: the site gets no storage; fyr content ${missing.map((m) => operatorOption(m)).join(' ')} adds it, or set storage.type: none\n`,
      );
    }
  }
  if (problems.length === 0) return;
  throw new FyrError(
    'OPERATOR_NOT_CARRIED',
    problems.length === 1
      ? `${file}: ${problems[0]}`
      : `${file} needs ${problems.length} operator packages the release does not carry`,
    { details: [...(problems.length === 1 ? [] : problems), `${where[0]!.toUpperCase()}${where.slice(1)}.`] },
  );
}

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
  release: ReleaseFacts,
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
  checkOperators(site, release, file, io);
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
