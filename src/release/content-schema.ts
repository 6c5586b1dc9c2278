// fyr-content.json: what a release's content directory holds. The JSON Schema is the source of
// truth; docs/release-iso.md, "The content directory", describes the same fields.

export const CONTENT_ROLES = [
  'rhcos-kernel',
  'rhcos-initramfs',
  'rhcos-rootfs',
  'rhcos-metal',
  'openshift-install',
  'oc',
  'release-mirror',
  'registry-image',
  'agent',
  'other',
] as const;
export type ContentRole = (typeof CONTENT_ROLES)[number];

// Without these a site cannot install offline. The agent is optional: without one the release
// carries the agent fyr was built with.
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
    format: { const: 'fyr-content/1', 'x-expected': '"fyr-content/1"' },
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
      },
    },
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
