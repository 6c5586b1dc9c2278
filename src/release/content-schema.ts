// fyr-content.json: what a release's content directory holds. The JSON Schema is the source of
// truth; docs/release-iso.md, "The content directory", describes the same fields.
import { operatorCatalogSchema } from '../formats/operator-catalog.js';
import { registryDeltaSchema, upgradePathSchema } from '../formats/upgrade-path.js';

export const CONTENT_ROLES = [
  'rhcos-kernel',
  'rhcos-initramfs',
  'rhcos-rootfs',
  'rhcos-metal',
  'openshift-install',
  'oc',
  'release-mirror',
  'registry-image',
  // fyr-content/2, written by fyr content: the release signature as a ConfigMap for the install
  // manifests, oc-mirror's IDMS and ITMS, and the RHCOS stream the artifacts came from.
  'release-signature',
  'image-digest-sources',
  'image-tag-sources',
  'rhcos-stream',
  // oc-mirror's CatalogSource and ClusterCatalog for the operator catalog (cs-*.yaml, cc-*.yaml),
  // the registry host replaced by the placeholder as in the IDMS.
  'catalog-source',
  'cluster-catalog',
  // An upgrade (fyr content --from): each hop's signature ConfigMap (one file per hop), and for
  // a delta (--delta-from) the base release's registry tree listing ("path\tsize\tsha256").
  'upgrade-signature',
  'registry-base',
  'agent',
  'other',
] as const;
export type ContentRole = (typeof CONTENT_ROLES)[number];

export const CONTENT_FORMATS = ['fyr-content/1', 'fyr-content/2'] as const;
export type ContentFormat = (typeof CONTENT_FORMATS)[number];

// Without these a site cannot install offline. The agent is optional: without one the release
// carries the agent fyr was built with. fyr-content/2 carries the registry tree instead of a
// mirror archive, and no metal image (no PXE menu names one).
export const REQUIRED_ROLES_V2: readonly ContentRole[] = [
  'rhcos-kernel',
  'rhcos-initramfs',
  'rhcos-rootfs',
  'openshift-install',
  'oc',
  'registry-image',
];
export const REQUIRED_ROLES: readonly ContentRole[] = [
  'rhcos-kernel',
  'rhcos-initramfs',
  'rhcos-rootfs',
  'rhcos-metal',
  'openshift-install',
  'oc',
  'release-mirror',
  'registry-image',
];

export const contentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://fyr.dev/schema/content.schema.json',
  title: 'fyr release content manifest',
  type: 'object',
  additionalProperties: false,
  required: ['format', 'release', 'files'],
  properties: {
    format: { enum: [...CONTENT_FORMATS], 'x-expected': '"fyr-content/1" or "fyr-content/2"' },
    release: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'openshift'],
      properties: {
        name: {
          type: 'string',
          pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
          'x-expected': 'a name of letters, digits, ".", "_" and "-", at most 64 characters',
        },
        openshift: {
          type: 'string',
          pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+([.+-][A-Za-z0-9.+-]+)?$',
          'x-expected': 'an OpenShift version such as 4.16.3',
        },
        rhcos: {
          type: 'string',
          pattern: '^[A-Za-z0-9._-]{1,64}$',
          'x-expected': 'an RHCOS build id such as 416.94.202406251923-0',
        },
        // fyr-content/2: the release image pinned by digest, its architecture, and whether its
        // signature was checked ("skipped" only with --insecure-skip-signature).
        image: {
          type: 'string',
          pattern: '^[a-z0-9.:/_-]+@sha256:[0-9a-f]{64}$',
          'x-expected':
            'a pull spec pinned by digest, such as quay.io/openshift-release-dev/ocp-release@sha256:<64 hex>',
        },
        arch: { enum: ['x86_64', 'aarch64', 'ppc64le', 's390x'] },
        signature: { enum: ['verified', 'skipped'] },
      },
    },
    // fyr-content/2: the versions of the tools that made the content.
    tools: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 200 },
    },
    // fyr-content/2: the registry's storage tree, one entry for thousands of files.
    registry: {
      type: 'object',
      additionalProperties: false,
      required: ['path', 'files', 'bytes', 'sha256', 'releaseTag', 'imageDigestSources'],
      properties: {
        path: {
          type: 'string',
          pattern: '^(?!\\.{1,2}$)[A-Za-z0-9._+-]+$',
          'x-expected': 'a directory name inside the content directory, such as "registry" (not "." or "..")',
        },
        files: { type: 'integer', minimum: 1 },
        bytes: { type: 'integer', minimum: 0 },
        sha256: {
          type: 'string',
          pattern: '^[0-9a-f]{64}$',
          'x-expected': 'the tree hash: sha256 of the sorted "path\\0size\\0sha256\\n" lines, 64 lowercase hex',
        },
        // The release image's repository and tag inside the tree, e.g. openshift/release-images:4.18.9-x86_64.
        releaseTag: { type: 'string', pattern: '^[a-z0-9._/-]+:[A-Za-z0-9._-]+$' },
        // oc-mirror's IDMS as install-config imageDigestSources, mirrors relative to the registry.
        imageDigestSources: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['source', 'mirrors'],
            properties: {
              source: { type: 'string', pattern: '^[a-z0-9.:/_-]+$' },
              mirrors: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[a-z0-9._/-]+$' } },
            },
          },
        },
        // fyr content --delta-from: the tree holds only what the base lacks.
        delta: registryDeltaSchema,
      },
    },
    // fyr content --from: the upgrade path, hop by hop.
    upgrade: upgradePathSchema,
    // fyr-content/2 made with --operator/--operators: the operator catalog in the registry tree.
    operators: operatorCatalogSchema,
    files: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'role', 'size', 'sha256'],
        properties: {
          path: {
            type: 'string',
            maxLength: 200,
            pattern: '^(?!.*(^|/)\\.{1,2}(/|$))[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$',
            'x-expected': 'a relative path inside the content directory, of letters, digits and ._+- (no "..")',
          },
          role: { enum: [...CONTENT_ROLES] },
          size: { type: 'integer', minimum: 0 },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', 'x-expected': '64 lowercase hex digits' },
        },
      },
    },
  },
} as const;
