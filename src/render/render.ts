// site → every rendered file, in memory and in a fixed order: ks.cfg, blueprint.toml, the
// bundle, and manifest.json listing each of them with its sha256.
import { createHash } from 'node:crypto';
import { MANIFEST, renderManifestJson, type ManifestEntry } from '../formats/render-manifest.js';
import type { Site } from '../site/index.js';
import { renderBlueprint } from './blueprint.js';
import { renderBundle, type RenderedFile } from './bundle.js';
import { renderKickstart } from './kickstart.js';
import { agentSecrets } from './secrets.js';
import { buildView, isSealed, type RenderOptions } from './view.js';
import type { AgentSecrets } from '../formats/agent-secrets.js';

export type { ManifestEntry } from '../formats/render-manifest.js';

export interface RenderResult {
  files: RenderedFile[];
  // Sealed renders: what the agent needs after unlock, to be sealed to the unlock code (never a file).
  secrets?: AgentSecrets;
  blueprint: { name: string; sha256: string };
  manifest: ManifestEntry[];
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = { os: 'rhel9', source: 'liveimg' };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function renderSite(site: Site, options: RenderOptions = DEFAULT_RENDER_OPTIONS): RenderResult {
  const view = buildView(site, options);
  const blueprint = renderBlueprint(options.os);
  const files: RenderedFile[] = [
    // Unsealed, the kickstart holds password hashes: readable by its owner only.
    { path: 'ks.cfg', mode: 0o600, content: renderKickstart(view) },
    { path: 'blueprint.toml', mode: 0o644, content: blueprint.content },
    ...renderBundle(view).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  ];
  const manifest = files.map((f) => ({
    path: f.path,
    mode: f.mode.toString(8).padStart(4, '0'),
    size: Buffer.byteLength(f.content),
    sha256: sha256(f.content),
  }));
  const manifestJson = renderManifestJson({
    os: options.os,
    source: options.source,
    sealed: isSealed(options),
    blueprint: { name: blueprint.name, sha256: blueprint.sha256 },
    files: manifest,
  });
  files.push({ path: MANIFEST, mode: 0o644, content: manifestJson });
  return {
    files,
    ...(isSealed(options) ? { secrets: agentSecrets(view) } : {}),
    blueprint: { name: blueprint.name, sha256: blueprint.sha256 },
    manifest,
  };
}
