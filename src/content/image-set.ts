// The ImageSetConfiguration fyr hands oc-mirror v2: a pure function of what fyr content mirrors.
import type { OperatorRequest } from '../formats/operator-catalog.js';
import { minorOf } from '../formats/upgrade-path.js';

// An upgrade path's channel in the ImageSetConfiguration: oc-mirror v2 mirrors the shortest
// path of the channel's update graph between minVersion and maxVersion, both included
// (internal/pkg/release/cincinnati.go getChannelDownloads, core-cincinnati.go GetUpdates).
export interface ReleaseChannel {
  name: string;
  minVersion: string;
  maxVersion: string;
}

// One channel per step of from → via… → to, each the channel of the step's target minor
// (stable-4.19 holds 4.18.z and 4.19.z and the edges between them, as Cincinnati's does): a
// channel names the minors it crosses, so a path through 4.18 to 4.19 from 4.17 is two.
export function upgradeChannels(
  from: string,
  to: string,
  via: readonly string[] = [],
  prefix: 'stable' | 'eus' | 'fast' | 'candidate' = 'stable',
): ReleaseChannel[] {
  const points = [from, ...via, to];
  return points
    .slice(1)
    .map((max, i) => ({ name: `${prefix}-${minorOf(max)}`, minVersion: points[i]!, maxVersion: max }));
}

// The ImageSetConfiguration: the pinned release only (no channels, no graph), or for an upgrade
// the channels of its path (shortest path, no graph), the site's
// additional images, and the operator packages asked for from the catalog of the release's
// minor (docs/features/filtering.md, type_config_include.go): a package with no channel gets
// the head of each of its channels (fyr records its default channel's); one with a channel
// gets that channel's head, and names it defaultChannel too, which oc-mirror requires when the
// filter drops the catalog's default channel (and accepts when it does not). oc-mirror v2 adds
// no dependencies (skipDependencies is v1's): fyr content lists them itself (mirror-release.ts).
export function imageSetConfig(
  release: string,
  additional: readonly string[],
  operators?: { catalog: string; packages: readonly OperatorRequest[] },
  // An upgrade path: the channels replace the pinned release (fyr checks the hops oc-mirror
  // mirrored against the tree and verifies each one's signature).
  channels?: readonly ReleaseChannel[],
): string {
  const q = JSON.stringify;
  return [
    'kind: ImageSetConfiguration',
    'apiVersion: mirror.openshift.io/v2alpha1',
    'mirror:',
    '  platform:',
    ...(channels && channels.length > 0
      ? [
          '    channels:',
          ...channels.flatMap((c) => [
            `      - name: ${q(c.name)}`,
            '        type: ocp',
            `        minVersion: ${q(c.minVersion)}`,
            `        maxVersion: ${q(c.maxVersion)}`,
            '        shortestPath: true',
          ]),
        ]
      : [`    release: ${q(release)}`]),
    '    graph: false',
    ...(operators && operators.packages.length > 0
      ? [
          '  operators:',
          `    - catalog: ${q(operators.catalog)}`,
          '      packages:',
          ...operators.packages.flatMap((p) => [
            `        - name: ${q(p.name)}`,
            ...(p.channel
              ? [
                  `          defaultChannel: ${q(p.channel)}`,
                  '          channels:',
                  `            - name: ${q(p.channel)}`,
                ]
              : []),
          ]),
        ]
      : []),
    ...(additional.length > 0 ? ['  additionalImages:', ...additional.map((n) => `    - name: ${q(n)}`)] : []),
    '',
  ].join('\n');
}
