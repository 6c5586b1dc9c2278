// The ImageSetConfiguration fyr hands oc-mirror v2: a pure function of what fyr content mirrors.
import type { OperatorRequest } from '../formats/operator-catalog.js';

// The ImageSetConfiguration: the pinned release only (no channels, no graph), the site's
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
): string {
  const q = JSON.stringify;
  return [
    'kind: ImageSetConfiguration',
    'apiVersion: mirror.openshift.io/v2alpha1',
    'mirror:',
    '  platform:',
    `    release: ${q(release)}`,
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
