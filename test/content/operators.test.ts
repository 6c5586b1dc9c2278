// fyr content's operators without running anything: --operator and --operators FILE as they
// become the packages to mirror (or one OPERATOR_INVALID listing every problem), the
// ImageSetConfiguration fyr hands oc-mirror, the FBC reading (channel heads, versions,
// dependencies), and a site checked against the operators a release carries.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { catalogPackages, jsonStream, missingRequired, type FbcDocument } from '../../src/content/catalog.js';
import { imageSetConfig } from '../../src/content/mirror.js';
import { placeholderYaml } from '../../src/content/mirror-release.js';
import { mergeRequests, operatorRequests, parseOperatorArg } from '../../src/content/operators.js';
import { checkOperators, sitePackages } from '../../src/cli/site-splice.js';
import { FyrError } from '../../src/errors.js';
import { catalogFor, missingPackages, type OperatorCatalog } from '../../src/formats/operator-catalog.js';
import { filterCatalog } from '../doubles/catalog.mjs';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const thrown = async (p: Promise<unknown>): Promise<FyrError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof FyrError) return err;
    throw err;
  }
  throw new Error('did not throw');
};

test('operators :: --operator NAME[:CHANNEL]: the site schema patterns', () => {
  assert.equal(parseOperatorArg('lvms-operator'), { name: 'lvms-operator' });
  assert.equal(parseOperatorArg('kubevirt-hyperconverged:stable'), {
    name: 'kubevirt-hyperconverged',
    channel: 'stable',
  });
  assert.is(
    parseOperatorArg('LVMS'),
    '--operator LVMS: "LVMS" is not an operator package name (expected an operator package name such as kubevirt-hyperconverged)',
  );
  assert.is(
    parseOperatorArg('lvms-operator:stable 4.18'),
    '--operator lvms-operator:stable 4.18: "stable 4.18" is not a channel name (expected a channel name such as stable or stable-4.16)',
  );
  assert.match(parseOperatorArg('lvms-operator:') as string, 'is not a channel name');
});

test('operators :: --operators FILE: a list, a site file (its storage type, given or by default), every problem at its line', async () => {
  const dir = await makeTmpdir();
  try {
    const list = join(dir, 'ops.yaml');
    writeFileSync(list, 'operators:\n  - name: web-terminal\n  - { name: lvms-operator, channel: stable-4.18 }\n');
    const odf = join(dir, 'odf.yaml');
    writeFileSync(odf, 'storage: { type: odf }\noperators: [{ name: web-terminal }]\n');
    // A one-node site file that names no storage type: lvms by default.
    const sno = join(dir, 'sno.yaml');
    writeFileSync(sno, 'cluster: { name: a }\nnodes:\n  - { name: n0, role: control-plane }\n');
    // Three compact nodes without disks: none by default, so nothing but its operators.
    const compact = join(dir, 'compact.yaml');
    writeFileSync(
      compact,
      'nodes: [{ name: a, role: control-plane }, { name: b, role: control-plane }, { name: c, role: control-plane }]\noperators: [{ name: web-terminal }]\n',
    );
    assert.equal(await operatorRequests({ operator: ['local-storage-operator'], files: [list] }), [
      { name: 'local-storage-operator' },
      { name: 'web-terminal' },
      { name: 'lvms-operator', channel: 'stable-4.18' },
    ]);
    assert.equal(await operatorRequests({ operator: [], files: [odf] }), [
      { name: 'local-storage-operator' },
      { name: 'odf-operator' },
      { name: 'web-terminal' },
    ]);
    assert.equal(await operatorRequests({ operator: [], files: [sno] }), [{ name: 'lvms-operator' }]);
    assert.equal(await operatorRequests({ operator: [], files: [compact] }), [{ name: 'web-terminal' }]);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'storage: { type: ceph }\noperators:\n  - name: Web_Terminal\n  - { name: lvms-operator, channel: "a b", extra: 1 }\n  - just-a-name\n',
    );
    const err = await thrown(operatorRequests({ operator: ['x:'], files: [bad, join(dir, 'none.yaml')] }));
    assert.is(err.code, 'OPERATOR_INVALID');
    assert.is(err.exitCode, 2);
    assert.is(err.message, '7 problems with the operators to mirror');
    assert.equal(err.detailLines.slice(0, 6), [
      '--operator x:: "" is not a channel name (expected a channel name such as stable or stable-4.16)',
      `${bad}:1:18: storage.type: "ceph" is not a storage type (expected lvms, odf, none)`,
      `${bad}:3:11: operators[0].name: "Web_Terminal" is not an operator package name (expected an operator package name such as kubevirt-hyperconverged)`,
      `${bad}:4:51: operators[1].extra: unknown field "extra" (expected name and channel)`,
      `${bad}:4:37: operators[1].channel: "a b" is not a channel name (expected a channel name such as stable or stable-4.16)`,
      `${bad}:5:5: operators[2]: expected {name, channel} (channel optional)`,
    ]);
    assert.match(err.detailLines[6]!, new RegExp(`^--operators ${join(dir, 'none.yaml')}: cannot read it`));
    // One problem is the message itself.
    const one = await thrown(operatorRequests({ operator: ['a:x', 'a:y'], files: [] }));
    assert.is(one.message, 'a is asked for on two channels, x and y: give one');
    assert.equal(one.detailLines, []);
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, 'cluster: { name: a }\n');
    assert.match(
      (await thrown(operatorRequests({ operator: [], files: [empty] }))).message,
      'has no `operators` list and no `storage.type`: nothing to mirror',
    );
  } finally {
    await removeTmpdir(dir);
  }
});

