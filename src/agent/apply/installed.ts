// The site the bastion runs, as apply compares against it: etc/fyr/site.json, the render
// manifest (its files, OS and whether it is sealed; its sha256 is the render hash) and the
// release record, as the install or the last apply left them.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseRenderManifest, type ManifestEntry } from '../../formats/render-manifest.js';
import type { Paths } from '../paths.js';
import { AgentInputError, readRelease, readRenderFacts, readSite } from '../site.js';
import type { Installed } from './check.js';

export interface InstalledSite extends Installed {
  manifest: ManifestEntry[];
  renderHash: string;
}

export async function readInstalled(paths: Paths): Promise<InstalledSite> {
  const [site, facts, release, manifestJson] = await Promise.all([
    readSite(paths.siteJson),
    readRenderFacts(paths.manifestJson),
    readRelease(paths.releaseJson),
    readFile(paths.manifestJson).catch((err: Error) => {
      throw new AgentInputError(`${paths.manifestJson}: cannot read the render manifest (${err.message})`);
    }),
  ]);
  return {
    site,
    os: facts.os,
    sealed: facts.sealed,
    release,
    manifest: parseRenderManifest(manifestJson.toString('utf8')).files,
    renderHash: createHash('sha256').update(manifestJson).digest('hex'),
  };
}
