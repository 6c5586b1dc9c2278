// manifest.json (format fyr-render/1): every rendered file with its mode, size and sha256.
// fyr render writes it; fyr inspect --verify checks the site area against it, and the agent the
// bundle laid onto the bastion. Its sha256 is the site's render hash (site-bundle.ts).
export const MANIFEST = 'manifest.json';

export interface ManifestEntry {
  path: string;
  mode: string;
  size: number;
  sha256: string;
}

export interface RenderManifest {
  format: 'fyr-render/1';
  os: string;
  source: string;
  // Whether the site's secrets are sealed (etc/fyr/secrets.age) or in clear (--no-seal).
  sealed: boolean;
  blueprint: { name: string; sha256: string };
  files: ManifestEntry[];
}

export const renderManifestJson = ({ os, source, sealed, blueprint, files }: Omit<RenderManifest, 'format'>): string =>
  `${JSON.stringify({ format: 'fyr-render/1', os, source, sealed, blueprint, files }, null, 2)}\n`;

// Throws a SyntaxError for text that is not JSON; a manifest without files lists none, and os is
// only what the manifest says (the reader checks it names an OS it knows).
export function parseRenderManifest(text: string): Pick<RenderManifest, 'files'> & { os?: unknown; sealed: boolean } {
  const manifest = JSON.parse(text) as Partial<RenderManifest> | null;
  return {
    files: Array.isArray(manifest?.files) ? manifest.files : [],
    os: manifest?.os,
    sealed: manifest?.sealed === true,
  };
}
