// The synthetic operator catalog (test/doubles/catalog.mjs) and the oc-mirror double's
// mirror.operators: filtered as oc-mirror v2 filters (heads only, a default channel that must
// survive the filter, dependencies NOT followed), pushed with the real skopeo into the real
// registry where oc-mirror puts each image, read back from the registry's storage tree, and the
// IDMS, CatalogSource and ClusterCatalog files oc-mirror writes.
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments, stringify } from 'yaml';
import {
  CATALOG_REPO,
  catalogFor,
  filterCatalog,
  filterPackages,
  imageInTree,
  readCatalog,
  readImageFiles,
  treeRepositories,
  withDependencies,
  writeCatalogImage,
  writeRelatedImage,
  type FbcBundle,
  type FbcDocument,
  type IscPackage,
} from '../doubles/catalog.mjs';
import { DOUBLES_BIN } from '../helpers/connected.js';
import { skopeo, startRegistry } from '../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const names = (docs: FbcDocument[]) => docs.map((d) => `${d.schema} ${d.name}`);
const bundles = (docs: FbcDocument[]) => docs.filter((d): d is FbcBundle => d.schema === 'olm.bundle');
const ODF_ALL = [
  'cephcsi-operator',
  'mcg-operator',
  'ocs-client-operator',
  'ocs-operator',
  'odf-csi-addons-operator',
  'odf-dependencies',
  'odf-external-snapshotter-operator',
  'odf-operator',
  'odf-prometheus-operator',
  'recipe',
  'rook-ceph-operator',
];

test('catalog :: the index is FBC: each package has its default channel, each channel a replaces chain, each bundle its package property', () => {
  const docs = catalogFor('4.18');
  const packages = docs.filter((d) => d.schema === 'olm.package');
  assert.equal(
    packages.map((p) => p.name).sort(),
    ['devworkspace-operator', 'local-storage-operator', 'lvms-operator', ...ODF_ALL, 'web-terminal'].sort(),
  );
  const defaults = Object.fromEntries(packages.map((p) => [p.name, p.schema === 'olm.package' && p.defaultChannel]));
  assert.is(defaults['lvms-operator'], 'stable-4.18');
  assert.is(defaults['local-storage-operator'], 'stable');
  assert.is(defaults['odf-operator'], 'stable-4.18');
  const lvms19 = catalogFor('4.19').find((d) => d.schema === 'olm.package' && d.name === 'lvms-operator');
  assert.is(lvms19?.schema === 'olm.package' && lvms19.defaultChannel, 'stable-4.19');
  for (const p of packages) {
    const channels = docs.filter((d) => d.schema === 'olm.channel' && d.package === p.name);
    assert.ok(
      channels.some((c) => c.name === defaults[p.name]),
      `${p.name}: default channel`,
    );
  }
  const lvms = docs.find(
    (d) => d.schema === 'olm.channel' && d.package === 'lvms-operator' && d.name === 'stable-4.18',
  );
  assert.equal(lvms?.schema === 'olm.channel' && lvms.entries, [
    { name: 'lvms-operator.v4.18.2' },
    { name: 'lvms-operator.v4.18.3', replaces: 'lvms-operator.v4.18.2' },
  ]);
  assert.ok(docs.some((d) => d.schema === 'olm.channel' && d.package === 'lvms-operator' && d.name === 'stable-4.17'));
  const head = bundles(docs).find((b) => b.name === 'lvms-operator.v4.18.3')!;
  assert.equal(head.properties[0], { type: 'olm.package', value: { packageName: 'lvms-operator', version: '4.18.3' } });
  assert.match(head.image, /^registry\.redhat\.io\/lvms4\/lvms-operator-bundle@sha256:[0-9a-f]{64}$/);
  // opm appends the bundle image to relatedImages, unnamed (alpha/action/render.go).
  assert.equal(head.relatedImages.at(-1), { name: '', image: head.image });
  assert.match(head.relatedImages[0]!.image, /^registry\.redhat\.io\/lvms4\/lvms-rhel9-operator@sha256:/);
  // The same minor gives the same documents.
  assert.equal(catalogFor('4.18'), docs);
});

