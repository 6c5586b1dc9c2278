// An upgrade stick's release path and a delta stick's base: fyr content --from records the hops
// in fyr-content.json, fyr release copies them to release.json, fyr inspect shows them, and the
// agent (fyr-agent upgrade) reads them from release.json. Defined once here; both JSON schemas
// include these fragments. A release without `upgrade` is an install release; one without
// `registry.delta` carries its whole registry tree.

export interface UpgradeHop {
  // The OpenShift version of this hop, e.g. 4.18.12.
  version: string;
  // quay.io/openshift-release-dev/ocp-release@sha256:<64 hex>: canonical, by digest.
  image: string;
  // "skipped" only with fyr content --insecure-skip-signature.
  signature: 'verified' | 'skipped';
  // The hop's signature ConfigMap (openshift-config-managed, label
  // release.openshift.io/verification-signatures, binaryData sha256-<hex>-1), a payload path
  // relative to the content directory (mirror/signatures/<version>.yaml); absent when skipped.
  signatureFile?: string;
  // The release image's repository and tag inside the registry tree, e.g.
  // openshift/release-images:4.18.12-x86_64.
  releaseTag: string;
}

// The hops in order, each an update the cluster takes in one `oc adm upgrade`; the last is the
// release itself (release.openshift). `from` is the version the site runs, not a hop.
export interface UpgradePath {
  from: string;
  hops: UpgradeHop[];
}

// The release a delta stick builds on: its registry tree as the bastion serves it.
export interface DeltaBase {
  // The base release's name and OpenShift version (release.name, release.openshift).
  name: string;
  openshift: string;
  // Its registry tree's hash and file count (registry.sha256, registry.files).
  treeSha256: string;
  files: number;
}

// registry.delta: this tree holds only the files the base lacks; base ∪ this tree is what the
// bastion must hold after the merge (its tree hash and file count).
export interface RegistryDelta {
  base: DeltaBase;
  mergedSha256: string;
  mergedFiles: number;
}

export const RELEASE_IMAGE_PATTERN = '^quay\\.io/openshift-release-dev/ocp-release@sha256:[0-9a-f]{64}$';
const version = {
  type: 'string',
  pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+([.+-][A-Za-z0-9.+-]+)?$',
  'x-expected': 'an OpenShift version such as 4.18.12',
} as const;
const sha256 = {
  type: 'string',
  pattern: '^[0-9a-f]{64}$',
  'x-expected': 'the tree hash: 64 lowercase hex',
} as const;

// fyr-content.json's (strict) fragments.
export const upgradePathSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'hops'],
  properties: {
    from: version,
    hops: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'image', 'signature', 'releaseTag'],
        properties: {
          version,
          image: {
            type: 'string',
            pattern: RELEASE_IMAGE_PATTERN,
            'x-expected': 'quay.io/openshift-release-dev/ocp-release@sha256:<64 hex>',
          },
          signature: { enum: ['verified', 'skipped'] },
          signatureFile: {
            type: 'string',
            maxLength: 200,
            pattern: '^(?!.*(^|/)\\.{1,2}(/|$))[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$',
            'x-expected': 'a relative path inside the content directory, such as mirror/signatures/4.18.12.yaml',
          },
          releaseTag: {
            type: 'string',
            pattern: '^[a-z0-9._/-]+:[A-Za-z0-9._-]+$',
            'x-expected': 'a repository and tag in the registry, such as openshift/release-images:4.18.12-x86_64',
          },
        },
      },
    },
  },
} as const;

export const registryDeltaSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['base', 'mergedSha256', 'mergedFiles'],
  properties: {
    base: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'openshift', 'treeSha256', 'files'],
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
        openshift: version,
        treeSha256: sha256,
        files: { type: 'integer', minimum: 1 },
      },
    },
    mergedSha256: sha256,
    mergedFiles: { type: 'integer', minimum: 1 },
  },
} as const;

// release.json's (loose) fragments: the fields readers use, with their types; more may come.
const text = { type: 'string', maxLength: 4096 } as const;
const int = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const hex = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
export const upgradePathReleaseSchema = {
  type: 'object',
  required: ['from', 'hops'],
  properties: {
    from: text,
    hops: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        required: ['version', 'image', 'signature', 'releaseTag'],
        properties: {
          version: text,
          image: { type: 'string', pattern: RELEASE_IMAGE_PATTERN },
          signature: { enum: ['verified', 'skipped'] },
          signatureFile: text,
          releaseTag: text,
        },
      },
    },
  },
} as const;
export const registryDeltaReleaseSchema = {
  type: 'object',
  required: ['base', 'mergedSha256', 'mergedFiles'],
  properties: {
    base: {
      type: 'object',
      required: ['name', 'openshift', 'treeSha256', 'files'],
      properties: { name: text, openshift: text, treeSha256: hex, files: int },
    },
    mergedSha256: hex,
    mergedFiles: int,
  },
} as const;

// Versions: major.minor.patch, compared numerically (a pre-release sorts before its release).
export function parseVersion(v: string): { major: number; minor: number; patch: number; pre: string } | undefined {
  const m = /^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-(.+))?$/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? '' } : undefined;
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  for (const k of ['major', 'minor', 'patch'] as const) if (x[k] !== y[k]) return x[k] - y[k];
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

// "4.18" of "4.18.12".
export const minorOf = (v: string) => v.split('.').slice(0, 2).join('.');

// The first minor a step from `a` to `b` leaves out (4.17.x → 4.19.y leaves out 4.18), or
// undefined when b is in a's minor or the next. A major step (4.x → 5.0) is not judged here.
export function skippedMinor(a: string, b: string): string | undefined {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y || x.major !== y.major) return undefined;
  return y.minor > x.minor + 1 ? `${x.major}.${x.minor + 1}` : undefined;
}

// "4.18.9 → 4.18.12 → 4.19.3 (2 hops)": how fyr content and fyr inspect show a path.
export const describePath = (p: UpgradePath) =>
  `${[p.from, ...p.hops.map((h) => h.version)].join(' → ')} (${p.hops.length} hop${p.hops.length === 1 ? '' : 's'})`;
