// The registry's image for the bastion, saved as an oci-archive podman load takes. What an
// oci-archive holds as it is: an OCI index or manifest, or a single Docker schema 2 manifest;
// those keep their digests. A Docker manifest list (docker.io/library/registry:2 is one) must
// be rewritten as an OCI index, which `skopeo copy --all --preserve-digests` refuses
// ("Manifest list must be converted … Instructed to preserve digests"), so it is copied
// converted: the list and its manifests get new digests, the layers keep their bytes.
import { FyrError } from '../errors.js';
import { runTool } from '../util/tools.js';
import { skopeo } from './tools.js';

const KEPT = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

// The top manifest's media type; an OCI manifest or index may leave it out (image-spec).
export function manifestType(raw: string): string {
  let m: { mediaType?: unknown; schemaVersion?: unknown; manifests?: unknown; config?: unknown };
  try {
    m = JSON.parse(raw) as typeof m;
  } catch {
    return 'not JSON';
  }
  if (typeof m.mediaType === 'string') return m.mediaType;
  if (m.schemaVersion === 2 && Array.isArray(m.manifests)) return 'application/vnd.oci.image.index.v1+json';
  if (m.schemaVersion === 2 && m.config) return 'application/vnd.oci.image.manifest.v1+json';
  return `schema version ${String(m.schemaVersion)} without a mediaType`;
}

// Whether skopeo may keep the digests (true), must convert (false), or cannot save it (throws).
export function preserveDigestsFor(source: string, type: string): boolean {
  if (KEPT.has(type)) return true;
  if (type === DOCKER_LIST) return false;
  throw new FyrError('REGISTRY_IMAGE_UNSUPPORTED', `${source} is not an image fyr can save for the bastion (${type})`, {
    details: [
      'Expected an OCI image index or manifest, a Docker schema 2 manifest or a Docker manifest list.',
      'Give another image of the CNCF distribution registry (2.x) with --registry-image.',
    ],
  });
}

export interface SaveOptions {
  source: string;
  archive: string;
  name: string;
  authfile: string;
  signal?: AbortSignal | undefined;
}

// Returns the source's media type (shown to the user).
export async function saveRegistryImage(o: SaveOptions): Promise<string> {
  const raw = await runTool('skopeo', skopeo.inspectRaw(o.source, o.authfile), {
    signal: o.signal,
    timeoutMs: 10 * 60_000,
  });
  const type = manifestType(raw.stdout);
  const preserveDigests = preserveDigestsFor(o.source, type);
  await runTool('skopeo', skopeo.save({ ...o, preserveDigests }), { signal: o.signal, timeoutMs: 30 * 60_000 });
  return type;
}
