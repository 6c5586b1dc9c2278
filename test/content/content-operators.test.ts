// fyr content --operator end to end on the connected side's stand-ins (test/helpers/connected.ts):
// the oc-mirror double filters the synthetic catalog (test/doubles/catalog.mjs) and pushes it
// with the real skopeo into the real registry; fyr reads the filtered catalog back from the
// tree, adds what its bundles require and mirrors again, keeps the CatalogSource and
// ClusterCatalog with the placeholder, and records the packages. Then fyr release carries them
// in release.json, fyr inspect shows them, and fyr build refuses a site needing another.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { connectedSide, contentArgs, DOUBLES_BIN, type Connected } from '../helpers/connected.js';
import { spawnCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';

async function withSide(fn: (c: Connected, dir: string) => Promise<void>): Promise<void> {
  const dir = await makeTmpdir();
  const c = await connectedSide(join(dir, 'side'));
  try {
    await fn(c, dir);
  } finally {
    await c.close();
    await removeTmpdir(dir);
  }
}

const fyr = (c: Connected, out: string, more: string[] = []) => spawnCli(contentArgs(c, out, more), c.env);
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const iscs = (c: Connected) =>
  (existsSync(join(c.env.FYR_DOUBLES_DIR!, 'calls.log'))
    ? readFileSync(join(c.env.FYR_DOUBLES_DIR!, 'calls.log'), 'utf8')
    : ''
  )
    .split('\n')
    .filter((l) => l.startsWith('["oc-mirror","--v2"'))
    .map((l) => JSON.parse(l) as string[]);

const LVMS = {
  source: 'registry.redhat.io/redhat/redhat-operator-index:v4.18',
  mirror: 'redhat/redhat-operator-index:v4.18',
  catalogSource: 'cs-redhat-operator-index-v4-18',
  packages: [
    { name: 'lvms-operator', channel: 'stable-4.18', csv: 'lvms-operator.v4.18.3', version: '4.18.3', requested: true },
  ],
};

// The single-node example for the doubles' 4.18, with `extra` appended.
function site(dir: string, name: string, extra = ''): string {
  mkdirSync(join(dir, name), { recursive: true });
  const text = readFileSync('examples/single-node/site.yaml', 'utf8').replace(
    /openshiftVersion: "[^"]*"/,
    'openshiftVersion: "4.18"',
  );
  writeFileSync(join(dir, name, 'site.yaml'), `${text}${extra}`);
  copyFileSync('examples/single-node/secrets.yaml', join(dir, name, 'secrets.yaml'));
  chmodSync(join(dir, name, 'secrets.yaml'), 0o600);
  return join(dir, name, 'site.yaml');
}

test('content :: --operator lvms-operator: the catalog in the tree, its files with the placeholder; release.json, inspect and build follow', () =>
  withSide(async (c, dir) => {
    const out = join(dir, 'content');
    const r = await fyr(c, out, ['--operator', 'lvms-operator', '--json']);
    assert.is(r.code, 0, r.stderr);
    const manifest = json(join(out, 'fyr-content.json'));
    assert.equal(manifest.operators, LVMS);
    assert.equal(JSON.parse(r.stdout).content.operators, LVMS);
    // oc-mirror was asked for the package of the release's minor catalog, once (nothing required).
    const runs = iscs(c);
    assert.is(runs.length, 1);
    const files = manifest.files.filter((f: { role: string }) => /catalog/.test(f.role));
    assert.equal(
      files.map((f: { path: string; role: string }) => `${f.role} ${f.path}`),
      [
        'cluster-catalog mirror/cc-redhat-operator-index-v4-18.yaml',
        'catalog-source mirror/cs-redhat-operator-index-v4-18.yaml',
      ],
    );
    const cs = parse(readFileSync(join(out, 'mirror/cs-redhat-operator-index-v4-18.yaml'), 'utf8'));
    assert.equal(
      [cs.kind, cs.metadata.name, cs.spec.image],
      ['CatalogSource', 'cs-redhat-operator-index-v4-18', '@@FYR:registry@@/redhat/redhat-operator-index:v4.18'],
    );
    const cc = readFileSync(join(out, 'mirror/cc-redhat-operator-index-v4-18.yaml'), 'utf8');
    assert.match(cc, 'ref: "@@FYR:registry@@/redhat/redhat-operator-index:v4.18"\n');
    assert.not.match(cc, '127.0.0.1');
    // The operator images' sources are in the IDMS, so in install-config's imageDigestSources.
    assert.ok(
      manifest.registry.imageDigestSources.some((s: { source: string }) =>
        s.source.startsWith('registry.redhat.io/lvms4'),
      ),
      JSON.stringify(manifest.registry.imageDigestSources),
    );

    // fyr release copies them into release.json; the kept files are payload.
    const release = join(dir, 'release.iso');
    const made = await spawnCli(
      [
        'release',
        '--base',
        join(ISO_FIXTURE_DIR, 'el9.iso'),
        '--content',
        out,
        '-o',
        release,
        '--json',
        '--no-checksum',
      ],
      c.env,
    );
    assert.is(made.code, 0, made.stderr);
    const inspected = await spawnCli(['inspect', release, '--json']);
    assert.is(inspected.code, 0, inspected.stderr);
    const info = JSON.parse(inspected.stdout).release;
    assert.equal(info.operators, LVMS);
    assert.ok(info.payload.some((p: { role: string }) => p.role === 'catalog-source'));
    const text = await spawnCli(['inspect', release]);
    assert.match(
      text.stdout,
      '  operators   registry.redhat.io/redhat/redhat-operator-index:v4.18 as redhat/redhat-operator-index:v4.18 (CatalogSource cs-redhat-operator-index-v4-18)\n' +
        '              lvms-operator  stable-4.18  4.18.3  lvms-operator.v4.18.3\n',
    );

    // fyr build: lvms (by default on one node, or named) is carried; another operator is not.
    const build = (file: string, iso: string) =>
      spawnCli([
        'build',
        file,
        '--release',
        release,
        '-o',
        iso,
        '--no-checksum',
        '--unlock-code-file',
        'test/fixtures/unlock-code.txt',
      ]);
    const ok = await build(site(dir, 'sno', 'storage: { type: lvms }\n'), join(dir, 'sno.iso'));
    assert.is(ok.code, 0, ok.stderr);
    assert.not.match(ok.stderr, 'warning: storage');
    const refused = await build(
      site(
        dir,
        'more',
        'storage: { type: none }\noperators:\n  - { name: web-terminal, channel: fast }\n  - { name: lvms-operator }\n',
      ),
      join(dir, 'more.iso'),
    );
    assert.is(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      'operators: web-terminal on channel fast is not carried; add it with fyr content --operator web-terminal:fast [OPERATOR_NOT_CARRIED]',
    );
    assert.match(refused.stderr, 'The release ocp-4.18.9-x86_64 carries only lvms-operator (stable-4.18).');
    assert.not.ok(existsSync(join(dir, 'more.iso')));
    assert.equal(
      readdirSync(dir).filter((n) => n.startsWith('.') || n.includes('more.iso')),
      [],
    );
  }));

