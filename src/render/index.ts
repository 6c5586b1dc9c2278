// The render capability: a validated site → kickstart, blueprint and the bastion's bundle.
export { renderSite, DEFAULT_RENDER_OPTIONS, type RenderResult, type ManifestEntry } from './render.js';
export type { RenderedFile } from './bundle.js';
export type { InstallSource, OsRelease, RenderOptions } from './view.js';
export { Quoted, UnsafeValueError, q } from './quote.js';
export { clusterZones } from './dns.js';
