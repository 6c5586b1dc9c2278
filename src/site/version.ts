// How a site's cluster.openshiftVersion meets a release's OpenShift version: a minor ("4.16")
// accepts every release of that minor, an exact version ("4.16.3") only itself.

// "4.16.3" or "4.16.3-x86_64" -> [4, 16, 3]; undefined for anything else.
function parts(version: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (m === null) return undefined;
  return m.slice(1).flatMap((p) => (p === undefined ? [] : [Number(p)]));
}

export function versionMatches(site: string, release: string): boolean {
  const want = parts(site);
  const have = parts(release);
  if (want === undefined || have === undefined) return false;
  return want.every((n, i) => have[i] === n);
}