test('content :: --operators SITE with odf: its storage packages and what their bundles require, dependencies marked', () =>
  withSide(async (c, dir) => {
    const list = join(dir, 'odf.yaml');
    writeFileSync(list, 'storage: { type: odf }\n');
    const out = join(dir, 'content');
    const r = await fyr(c, out, ['--operators', list]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, 'the mirrored bundles require odf-dependencies: mirroring them too');
    const { operators } = json(join(out, 'fyr-content.json'));
    const row = (p: { name: string; channel: string; version: string; requested: boolean }) =>
      `${p.name} ${p.channel} ${p.version}${p.requested ? '' : ' (dependency)'}`;
    assert.equal(operators.packages.map(row), [
      'local-storage-operator stable 4.18.0-202502260503',
      'odf-operator stable-4.18 4.18.3-rhodf',
      'cephcsi-operator stable-4.18 4.18.3-rhodf (dependency)',
      'mcg-operator stable-4.18 4.18.3-rhodf (dependency)',
      'ocs-client-operator stable-4.18 4.18.3-rhodf (dependency)',
      'ocs-operator stable-4.18 4.18.3-rhodf (dependency)',
      'odf-csi-addons-operator stable-4.18 4.18.3-rhodf (dependency)',
      'odf-dependencies stable-4.18 4.18.3-rhodf (dependency)',
      'odf-external-snapshotter-operator stable-4.18 4.18.3-rhodf (dependency)',
      'odf-prometheus-operator stable-4.18 4.18.3-rhodf (dependency)',
      'recipe stable-4.18 4.18.3-rhodf (dependency)',
      'rook-ceph-operator stable-4.18 4.18.3-rhodf (dependency)',
    ]);
    assert.match(r.stdout, '              odf-operator stable-4.18 4.18.3-rhodf\n');
    assert.match(r.stdout, '              recipe stable-4.18 4.18.3-rhodf (dependency)\n');
  }));

test('content :: operators asked for wrongly: one OPERATOR_INVALID before anything runs', async () => {
  const dir = await makeTmpdir();
  try {
    const out = join(dir, 'content');
    const doubles = join(dir, 'doubles');
    mkdirSync(doubles);
    const bad = await spawnCli(
      [
        ...['content', '--openshift', '4.18.9', '--pull-secret', join(dir, 'none.json'), '-o', out],
        ...['--operator', 'LVMS', '--operator', 'odf-operator:stable 4.18'],
      ],
      { PATH: `${DOUBLES_BIN}:${process.env.PATH}`, FYR_DOUBLES_DIR: doubles },
    );
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, '2 problems with the operators to mirror [OPERATOR_INVALID]');
    assert.match(bad.stderr, '--operator LVMS: "LVMS" is not an operator package name');
    assert.match(bad.stderr, '--operator odf-operator:stable 4.18: "stable 4.18" is not a channel name');
    // Nothing ran (the doubles log every call), nothing was written.
    assert.equal(readdirSync(doubles), []);
    assert.equal(readdirSync(dir), ['doubles']);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
