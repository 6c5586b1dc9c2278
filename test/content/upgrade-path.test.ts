// fyr content --from's pure parts: the ImageSetConfiguration's channels (literal), the path
// checks before oc-mirror runs, the sigstore check on a tree, the update graph of the oc-mirror
// double (test/doubles/graph.mjs), and the contract's schemas (formats/upgrade-path.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { imageSetConfig, upgradeChannels } from '../../src/content/image-set.js';
import { checkAskedPath, missingSigstore } from '../../src/content/upgrade.js';
import { FyrError } from '../../src/errors.js';
import { releaseJsonSchema } from '../../src/formats/release-json-schema.js';
import { compareVersions, describePath, skippedMinor } from '../../src/formats/upgrade-path.js';
import { contentSchema } from '../../src/release/content-schema.js';
import { compileSchema } from '../../src/util/json-schema.js';
import { channelReleases, shortestPath } from '../doubles/graph.mjs';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const PINNED = `quay.io/openshift-release-dev/ocp-release@sha256:${'a'.repeat(64)}`;

test('upgrade :: the ImageSetConfiguration names the channels of the path, shortest path, no graph', () => {
  assert.is(
    imageSetConfig(PINNED, [], undefined, upgradeChannels('4.18.9', '4.19.3')),
    [
      'kind: ImageSetConfiguration',
      'apiVersion: mirror.openshift.io/v2alpha1',
      'mirror:',
      '  platform:',
      '    channels:',
      '      - name: "stable-4.19"',
      '        type: ocp',
      '        minVersion: "4.18.9"',
      '        maxVersion: "4.19.3"',
      '        shortestPath: true',
      '    graph: false',
      '',
    ].join('\n'),
  );
  assert.equal(upgradeChannels('4.17.25', '4.19.3', ['4.18.12'], 'eus'), [
    { name: 'eus-4.18', minVersion: '4.17.25', maxVersion: '4.18.12' },
    { name: 'eus-4.19', minVersion: '4.18.12', maxVersion: '4.19.3' },
  ]);
  assert.equal(upgradeChannels('4.18.9', '4.18.12'), [
    { name: 'stable-4.18', minVersion: '4.18.9', maxVersion: '4.18.12' },
  ]);
  // Without channels, the pinned release as before.
  assert.match(imageSetConfig(PINNED, []), `    release: "${PINNED}"\n    graph: false\n`);
});

test('upgrade :: the path asked for: a downgrade, the same version, a skipped minor (named), a --via out of order', () => {
  const refused = (from: string, to: string, via: string[] = []) => {
    try {
      checkAskedPath(from, to, via);
    } catch (err) {
      assert.instance(err, FyrError);
      return `${(err as FyrError).code}: ${(err as FyrError).message}`;
    }
    return 'accepted';
  };
  assert.is(refused('4.18.9', '4.19.3'), 'accepted');
  assert.is(refused('4.17.25', '4.19.3', ['4.18.12']), 'accepted');
  assert.is(
    refused('4.17.25', '4.19.3'),
    'UPGRADE_PATH_INVALID: 4.17 → 4.19 needs a 4.18 release: add --via 4.18.z (a 4.18 release 4.17.25 updates to)',
  );
  assert.is(
    refused('4.17.25', '4.20.1', ['4.18.12']),
    'UPGRADE_PATH_INVALID: 4.18 → 4.20 needs a 4.19 release: add --via 4.19.z (a 4.19 release 4.18.12 updates to)',
  );
  assert.is(
    refused('4.19.3', '4.18.9'),
    'UPGRADE_PATH_INVALID: --from 4.19.3 is newer than --openshift 4.18.9: OpenShift does not downgrade',
  );
  assert.is(
    refused('4.18.9', '4.18.9'),
    'UPGRADE_PATH_INVALID: --from 4.18.9 is the release itself (--openshift 4.18.9): nothing to upgrade',
  );
  assert.is(
    refused('4.18.9', '4.19.3', ['4.18.5']),
    'UPGRADE_PATH_INVALID: --via 4.18.5 is not newer than 4.18.9: the path must go up at each step',
  );
  assert.is(compareVersions('4.18.12', '4.18.9'), 3);
  assert.ok(compareVersions('4.19.0-rc.2', '4.19.0') < 0);
  assert.is(skippedMinor('4.18.9', '4.19.3'), undefined);
  assert.is(skippedMinor('4.17.1', '4.20.0'), '4.18');
});

