// The schema of release.json (fyr-release/1): what every reader checks before it trusts a field,
// so a release.json with a wrong type is a clear "not usable" and never a crash. Fields a later
// fyr adds are allowed (additionalProperties stays open), so older readers keep reading.
import { registryDeltaReleaseSchema, upgradePathReleaseSchema } from './upgrade-path.js';
const int = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const text = { type: 'string', maxLength: 4096 } as const;
const isoPath = { type: 'string', pattern: '^/[^\\u0000]{1,1000}$' } as const;
const area = {
  type: 'object',
  required: ['path', 'offset', 'length'],
  properties: { path: isoPath, offset: int, length: int },
} as const;

export const releaseJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:fyr:schema:release:v1',
  type: 'object',
  required: ['format', 'fyr', 'release', 'volumeId', 'base', 'sourceDateEpoch', 'payload', 'agent', 'embed', 'md5'],
  properties: {
    format: { const: 'fyr-release/1' },
    fyr: text,
    release: {
      type: 'object',
      required: ['name', 'openshift'],
      properties: {
        name: text,
        openshift: text,
        rhcos: text,
        image: text,
        arch: text,
        signature: { enum: ['verified', 'skipped'] },
      },
    },
    registry: {
      type: 'object',
      required: ['path', 'files', 'bytes', 'sha256', 'releaseTag', 'imageDigestSources'],
      properties: {
        path: { type: 'string', pattern: '^/[^\\u0000]{1,1000}$' },
        files: int,
        bytes: int,
        sha256,
        releaseTag: text,
        imageDigestSources: {
          type: 'array',
          items: {
            type: 'object',
            required: ['source', 'mirrors'],
            properties: { source: text, mirrors: { type: 'array', items: text } },
          },
        },
        // A delta release (fyr content --delta-from): the tree is partial, merged onto the base.
        delta: registryDeltaReleaseSchema,
      },
    },
    // An upgrade release (fyr content --from): the hops (formats/upgrade-path.ts).
    upgrade: upgradePathReleaseSchema,
    // The operator catalog (formats/operator-catalog.ts), checked as loosely as the rest: the
    // fields readers use, with their types; more may come.
    operators: {
      type: 'object',
      required: ['source', 'mirror', 'catalogSource', 'packages'],
      properties: {
        source: text,
        mirror: text,
        catalogSource: text,
        packages: {
          type: 'array',
          maxItems: 1000,
          items: {
            type: 'object',
            required: ['name', 'channel', 'csv', 'version', 'requested'],
            properties: { name: text, channel: text, csv: text, version: text, requested: { type: 'boolean' } },
          },
        },
      },
    },
    volumeId: text,
    base: {
      type: 'object',
      required: ['volumeId', 'layout', 'size'],
      properties: { volumeId: text, layout: { enum: ['el9', 'el10'] }, size: int },
    },
    sourceDateEpoch: int,
    payload: {
      type: 'array',
      maxItems: 100000,
      items: {
        type: 'object',
        required: ['path', 'role', 'size', 'sha256'],
        properties: { path: isoPath, role: text, size: int, sha256 },
      },
    },
    agent: {
      type: 'object',
      required: ['path', 'version', 'size', 'sha256'],
      properties: { path: isoPath, version: text, size: int, sha256 },
    },
    embed: {
      type: 'object',
      required: ['kickstart', 'site'],
      properties: { kickstart: area, site: area },
    },
    md5: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['hashedLength', 'appDataAt', 'offset', 'md5', 'fragmentSums', 'previousFragment'],
          properties: {
            hashedLength: int,
            appDataAt: int,
            offset: int,
            md5: {
              type: 'object',
              required: ['words', 'length', 'pending'],
              properties: {
                words: { type: 'string', pattern: '^[0-9a-f]{32}$' },
                length: int,
                pending: { type: 'string', pattern: '^([0-9a-f]{2}){0,63}$' },
              },
            },
            fragmentSums: { type: 'string', pattern: '^[0-9a-f]{0,60}$' },
            previousFragment: { type: 'integer', minimum: 0, maximum: 20 },
          },
        },
      ],
    },
    // The sha256 of the bytes before the first embed area that are not payload (release-outside.ts);
    // absent from releases made before fyr recorded it.
    outside: { type: 'object', required: ['sha256'], properties: { sha256 } },
  },
} as const;