test('operators :: merged once each: a channel given once wins, two channels are a problem', () => {
  assert.equal(
    mergeRequests([
      [{ name: 'a' }, { name: 'b' }],
      [{ name: 'a', channel: 'c' }, { name: 'b' }],
    ]),
    {
      requests: [{ name: 'a', channel: 'c' }, { name: 'b' }],
      problems: [],
    },
  );
  assert.equal(mergeRequests([[{ name: 'a', channel: 'x' }], [{ name: 'a', channel: 'y' }]]).problems, [
    'a is asked for on two channels, x and y: give one',
  ]);
});

test('operators :: the ImageSetConfiguration: the catalog of the minor, a named channel also the default channel', () => {
  const release = `quay.io/openshift-release-dev/ocp-release@sha256:${'a'.repeat(64)}`;
  assert.is(catalogFor('4.18.9'), 'registry.redhat.io/redhat/redhat-operator-index:v4.18');
  assert.is(
    imageSetConfig(release, ['quay.io/x/y:1'], {
      catalog: catalogFor('4.18.9'),
      packages: [{ name: 'lvms-operator' }, { name: 'kubevirt-hyperconverged', channel: 'stable' }],
    }),
    `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  platform:
    release: "${release}"
    graph: false
  operators:
    - catalog: "registry.redhat.io/redhat/redhat-operator-index:v4.18"
      packages:
        - name: "lvms-operator"
        - name: "kubevirt-hyperconverged"
          defaultChannel: "stable"
          channels:
            - name: "stable"
  additionalImages:
    - name: "quay.io/x/y:1"
`,
  );
  // No operators: the release alone, as before.
  assert.is(imageSetConfig(release, [], { catalog: catalogFor('4.18.9'), packages: [] }), imageSetConfig(release, []));
  assert.not.match(imageSetConfig(release, []), 'operators');
});

test("operators :: oc-mirror's CatalogSource with the placeholder: quoted, so still YAML; the registry named elsewhere is refused", () => {
  const cs = [
    'apiVersion: operators.coreos.com/v1alpha1',
    'kind: CatalogSource',
    'metadata:',
    '  name: cs-redhat-operator-index-v4-18',
    'spec:',
    '  image: 127.0.0.1:5000/redhat/redhat-operator-index:v4.18',
    "  other: '127.0.0.1:5000/x:1'",
    '',
  ].join('\n');
  assert.is(
    placeholderYaml(cs, '127.0.0.1:5000'),
    cs
      .replace('image: 127.0.0.1:5000/', 'image: "@@FYR:registry@@/')
      .replace('v4.18\n', 'v4.18"\n')
      .replace("'127.0.0.1:5000/x:1'", '"@@FYR:registry@@/x:1"'),
  );
  assert.is(placeholderYaml('a: [127.0.0.1:5000/x]\n', '127.0.0.1:5000'), undefined);
});

