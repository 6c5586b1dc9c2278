// blueprint.toml for osbuild-composer's image-installer: packages and services only, nothing
// from the site, so one composer build serves every site of a release.
import { createHash } from 'node:crypto';
import { packageVersion } from '../util/package-info.js';
import { renderTemplate } from './engine.js';
import { STATE_DIR } from '../formats/bastion-layout.js';
import { bastionPackages, IMAGE_SERVICES, MODULE_STREAMS } from './packages.js';
import type { OsRelease } from './view.js';

export interface RenderedBlueprint {
  name: string;
  content: string;
  sha256: string;
}

export function renderBlueprint(os: OsRelease): RenderedBlueprint {
  const name = `fyr-bastion-${os}`;
  const content = renderTemplate('blueprints', 'bastion.toml.ejs', {
    name,
    os,
    version: packageVersion(),
    packages: bastionPackages(os),
    modules: MODULE_STREAMS[os],
    services: IMAGE_SERVICES,
    stateDir: STATE_DIR,
  });
  return { name, content, sha256: createHash('sha256').update(content).digest('hex') };
}