test('catalog :: filterCatalog lvms-operator on stable-4.18: one package, one channel with its head, that bundle', () => {
  const docs = filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-4.18' }]);
  assert.equal(names(docs), [
    'olm.package lvms-operator',
    'olm.channel stable-4.18',
    'olm.bundle lvms-operator.v4.18.3',
  ]);
  assert.equal(docs[1]!.schema === 'olm.channel' && docs[1]!.entries, [
    { name: 'lvms-operator.v4.18.3', replaces: 'lvms-operator.v4.18.2' },
  ]);
  assert.is(docs[0]!.schema === 'olm.package' && docs[0]!.defaultChannel, 'stable-4.18');
  // Without a channel oc-mirror keeps the head of every channel (docs/features/filtering.md).
  assert.equal(names(filterCatalog('4.18', [{ name: 'lvms-operator' }])), [
    'olm.package lvms-operator',
    'olm.channel stable-4.17',
    'olm.channel stable-4.18',
    'olm.bundle lvms-operator.v4.17.8',
    'olm.bundle lvms-operator.v4.18.3',
  ]);
});

test('catalog :: odf-operator: its dependencies are not followed by the filter; named with withDependencies, every required package is kept', () => {
  const alone = filterCatalog('4.18', [{ name: 'odf-operator', channel: 'stable-4.18' }]);
  assert.equal(
    bundles(alone).map((b) => b.name),
    ['odf-operator.v4.18.3-rhodf'],
  );
  const all = withDependencies('4.18', ['odf-operator']);
  assert.equal([...all].sort(), ODF_ALL);
  // Transitive: rook-ceph-operator is required by ocs-operator, which odf-dependencies requires.
  assert.ok(all.indexOf('rook-ceph-operator') > all.indexOf('ocs-operator'));
  const docs = filterCatalog(
    '4.18',
    all.map((name) => ({ name, channel: 'stable-4.18' })),
  );
  assert.equal(
    docs.filter((d) => d.schema === 'olm.package').map((d) => d.name),
    ODF_ALL,
  );
  assert.is(bundles(docs).length, ODF_ALL.length);
  const kept = new Set(bundles(docs).map((b) => b.package));
  for (const b of bundles(docs))
    for (const p of b.properties)
      if (p.type === 'olm.package.required')
        assert.ok(kept.has(p.value.packageName as string), `${b.name} needs ${p.value.packageName}`);
  assert.not.ok(docs.some((d) => d.name === 'web-terminal' || d.name === 'lvms-operator'));
});

test('catalog :: a channel other than the default: defaultChannel rewritten; without it, oc-mirror’s error', () => {
  const docs = filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-4.17' }]);
  assert.equal(names(docs), [
    'olm.package lvms-operator',
    'olm.channel stable-4.17',
    'olm.bundle lvms-operator.v4.17.8',
  ]);
  assert.is(docs[0]!.schema === 'olm.package' && docs[0]!.defaultChannel, 'stable-4.17');
  const packages: IscPackage[] = [{ name: 'lvms-operator', channels: [{ name: 'stable-4.17' }] }];
  assert.throws(
    () => filterPackages('4.18', packages),
    (e: Error) =>
      e.message ===
      'failed to filter catalog: invalid default channel configuration for package "lvms-operator": the default channel "stable-4.18" was filtered out, a new default channel must be configured for this package',
  );
});

