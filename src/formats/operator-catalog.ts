// The operators a release carries: the operator catalog oc-mirror filtered to the packages
// fyr content was asked for (and their dependencies), mirrored into the release's registry
// tree. fyr content writes it to fyr-content.json, fyr release copies it to release.json,
// fyr build checks a site's storage and operators against it, fyr inspect shows it, and the
// agent subscribes from it. Defined once here; both JSON schemas include operatorCatalogSchema.

// An operator package fyr content is asked to mirror, or a site needs: absent channel, the
// catalog's default channel.
export interface OperatorRequest {
  name: string;
  channel?: string | undefined;
}

// The fyr content option that adds a package: --operator NAME, or NAME:CHANNEL.
export function operatorOption(p: OperatorRequest): string {
  return `--operator ${p.name}${p.channel ? `:${p.channel}` : ''}`;
}

// Red Hat's catalog of a release's minor, as fyr content mirrors it.
export const CATALOG_REPO = 'registry.redhat.io/redhat/redhat-operator-index';
export const catalogFor = (openshift: string) => `${CATALOG_REPO}:v${openshift.split('.').slice(0, 2).join('.')}`;

export interface OperatorPackage {
  // The package name in the catalog, e.g. lvms-operator.
  name: string;
  // The channel mirrored (its head only), e.g. stable-4.18; the catalog's default channel
  // unless fyr content was asked for another.
  channel: string;
  // The channel head's ClusterServiceVersion, e.g. lvms-operator.v4.18.3: the one the agent
  // approves, so nothing newer is installed unasked.
  csv: string;
  // Its bundle's version (olm.package property), e.g. 4.18.3.
  version: string;
  // true: named to fyr content; false: mirrored because a named package depends on it.
  requested: boolean;
}

export interface OperatorCatalog {
  // The catalog as Red Hat publishes it, e.g. registry.redhat.io/redhat/redhat-operator-index:v4.18.
  source: string;
  // Its filtered copy in the registry tree, relative to the registry (no host), e.g.
  // redhat/redhat-operator-index:v4.18.
  mirror: string;
  // The CatalogSource oc-mirror wrote for it (in openshift-marketplace), e.g.
  // cs-redhat-operator-index-v4-18: the name Subscriptions give as their source.
  catalogSource: string;
  packages: OperatorPackage[];
}

const name = { type: 'string', pattern: '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$' } as const;

export const operatorCatalogSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'mirror', 'catalogSource', 'packages'],
  properties: {
    source: {
      type: 'string',
      pattern: '^[a-z0-9.:/_-]+:[A-Za-z0-9._-]+$',
      'x-expected': 'a catalog image by tag, such as registry.redhat.io/redhat/redhat-operator-index:v4.18',
    },
    mirror: {
      type: 'string',
      pattern: '^[a-z0-9._/-]+:[A-Za-z0-9._-]+$',
      'x-expected': 'a repository and tag inside the registry, such as redhat/redhat-operator-index:v4.18',
    },
    catalogSource: name,
    packages: {
      type: 'array',
      minItems: 1,
      maxItems: 256,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'channel', 'csv', 'version', 'requested'],
        properties: {
          name,
          channel: { type: 'string', pattern: '^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$' },
          csv: { type: 'string', pattern: '^[a-z0-9]([a-z0-9.+-]{0,250}[a-z0-9])?$' },
          version: { type: 'string', pattern: '^[0-9A-Za-z.+-]{1,64}$' },
          requested: { type: 'boolean' },
        },
      },
    },
  },
} as const;

// The packages a site needs that the catalog does not carry (or carries on another channel
// than the site names), in the site's order.
export function missingPackages(
  catalog: OperatorCatalog | undefined,
  wanted: readonly OperatorRequest[],
): Array<{ name: string; channel?: string; carried?: string }> {
  const byName = new Map((catalog?.packages ?? []).map((p) => [p.name, p]));
  const out: Array<{ name: string; channel?: string; carried?: string }> = [];
  for (const w of wanted) {
    const p = byName.get(w.name);
    if (!p) out.push(w.channel ? { name: w.name, channel: w.channel } : { name: w.name });
    else if (w.channel && w.channel !== p.channel) out.push({ name: w.name, channel: w.channel, carried: p.channel });
  }
  return out;
}
