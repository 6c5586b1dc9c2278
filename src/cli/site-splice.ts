// The site as it goes into a release's embed areas: validated, rendered, and packed with its
// build record. Shared by fyr build, customize and flash --site.
import type { SiteContent } from '../site-iso/splice.js';
import { packSite, type SiteMeta } from '../formats/site-bundle.js';
import { DEFAULT_RENDER_OPTIONS, renderSite } from '../render/index.js';
import { packageVersion } from '../util/package-info.js';
import type { ParsedArgs } from './command.js';
import type { Io } from './io.js';
import { choice, OS, sourceDateEpoch, SOURCES } from './options.js';
import { loadValidSite, printWarnings } from './site-input.js';

export async function siteForIso(
  file: string,
  args: ParsedArgs,
  io: Io,
  releaseName: string,
): Promise<{ content: SiteContent; meta: SiteMeta }> {
  const options = {
    os: choice('os', args.options.os, OS, DEFAULT_RENDER_OPTIONS.os),
    source: choice('source', args.options.source, SOURCES, DEFAULT_RENDER_OPTIONS.source),
  };
  const secretsFile = args.options.secrets;
  const { site, warnings } = await loadValidSite(file, typeof secretsFile === 'string' ? { secretsFile } : {});
  if (!args.json) printWarnings(warnings, io);
  const rendered = renderSite(site, options);
  const kickstart = rendered.files.find((f) => f.path === 'ks.cfg')!.content;
  const files = rendered.files
    .filter((f) => f.path !== 'ks.cfg')
    .map((f) => ({ path: f.path, mode: f.mode, content: Buffer.from(f.content) }));
  // SOURCE_DATE_EPOCH makes the build time, and so the whole ISO, reproducible.
  const built = sourceDateEpoch(io) ?? Math.floor(Date.now() / 1000);
  const { tar, meta } = await packSite(
    { kickstart, files },
    {
      fyr: packageVersion(),
      release: releaseName,
      built: new Date(built * 1000).toISOString(),
      os: options.os,
      source: options.source,
      cluster: site.cluster.fqdn,
      nodes: site.nodes.map((n) => ({ name: n.name, role: n.role, mac: n.mac, ip: n.ip })),
    },
    built,
  );
  return { content: { kickstart, tar }, meta };
}
