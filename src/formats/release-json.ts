// release.json (format fyr-release/1): what a release carries and where its embed areas are.
// fyr release writes it, fyr build/customize/inspect/flash read it from the image, and the
// agent reads the copy the kickstart puts on the bastion. It is written at a fixed size (padded
// with spaces) so it can be rewritten in place when the areas' offsets and MD5 state are known.
import type { IsoMd5Checkpoint } from '../iso9660/isomd5.js';
import type { OperatorCatalog } from './operator-catalog.js';
import type { RegistryDelta, UpgradePath } from './upgrade-path.js';
import { roundToSector, type Area } from './embed-areas.js';
import type { SchemaValidator } from '../util/json-schema.js';
import releaseJsonValidator from './release-json.validator.js';

export const RELEASE_FORMAT = 'fyr-release/1';

export interface PayloadEntry {
  path: string;
  role: string;
  size: number;
  sha256: string;
}

// The registry storage tree a release carries (from fyr-content/2), served read-only from the
// stick at the site. sha256 is the tree hash (registry/tree.ts); mirrors are relative to the
// bastion's registry.
export interface RegistryTreeEntry {
  path: string;
  files: number;
  bytes: number;
  sha256: string;
  releaseTag: string;
  imageDigestSources: Array<{ source: string; mirrors: string[] }>;
  // A delta release: this tree holds only what the base release lacks; base ∪ tree is what the
  // bastion holds after the merge (mergedSha256, mergedFiles).
  delta?: RegistryDelta;
}

export interface ReleaseInfo {
  format: typeof RELEASE_FORMAT;
  fyr: string;
  // image: pinned by digest; signature: "skipped" when fyr content ran with --insecure-skip-signature.
  release: {
    name: string;
    openshift: string;
    rhcos?: string;
    image?: string;
    arch?: string;
    signature?: 'verified' | 'skipped';
  };
  registry?: RegistryTreeEntry;
  // The operator catalog in the registry tree (fyr content --operator); absent: none.
  operators?: OperatorCatalog;
  // An upgrade release (fyr content --from): the hops from the running version; absent: an
  // install release.
  upgrade?: UpgradePath;
  volumeId: string;
  base: { volumeId: string; layout: 'el9' | 'el10'; size: number };
  sourceDateEpoch: number;
  payload: PayloadEntry[];
  // version: fyr's version for the bundled agent, "content" for one the content directory gave.
  agent: { path: string; version: string; size: number; sha256: string };
  embed: { kickstart: Area; site: Area };
  // Where the site fast path resumes the media-check MD5: the state just before the first area.
  md5: IsoMd5Checkpoint | null;
  // The sha256 of the bytes before the first area that are not payload (release-outside.ts).
  outside?: OutsideSum;
}

// The sha256 of the release's bytes outside the payload (release-outside.ts).
export interface OutsideSum {
  sha256: string;
}

// Serialised with room to spare, so the final offsets and MD5 state fit the reserved size.
export function releaseJsonSize(info: ReleaseInfo): number {
  return roundToSector(Buffer.byteLength(JSON.stringify(info, null, 2)) + 4096);
}

export function releaseJsonBytes(info: ReleaseInfo, size: number): Buffer {
  const text = `${JSON.stringify(info, null, 2)}\n`;
  const body = Buffer.from(text);
  if (body.length > size) throw new Error(`release.json needs ${body.length} bytes, ${size} are reserved`);
  // Trailing spaces keep it valid JSON at a fixed size.
  const out = Buffer.alloc(size, 0x20);
  body.copy(out);
  out[size - 1] = 0x0a;
  return out;
}

// Why a release.json cannot be read; each reader puts it in its own error.
export class ReleaseJsonError extends Error {}
ReleaseJsonError.prototype.name = 'ReleaseJsonError';

// The checks every reader makes: JSON, this format, every field of the type the schema says.
// The ISO readers check the embed areas against the image on top of this.
export function parseReleaseJson(text: string): ReleaseInfo {
  let info: ReleaseInfo;
  try {
    info = JSON.parse(text) as ReleaseInfo;
  } catch {
    throw new ReleaseJsonError('is not valid JSON');
  }
  if (info?.format !== RELEASE_FORMAT)
    throw new ReleaseJsonError(
      `has format ${JSON.stringify(info?.format)?.slice(0, 40)}, expected "${RELEASE_FORMAT}"`,
    );
  const validate = releaseJsonValidator as unknown as SchemaValidator;
  if (!validate(info)) {
    // The first few problems name the field (a JSON pointer) and what it should be.
    const problems = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'oneOf')
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new ReleaseJsonError(`does not match fyr-release/1: ${problems.join('; ')}`);
  }
  return info;
}
