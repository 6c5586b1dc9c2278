// The filtered catalog read back from a registry storage tree as oc-mirror v2 leaves it: an
// index whose linux/amd64 image has the source catalog's layers (its whole /configs), a layer
// whiting /configs out and a layer with the filtered configs on top (catalog_builder.go
// RebuildCatalog); gzip and plain tar layers; the configs directory from the image's label.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { catalogPackages, readCatalog } from '../../src/content/catalog.js';
import { FyrError } from '../../src/errors.js';
import { packTar } from '../../src/util/tar.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const V2 = 'docker/registry/v2';

function blob(root: string, data: Buffer | string): { digest: string; size: number } {
  const bytes = Buffer.from(data);
  const hex = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(join(root, V2, 'blobs/sha256', hex.slice(0, 2), hex), { recursive: true });
  writeFileSync(join(root, V2, 'blobs/sha256', hex.slice(0, 2), hex, 'data'), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

const fbc = (pkg: string, version: string) =>
  [
    { schema: 'olm.package', name: pkg, defaultChannel: 'stable' },
    { schema: 'olm.channel', package: pkg, name: 'stable', entries: [{ name: `${pkg}.v${version}` }] },
    {
      schema: 'olm.bundle',
      name: `${pkg}.v${version}`,
      package: pkg,
      properties: [{ type: 'olm.package', value: { packageName: pkg, version } }],
    },
  ]
    .map((d) => `${JSON.stringify(d, null, 4)}\n`)
    .join('');

async function layer(root: string, files: Record<string, string>, gzip: boolean) {
  const tar = await packTar(
    Object.entries(files).map(([path, content]) => ({ path, mode: 0o644, content: Buffer.from(content) })),
    0,
  );
  return blob(root, gzip ? gzipSync(tar) : tar);
}

// The catalog as oc-mirror rebuilds it, under repo:tag; configsDir as its label names it.
async function catalogTree(root: string, configsDir: string) {
  const dir = configsDir.replace(/^\//, '');
  const layers = [
    // The source catalog: every package, and a file outside the configs.
    await layer(
      root,
      {
        'bin/opm': 'binary',
        [`${dir}/lvms-operator/catalog.json`]: fbc('lvms-operator', '4.18.1'),
        [`${dir}/web-terminal/catalog.json`]: fbc('web-terminal', '1.0.0'),
      },
      true,
    ),
    // oc-mirror's delete layer: a whiteout of the configs directory.
    await layer(
      root,
      { [`${dir.split('/').slice(0, -1).join('/')}${dir.includes('/') ? '/' : ''}.wh.${dir.split('/').pop()}`]: '' },
      true,
    ),
    // The filtered configs, plain tar (a layer need not be compressed), with a file whiteout.
    await layer(
      root,
      {
        [`./${dir}/lvms-operator/catalog.json`]: fbc('lvms-operator', '4.18.3'),
        [`${dir}/lvms-operator/README.md`]: 'not a catalog file',
      },
      false,
    ),
  ];
  const config = blob(
    root,
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'operators.operatorframework.io.index.configs.v1': configsDir } },
    }),
  );
  const manifest = blob(
    root,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
    }),
  );
  // Another architecture first in the index: the reader must pick linux/amd64.
  const other = blob(root, JSON.stringify({ schemaVersion: 2, config: config, layers: [] }));
  const index = blob(
    root,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...other, platform: { os: 'linux', architecture: 'arm64' } },
        { ...manifest, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }),
  );
  const tag = join(root, V2, 'repositories/redhat/redhat-operator-index/_manifests/tags/v4.18/current');
  mkdirSync(tag, { recursive: true });
  writeFileSync(join(tag, 'link'), index.digest);
}

test('catalog :: the filtered configs on top, the whited-out source catalog below them never read', async () => {
  const dir = await makeTmpdir();
  try {
    for (const configs of ['/configs', '/srv/catalog']) {
      const root = join(dir, configs.replace(/\//g, '_'));
      await catalogTree(root, configs);
      const docs = await readCatalog(root, 'redhat/redhat-operator-index', 'v4.18');
      assert.equal(
        docs.map((d) => `${d.schema} ${d.name}`),
        ['olm.package lvms-operator', 'olm.channel stable', 'olm.bundle lvms-operator.v4.18.3'],
        configs,
      );
      assert.equal(catalogPackages(docs, [{ name: 'lvms-operator' }], 'c'), [
        { name: 'lvms-operator', channel: 'stable', csv: 'lvms-operator.v4.18.3', version: '4.18.3', requested: true },
      ]);
    }
    try {
      await readCatalog(join(dir, '_configs'), 'redhat/redhat-operator-index', 'v4.17');
      assert.unreachable();
    } catch (err) {
      assert.is((err as FyrError).code, 'MIRROR_FAILED');
      assert.is((err as FyrError).message, 'the registry tree has no catalog redhat/redhat-operator-index:v4.17');
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