test('operators :: a JSON stream as opm writes it, brackets inside strings', () => {
  assert.equal(jsonStream('{\n    "a": "}{",\n    "b": [1, {"c": "\\"]"}]\n}\n{"d": 2}\n'), [
    { a: '}{', b: [1, { c: '"]' }] },
    { d: 2 },
  ]);
  assert.throws(() => jsonStream('{"a": 1'), /unexpected end/);
});

const bundle = (pkg: string, name: string, version: string, requires: string[] = []) => ({
  schema: 'olm.bundle',
  name,
  package: pkg,
  properties: [
    { type: 'olm.package', value: { packageName: pkg, version } },
    ...requires.map((r) => ({ type: 'olm.package.required', value: { packageName: r, versionRange: '>=0' } })),
  ],
});

test('operators :: each package at its channel head, with its version; dependencies after, requested: false', () => {
  const docs: FbcDocument[] = [
    { schema: 'olm.package', name: 'a', defaultChannel: 'stable' },
    {
      schema: 'olm.channel',
      package: 'a',
      name: 'stable',
      entries: [{ name: 'a.v1' }, { name: 'a.v3', replaces: 'a.v2', skips: ['a.v1'] }, { name: 'a.v2' }],
    },
    { schema: 'olm.channel', package: 'a', name: 'fast', entries: [{ name: 'a.v4' }] },
    bundle('a', 'a.v1', '1.0.0'),
    bundle('a', 'a.v2', '2.0.0'),
    bundle('a', 'a.v3', '3.0.0', ['b', 'z']),
    bundle('a', 'a.v4', '4.0.0'),
    { schema: 'olm.package', name: 'b', defaultChannel: 'x' },
    { schema: 'olm.channel', package: 'b', name: 'x', entries: [{ name: 'b.v1' }] },
    bundle('b', 'b.v1', '1.2.3'),
  ];
  assert.equal(catalogPackages(docs, [{ name: 'a' }], 'cat:v4.18'), [
    { name: 'a', channel: 'stable', csv: 'a.v3', version: '3.0.0', requested: true },
    { name: 'b', channel: 'x', csv: 'b.v1', version: '1.2.3', requested: false },
  ]);
  assert.equal(catalogPackages(docs, [{ name: 'a', channel: 'fast' }], 'c')[0]!.csv, 'a.v4');
  assert.equal(missingRequired(docs), ['z']);
  try {
    catalogPackages(docs, [{ name: 'nope' }, { name: 'a', channel: 'candidate' }], 'cat:v4.18');
    assert.unreachable();
  } catch (err) {
    assert.is((err as FyrError).code, 'MIRROR_FAILED');
    assert.is((err as FyrError).message, 'the mirrored catalog cat:v4.18 lacks what was asked for');
    assert.equal((err as FyrError).detailLines.slice(0, 2), [
      'nope: not in the catalog',
      'a: no channel candidate (it has stable, fast)',
    ]);
  }
});

test("operators :: the synthetic catalog oc-mirror's double filters: lvms-operator at stable-4.18's head", () => {
  const docs = filterCatalog('4.18', [{ name: 'lvms-operator' }]) as unknown as FbcDocument[];
  const [lvms] = catalogPackages(docs, [{ name: 'lvms-operator' }], catalogFor('4.18.9'));
  assert.is(lvms!.channel, 'stable-4.18');
  assert.is(lvms!.version, '4.18.3');
  assert.is(lvms!.csv, 'lvms-operator.v4.18.3');
  assert.equal(missingRequired(docs), []);
  // odf-operator's bundle requires odf-dependencies, which oc-mirror does not add.
  assert.equal(missingRequired(filterCatalog('4.18', [{ name: 'odf-operator' }]) as unknown as FbcDocument[]), [
    'odf-dependencies',
  ]);
});

