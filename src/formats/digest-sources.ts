// install-config's imageDigestSources: which of the bastion registry's repositories mirror
// which upstream ones. A release from fyr content records oc-mirror's IDMS (mirrors relative
// to the registry); older releases (a mirror archive pushed by oc image mirror) use the
// repositories that push fills.
export interface DigestSource {
  source: string;
  mirrors: string[];
}

export const DEFAULT_DIGEST_SOURCES: readonly DigestSource[] = [
  { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['openshift/release'] },
  { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['openshift/release-images'] },
];

// The sources with each mirror on `registry` (host:port).
export const digestSourcesOn = (registry: string, sources: readonly DigestSource[] = DEFAULT_DIGEST_SOURCES) =>
  sources.map((s) => ({ source: s.source, mirrors: s.mirrors.map((m) => `${registry}/${m}`) }));
