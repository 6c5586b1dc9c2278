// A synthetic OpenShift update graph (TEST DOUBLE for Cincinnati, api.openshift.com's
// upgrades_info/graph), which the oc-mirror double reads for mirror.platform.channels. Shaped
// like the real graph where oc-mirror v2 meets it (internal/pkg/release/core-cincinnati.go):
// a channel stable-4.Y holds the 4.Y releases and the 4.(Y-1) ones that update into 4.Y
// (eus-4.Y, Y even, the 4.(Y-2) ones too); edges go from a release to a newer one in the
// same minor or the next, never across a minor; the shortest path is a breadth-first search
// over the edges, each node's targets newest first (GetUpdates' shortestPath), and no path is
// an empty one (oc-mirror then mirrors the two ends alone).
export const VERSIONS = ['4.17.20', '4.17.25', '4.18.9', '4.18.12', '4.19.3', '4.20.1', '4.21.0'];

// [from, to]: no edge skips a minor; 4.18.9 reaches 4.19 only through 4.18.12.
export const EDGES = [
  ['4.17.20', '4.17.25'],
  ['4.17.20', '4.18.9'],
  ['4.17.25', '4.18.9'],
  ['4.17.25', '4.18.12'],
  ['4.18.9', '4.18.12'],
  ['4.18.12', '4.19.3'],
  ['4.19.3', '4.20.1'],
  ['4.20.1', '4.21.0'],
];

const parse = (v) => v.split('.').map(Number);
export const compare = (a, b) => {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
};

// The releases a channel holds, oldest first; undefined for a channel the graph does not know.
export function channelVersions(channel) {
  const m = /^(stable|fast|candidate|eus)-4\.(\d+)$/.exec(channel);
  if (!m) return undefined;
  const y = Number(m[2]);
  const lowest = m[1] === 'eus' && y % 2 === 0 ? y - 2 : y - 1;
  const out = VERSIONS.filter((v) => {
    const minor = parse(v)[1];
    return minor >= lowest && minor <= y;
  });
  return out.length > 0 ? out : undefined;
}

// oc-mirror's GetUpdates: the shortest path from `from` to `to` in the channel, both ends
// included; { error } as oc-mirror words it when either end is not in the channel.
export function shortestPath(channel, from, to) {
  const versions = channelVersions(channel);
  if (!versions) return { error: `APIRequestError: channel "${channel}": unknown channel` };
  if (!versions.includes(from))
    return { error: `VersionNotFound: current version ${from} not found in the "${channel}" channel` };
  if (!versions.includes(to))
    return { error: `VersionNotFound: requested version ${to} not found in the "${channel}" channel` };
  const next = (v) =>
    EDGES.filter(([a, b]) => a === v && versions.includes(b))
      .map(([, b]) => b)
      .sort((a, b) => compare(b, a));
  const prev = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const v = queue.shift();
    if (v === to) break;
    for (const n of next(v))
      if (!prev.has(n)) {
        prev.set(n, v);
        queue.push(n);
      }
  }
  if (!prev.has(to)) return { path: [] };
  const path = [];
  for (let v = to; v !== null; v = prev.get(v)) path.unshift(v);
  return { path };
}

// What oc-mirror mirrors for the ISC's channels: per channel with min and max and shortestPath,
// the path (or, with no path, the two ends: gatherUpdates adds current and requested); the union,
// oldest first.
export function channelReleases(channels) {
  const out = new Set();
  for (const c of channels) {
    if (!c.shortestPath || !c.minVersion || !c.maxVersion)
      return { error: `the double mirrors channels with minVersion, maxVersion and shortestPath only (${c.name})` };
    const got = shortestPath(c.name, c.minVersion, c.maxVersion);
    if (got.error) return got;
    for (const v of got.path.length > 0 ? got.path : [c.minVersion, c.maxVersion]) out.add(v);
  }
  return { versions: [...out].sort(compare) };
}