const carried: OperatorCatalog = {
  source: 'registry.redhat.io/redhat/redhat-operator-index:v4.18',
  mirror: 'redhat/redhat-operator-index:v4.18',
  catalogSource: 'cs-redhat-operator-index-v4-18',
  packages: [
    { name: 'lvms-operator', channel: 'stable-4.18', csv: 'lvms-operator.v4.18.3', version: '4.18.3', requested: true },
  ],
};
const facts = (operators?: OperatorCatalog) => ({ name: 'ocp-4.18.9-x86_64', openshift: '4.18.9', operators });
const io = () => {
  const err: string[] = [];
  return { err, io: { stderr: (t: string) => void err.push(t), color: { stdout: false, stderr: false } } };
};
const site = (
  type: 'lvms' | 'odf' | 'none',
  defaulted: boolean,
  operators: Array<{ name: string; channel?: string }>,
) => ({
  storage: { type, defaulted, profile: 'balanced' as const, nodes: [] },
  operators,
});

test('operators :: a site against the release: what it needs, refused one line per package, a default storage type warned', () => {
  assert.equal(sitePackages(site('odf', false, [{ name: 'web-terminal', channel: 'fast' }])), [
    { name: 'local-storage-operator' },
    { name: 'odf-operator' },
    { name: 'web-terminal', channel: 'fast' },
  ]);
  assert.equal(missingPackages(carried, [{ name: 'lvms-operator', channel: 'stable-4.17' }]), [
    { name: 'lvms-operator', channel: 'stable-4.17', carried: 'stable-4.18' },
  ]);
  // Carried, or needing nothing: silent.
  for (const [s, r] of [
    [site('lvms', false, [{ name: 'lvms-operator', channel: 'stable-4.18' }]), facts(carried)],
    [site('none', false, []), facts()],
    [site('none', true, []), facts()],
  ] as const) {
    const o = io();
    checkOperators(s, r, 'site.yaml', o.io);
    assert.equal(o.err, []);
  }
  // A storage type by default that the release lacks: built, with a warning.
  const o = io();
  checkOperators(site('lvms', true, []), facts(), 'site.yaml', o.io);
  assert.equal(o.err, [
    'warning: storage: lvms by default, but the release ocp-4.18.9-x86_64 carries no lvms-operator: the site gets no storage; fyr content --operator lvms-operator adds it, or set storage.type: none\n',
  ]);
  // Named: refused, each package with the option that adds it.
  try {
    checkOperators(
      site('odf', false, [{ name: 'lvms-operator', channel: 'stable-4.17' }, { name: 'web-terminal' }]),
      facts(carried),
      'site.yaml',
      io().io,
    );
    assert.unreachable();
  } catch (err) {
    const e = err as FyrError;
    assert.is(e.code, 'OPERATOR_NOT_CARRIED');
    assert.is(e.exitCode, 1);
    assert.is(e.message, 'site.yaml needs 4 operator packages the release does not carry');
    assert.equal(e.detailLines, [
      'storage.type odf: local-storage-operator is not carried; add it with fyr content --operator local-storage-operator',
      'storage.type odf: odf-operator is not carried; add it with fyr content --operator odf-operator',
      'operators: lvms-operator on channel stable-4.17 is not carried (the release has it on stable-4.18); add it with fyr content --operator lvms-operator:stable-4.17',
      'operators: web-terminal is not carried; add it with fyr content --operator web-terminal',
      'The release ocp-4.18.9-x86_64 carries only lvms-operator (stable-4.18).',
    ]);
  }
  try {
    checkOperators(site('lvms', false, []), facts(), 'site.yaml', io().io);
    assert.unreachable();
  } catch (err) {
    assert.is(
      (err as FyrError).message,
      'site.yaml: storage.type lvms: lvms-operator is not carried; add it with fyr content --operator lvms-operator',
    );
    assert.equal((err as FyrError).detailLines, ['The release ocp-4.18.9-x86_64 carries no operators.']);
  }
});

test.run();