test('catalog :: an unknown channel and an unknown package: oc-mirror’s errors (an unknown package beside a known one is dropped silently)', () => {
  assert.throws(
    () => filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-9.9' }]),
    (e: Error) =>
      e.message ===
      'failed to filter catalog: invalid default channel configuration for package "lvms-operator": specified default channel override "stable-9.9" does not exist in the filtered output',
  );
  assert.throws(
    () => filterCatalog('4.18', [{ name: 'no-such-operator' }]),
    (e: Error) => e.message === 'no related images found',
  );
  assert.equal(
    names(filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-4.18' }, { name: 'no-such-operator' }])),
    ['olm.package lvms-operator', 'olm.channel stable-4.18', 'olm.bundle lvms-operator.v4.18.3'],
  );
});

test('catalog :: the images the catalog names are real: their layouts have those digests; same bytes twice', () =>
  withDir(async (dir) => {
    const head = bundles(filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-4.18' }]))[0]!;
    for (const r of head.relatedImages) assert.is(writeRelatedImage(join(dir, 'a'), r.image), r.image.split('@')[1]);
    const docs = filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-4.18' }]);
    const one = writeCatalogImage(join(dir, 'a'), docs);
    assert.is(writeCatalogImage(join(dir, 'b'), docs), one);
    assert.is.not(writeCatalogImage(join(dir, 'b'), filterCatalog('4.18', [{ name: 'local-storage-operator' }])), one);
    const index = JSON.parse(readFileSync(join(dir, 'a/index.json'), 'utf8'));
    assert.is(index.manifests.length, head.relatedImages.length + 1);
    assert.throws(
      () => writeRelatedImage(join(dir, 'a'), `registry.redhat.io/lvms4/lvms-rhel9-operator@sha256:${'0'.repeat(64)}`),
      /not an image the synthetic catalog names/,
    );
  }));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await makeTmpdir();
  try {
    await fn(dir);
  } finally {
    await removeTmpdir(dir);
  }
}

interface Mirror {
  code: number;
  stdout: string;
  tree: string;
  host: string;
  resources: string;
}

// The double, mirror-to-mirror into a fresh real registry, with `operators` as the ISC's.
async function mirror(dir: string, name: string, operators: unknown[]): Promise<Mirror> {
  const base = join(dir, name);
  const tree = join(base, 'tree');
  mkdirSync(join(base, 'doubles'), { recursive: true });
  mkdirSync(tree, { recursive: true });
  const registry = await startRegistry(tree, { dir: base });
  try {
    const isc = join(base, 'isc.yaml');
    writeFileSync(
      isc,
      stringify({ kind: 'ImageSetConfiguration', apiVersion: 'mirror.openshift.io/v2alpha1', mirror: { operators } }),
    );
    writeFileSync(join(base, 'auth.json'), '{"auths":{}}');
    const ws = join(base, 'ws');
    const r = await execa(
      join(DOUBLES_BIN, 'oc-mirror'),
      [
        '--v2',
        '-c',
        isc,
        '--workspace',
        `file://${ws}`,
        `docker://${registry.host}`,
        '--authfile',
        join(base, 'auth.json'),
      ],
      { reject: false, env: { FYR_DOUBLES_DIR: join(base, 'doubles') }, all: true },
    );
    if (r.exitCode === 0) {
      // skopeo, through the mirror the IDMS names, while the registry is up.
      await inspectThroughIdms(registry.host, join(ws, 'working-dir/cluster-resources'));
    }
    return {
      code: r.exitCode ?? -1,
      stdout: r.all,
      tree,
      host: registry.host,
      resources: join(ws, 'working-dir/cluster-resources'),
    };
  } finally {
    await registry.stop();
  }
}

const LVMS = {
  catalog: `${CATALOG_REPO}:v4.18`,
  packages: [{ name: 'lvms-operator', defaultChannel: 'stable-4.18', channels: [{ name: 'stable-4.18' }] }],
};

// The catalog by tag as the CatalogSource names it, and every related image of the mirrored
// catalog by its source digest, rewritten by the operator IDMS document (as CRI-O would).
async function inspectThroughIdms(host: string, resources: string): Promise<void> {
  const cs = parseAllDocuments(readFileSync(join(resources, 'cs-redhat-operator-index-v4-18.yaml'), 'utf8'))[0]!.toJS();
  const cat = await skopeo(['inspect', '--tls-verify=false', `docker://${cs.spec.image}`]);
  assert.is(cat.exitCode, 0, cat.all);
  assert.is(JSON.parse(cat.stdout).Labels['operators.operatorframework.io.index.configs.v1'], '/configs');
  const idms = parseAllDocuments(readFileSync(join(resources, 'idms-oc-mirror.yaml'), 'utf8')).map((d) => d.toJS());
  const op = idms.find((d) => d.metadata.name === 'idms-operator-0');
  assert.ok(op, 'idms-operator-0');
  for (const b of bundles(filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-4.18' }])))
    for (const r of b.relatedImages) {
      const m = op.spec.imageDigestMirrors.find((x: { source: string }) => r.image.startsWith(`${x.source}/`));
      assert.ok(m, `an IDMS source for ${r.image}`);
      const ref = `${m.mirrors[0]}${r.image.slice(m.source.length)}`;
      assert.ok(ref.startsWith(`${host}/`), ref);
      const got = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
      assert.is(got.exitCode, 0, `${ref}: ${got.all}`);
    }
}

test('oc-mirror double :: lvms-operator mirrored where oc-mirror puts it: the filtered catalog by tag, each image at sha256-<hex>, read back from the tree', () =>
  withDir(async (dir) => {
    const r = await mirror(dir, 'one', [LVMS]);
    assert.is(r.code, 0, r.stdout);
    const wanted = filterCatalog('4.18', [{ name: 'lvms-operator', channel: 'stable-4.18' }]);
    assert.equal(readCatalog(r.tree, 'redhat/redhat-operator-index', 'v4.18'), wanted);
    const files = readImageFiles(r.tree, 'redhat/redhat-operator-index', 'v4.18');
    assert.equal([...files.keys()], ['configs/lvms-operator/catalog.json']);
    // opm's WriteJSON: four-space indentation, one document after another.
    assert.is(
      files.get('configs/lvms-operator/catalog.json')!.toString(),
      wanted.map((d) => `${JSON.stringify(d, null, 4)}\n`).join(''),
    );
    const head = bundles(wanted)[0]!;
    const repos = [];
    for (const ri of head.relatedImages) {
      const [repo, digest] = ri.image.replace(/^registry\.redhat\.io\//, '').split('@') as [string, string];
      repos.push(repo);
      assert.ok(imageInTree(r.tree, repo, digest), ri.image);
      const tag = readFileSync(
        join(r.tree, `docker/registry/v2/repositories/${repo}/_manifests/tags/sha256-${digest.slice(7)}/current/link`),
        'utf8',
      );
      assert.is(tag, digest);
    }
    assert.ok(
      readImageFiles(r.tree, 'lvms4/lvms-operator-bundle', head.image.split('@')[1]!).has('metadata/annotations.yaml'),
    );
    assert.not.ok(imageInTree(r.tree, 'lvms4/lvms-rhel9-operator', `sha256:${'0'.repeat(64)}`));
    assert.throws(() => readImageFiles(r.tree, 'redhat/redhat-operator-index', 'v4.17'), /manifest unknown/);
    // Nothing else: no older channel head, no other package.
    assert.equal(treeRepositories(r.tree), ['redhat/redhat-operator-index', ...repos].sort());
  }));

test('oc-mirror double :: cluster-resources: the operator IDMS document, cs- and cc- as oc-mirror writes them', () =>
  withDir(async (dir) => {
    const r = await mirror(dir, 'one', [LVMS]);
    assert.is(r.code, 0, r.stdout);
    assert.equal(readdirSync(r.resources).sort(), [
      'cc-redhat-operator-index-v4-18.yaml',
      'cs-redhat-operator-index-v4-18.yaml',
      'idms-oc-mirror.yaml',
    ]);
    const read = (f: string) =>
      readFileSync(join(r.resources, f), 'utf8').replace(/createdAt: "[^"]+"/, 'createdAt: "T"');
    const annotations =
      '  annotations:\n    createdAt: "T"\n    createdBy: oc-mirror v2\n    oc-mirror_version: 4.18.0-double\n';
    assert.is(
      read('cs-redhat-operator-index-v4-18.yaml'),
      `apiVersion: operators.coreos.com/v1alpha1\nkind: CatalogSource\nmetadata:\n${annotations}  name: cs-redhat-operator-index-v4-18\n  namespace: openshift-marketplace\nspec:\n  image: ${r.host}/redhat/redhat-operator-index:v4.18\n  sourceType: grpc\n`,
    );
    assert.is(
      read('cc-redhat-operator-index-v4-18.yaml'),
      `apiVersion: olm.operatorframework.io/v1\nkind: ClusterCatalog\nmetadata:\n${annotations}  name: cc-redhat-operator-index-v4-18\nspec:\n  priority: 0\n  source:\n    image:\n      ref: ${r.host}/redhat/redhat-operator-index:v4.18\n    type: Image\n`,
    );
    const idms = parseAllDocuments(read('idms-oc-mirror.yaml')).map((d) => d.toJS());
    assert.equal(
      idms.map((d) => d.metadata.name),
      ['idms-operator-0'],
    );
    // Namespace scope (the mirror's path ends with the source's); no catalog in it.
    assert.equal(idms[0].spec.imageDigestMirrors, [
      { mirrors: [`${r.host}/lvms4`], source: 'registry.redhat.io/lvms4' },
    ]);
  }));

test('oc-mirror double :: exit code 4 with oc-mirror’s messages, nothing copied: no bundle left, a default channel filtered out, another catalog', () =>
  withDir(async (dir) => {
    const unknown = await mirror(dir, 'unknown', [
      { catalog: `${CATALOG_REPO}:v4.18`, packages: [{ name: 'no-such-operator' }] },
    ]);
    assert.is(unknown.code, 4, unknown.stdout);
    assert.match(
      unknown.stdout,
      /\[ERROR\] {2}: \[Executor\] collection error: collect catalog "registry\.redhat\.io\/redhat\/redhat-operator-index@sha256:[0-9a-f]{64}": no related images found/,
    );
    assert.equal(treeRepositories(unknown.tree), []);
    assert.not.ok(existsSync(join(unknown.resources, 'cs-redhat-operator-index-v4-18.yaml')));
    const channel = await mirror(dir, 'channel', [
      { catalog: `${CATALOG_REPO}:v4.18`, packages: [{ name: 'lvms-operator', channels: [{ name: 'stable-4.17' }] }] },
    ]);
    assert.is(channel.code, 4, channel.stdout);
    assert.match(
      channel.stdout,
      'failed to filter catalog: invalid default channel configuration for package "lvms-operator": the default channel "stable-4.18" was filtered out, a new default channel must be configured for this package',
    );
    const other = await mirror(dir, 'other', [
      LVMS,
      { catalog: 'registry.redhat.io/redhat/certified-operator-index:v4.18', packages: [{ name: 'x' }] },
    ]);
    assert.is(other.code, 4, other.stdout);
    assert.match(other.stdout, 'collect catalog "registry.redhat.io/redhat/certified-operator-index:v4.18"');
    assert.equal(treeRepositories(other.tree), []);
  }));

test('oc-mirror double :: the same ISC twice: the same digests in two registries', () =>
  withDir(async (dir) => {
    const a = await mirror(dir, 'a', [LVMS]);
    const b = await mirror(dir, 'b', [LVMS]);
    assert.is(a.code, 0, a.stdout);
    assert.is(b.code, 0, b.stdout);
    const link = (m: Mirror) =>
      readFileSync(
        join(m.tree, 'docker/registry/v2/repositories/redhat/redhat-operator-index/_manifests/tags/v4.18/current/link'),
        'utf8',
      );
    assert.match(link(a), /^sha256:[0-9a-f]{64}$/);
    assert.is(link(a), link(b));
    assert.equal(treeRepositories(a.tree), treeRepositories(b.tree));
  }));

test.run();