test('upgrade :: the double’s graph: shortest paths as oc-mirror finds them, no edge across a minor', () => {
  assert.equal(shortestPath('stable-4.19', '4.18.9', '4.19.3'), { path: ['4.18.9', '4.18.12', '4.19.3'] });
  assert.equal(shortestPath('stable-4.18', '4.17.25', '4.18.12'), { path: ['4.17.25', '4.18.12'] });
  assert.equal(shortestPath('stable-4.19', '4.17.25', '4.19.3'), {
    error: 'VersionNotFound: current version 4.17.25 not found in the "stable-4.19" channel',
  });
  assert.equal(shortestPath('stable-4.20', '4.19.3', '4.20.1'), { path: ['4.19.3', '4.20.1'] });
  assert.equal(
    channelReleases([
      { name: 'stable-4.18', minVersion: '4.17.25', maxVersion: '4.18.12', shortestPath: true },
      { name: 'stable-4.19', minVersion: '4.18.12', maxVersion: '4.19.3', shortestPath: true },
    ]),
    { versions: ['4.17.25', '4.18.12', '4.19.3'] },
  );
});

test('upgrade :: from 4.21 a hop needs its sigstore tag in the tree', async () => {
  const dir = await makeTmpdir();
  try {
    const tags = join(dir, 'docker/registry/v2/repositories/openshift/release-images/_manifests/tags');
    const hop = (version: string, c: string) => ({
      version,
      digest: `sha256:${c.repeat(64)}`,
      releaseTag: `openshift/release-images:${version}-x86_64`,
    });
    const hops = [hop('4.20.1', 'b'), hop('4.21.0', 'c')];
    mkdirSync(join(tags, '4.21.0-x86_64/current'), { recursive: true });
    assert.equal(
      missingSigstore(dir, hops).map((h) => h.version),
      ['4.21.0'],
    );
    mkdirSync(join(tags, `sha256-${'c'.repeat(64)}.sig/current`), { recursive: true });
    writeFileSync(join(tags, `sha256-${'c'.repeat(64)}.sig/current/link`), `sha256:${'d'.repeat(64)}`);
    assert.equal(missingSigstore(dir, hops), []);
  } finally {
    await removeTmpdir(dir);
  }
});

test('upgrade :: the contract in both schemas: fyr-content.json (strict) and release.json', () => {
  const hops = [
    {
      version: '4.18.12',
      image: `quay.io/openshift-release-dev/ocp-release@sha256:${'1'.repeat(64)}`,
      signature: 'verified',
      signatureFile: 'mirror/signatures/4.18.12.yaml',
      releaseTag: 'openshift/release-images:4.18.12-x86_64',
    },
  ];
  const upgrade = { from: '4.18.9', hops };
  assert.is(describePath({ from: '4.18.9', hops: hops as never }), '4.18.9 → 4.18.12 (1 hop)');
  const content = compileSchema(contentSchema.properties.upgrade);
  assert.ok(content(upgrade));
  assert.not.ok(content({ ...upgrade, hops: [{ ...hops[0], image: 'quay.io/x:4.18.12' }] }), 'by digest only');
  assert.not.ok(content({ ...upgrade, extra: 1 }));
  const delta = {
    base: { name: 'ocp-4.18.9-x86_64', openshift: '4.18.9', treeSha256: 'e'.repeat(64), files: 40 },
    mergedSha256: 'f'.repeat(64),
    mergedFiles: 60,
  };
  assert.ok(compileSchema(contentSchema.properties.registry.properties.delta)(delta));
  assert.ok(compileSchema(releaseJsonSchema.properties.upgrade)(upgrade));
  assert.ok(compileSchema(releaseJsonSchema.properties.registry.properties.delta)(delta));
  assert.not.ok(compileSchema(releaseJsonSchema.properties.registry.properties.delta)({ ...delta, mergedFiles: 'x' }));
});

test.run();
